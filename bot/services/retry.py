"""The one transient-database retry: a unit of work that lost a race runs again; an outage is one sentence."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import TemporarilyUnavailable
from storage import db as storage_db

log = logging.getLogger(__name__)
T = TypeVar("T")

ATTEMPTS = 3  # a unit of work that lost a race (unique key) is run again on fresh state
UNAVAILABLE = (
    "database is locked",
    "unable to open database file",
    "connection refused",
    "could not connect",
    "server closed",
    "timeout",
)


def in_unit_of_work(sessions: sessionmaker[Session], work: Callable[[Session], T], *, read_only: bool = False) -> T:
    """Run ``work`` in one transaction, again on a lost race; an unreachable database is TemporarilyUnavailable.

    ``read_only`` work takes no write lock on SQLite (storage.db.read_only); if it writes after all (a
    first contact remembering a chat id) and a concurrent writer makes that fail, it runs again as a write.
    """
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
        except DBAPIError as error:
            if read_only and "database is locked" in str(error.orig).lower() and attempt < ATTEMPTS:
                log.info("a read that wrote lost SQLite's write lock; running it again as a write: %s", error)
                read_only = False
                continue
            if error.connection_invalidated or isinstance(error.orig, OSError) or unavailable(error):
                log.warning("database unavailable: %s", error)
                raise TemporarilyUnavailable(
                    "The action tracker's database is temporarily unavailable, so nothing was changed. "
                    "Please try again in a few minutes."
                ) from error
            raise
    raise AssertionError("unreachable")


def unavailable(error: DBAPIError) -> bool:
    """The driver's words for a database that cannot be reached or is busy."""
    text = str(error.orig).lower()
    return any(phrase in text for phrase in UNAVAILABLE)
