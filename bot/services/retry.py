"""The one transient-database retry: a unit of work that lost a race runs again; an outage is one sentence."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import TemporarilyUnavailable

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


def in_unit_of_work(sessions: sessionmaker[Session], work: Callable[[Session], T]) -> T:
    """Run ``work`` in one transaction, again on a lost race; an unreachable database is TemporarilyUnavailable."""
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with sessions.begin() as session:
                return work(session)
        except IntegrityError:
            # Another request changed the same action first; run again on the new state,
            # where a duplicate is recognised and recorded once.
            if attempt == ATTEMPTS:
                raise
        except DBAPIError as error:
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
