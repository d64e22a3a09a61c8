"""The one transient-database retry: a unit of work that lost a race runs again; an outage is one sentence.

Transient means the same work may well succeed in a moment: a deadlock or serialization failure
(PostgreSQL chose this transaction to lose), a lost unique-key race, a busy SQLite file ("database
is locked"), a server shutting down or restarting, a connection refused or reset. Each is run again
on fresh state, a few times with a short growing pause; when it persists the person is told the
database is temporarily unavailable and nothing was changed (the failed transaction was rolled back).
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.orm import Session, sessionmaker

from bot.chat import phrases
from bot.errors import TemporarilyUnavailable
from storage import db as storage_db

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 5  # runs of one unit of work before a transient error is reported
PAUSE = 0.05  # seconds before the second run, doubled before each further one (with jitter)
# No run starts this many seconds after the first began: a wait the driver already did (SQLite's
# 15 s busy timeout, a lock_timeout) is not repeated while the person and a listener thread wait.
WITHIN = 5.0
LOST_RACE = frozenset({"40P01", "40001"})  # PostgreSQL: deadlock detected, serialization failure
# Connection exceptions, shutting down or starting up, out of resources, a lock wait timed out.
OUTAGE_STATES = ("08", "57P", "53", "55P03")
UNAVAILABLE = (
    "database is locked",
    "unable to open database file",
    "the database system is",  # ... shutting down / starting up / in recovery mode
    "connection refused",
    "connection reset",
    "could not connect",
    "server closed",
    "terminating connection",
    "timeout",
)


def in_unit_of_work(
    sessions: sessionmaker[Session],
    work: Callable[[Session], T],
    *,
    read_only: bool = False,
    pause: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Run ``work`` in one transaction, again after a transient error; a persistent one is TemporarilyUnavailable.

    ``read_only`` work takes no write lock on SQLite (storage.db.read_only); if it writes after all and a
    concurrent writer makes that fail ("database is locked"), it runs again as a write.
    """
    started = clock()
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with sessions.begin() as session:
                if read_only:
                    storage_db.read_only(session)
                return work(session)
        except IntegrityError:
            # Another request changed the same action first; run again on the new state,
            # where a duplicate is recognised and recorded once.
            if attempt == ATTEMPTS:
                raise
        except (DBAPIError, PoolTimeout) as error:
            if not transient(error):
                raise
            if read_only and isinstance(error, DBAPIError) and "database is locked" in str(error.orig).lower():
                log.info("a read that wrote lost SQLite's write lock; running it again as a write: %s", error)
                read_only = False
            else:
                log.warning("database busy or unavailable (run %d of %d): %s", attempt, ATTEMPTS, error)
            if attempt == ATTEMPTS or clock() - started > WITHIN:
                raise TemporarilyUnavailable(phrases.TEMPORARILY_UNAVAILABLE) from error
        pause(PAUSE * 2 ** (attempt - 1) * random.uniform(0.5, 1.5))  # noqa: S311 - jitter, not a secret
    raise AssertionError("unreachable")


def transient(error: DBAPIError | PoolTimeout) -> bool:
    """The same work may succeed in a moment: a lost race, a busy or restarting database, a dropped connection."""
    if isinstance(error, PoolTimeout):
        return True  # every pooled connection was busy
    if error.connection_invalidated or isinstance(error.orig, OSError):
        return True
    state = getattr(error.orig, "sqlstate", None) or ""
    if state in LOST_RACE or state.startswith(OUTAGE_STATES):
        return True
    return unavailable(error)


def unavailable(error: DBAPIError) -> bool:
    """The driver's words for a database that cannot be reached or is busy."""
    text = str(error.orig).lower()
    return any(phrase in text for phrase in UNAVAILABLE)
