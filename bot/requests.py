"""Chat requests already carried out, so that a replay or a platform's retry applies once."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from storage.db import insert_ignoring_conflicts, one_statement
from storage.models import SeenRequest

log = logging.getLogger(__name__)

# Slack refuses requests more than 5 minutes old and retries events for about an hour;
# a day's keys cover both with room to spare.
KEEP_FOR = timedelta(days=1)


CLEAN_EVERY = timedelta(hours=1)  # how often a process deletes keys older than KEEP_FOR
_cleaned: dict[int, datetime] = {}  # id of an engine -> when this process last deleted old keys


def first_time(sessions: sessionmaker[Session], key: str, now: datetime) -> bool:
    """Record a request's key; False when it was already recorded (by any process sharing the database).

    One statement (an INSERT that skips a key already there, atomic by itself), and once an hour a
    second that forgets keys older than a day. When the database cannot be reached the answer is True:
    the command then runs, fails with "temporarily unavailable" and says so, and the services recognise
    a repeated change anyway.
    """
    try:
        with one_statement(sessions) as session:
            return record(session, key, now)
    except DBAPIError as error:
        log.warning("could not record request %s, carrying on: %s", key, error)
        return True


def record(session: Session, key: str, now: datetime) -> bool:
    """Record a request's key in ``session``'s transaction; False when it was recorded already.

    Inside a change's own unit of work the key commits with the change or not at all: a replay waits
    for the first to commit (the key's unique index) and is then told apart, and a change that failed
    leaves no key behind."""
    inserted = insert_ignoring_conflicts(session, SeenRequest.__table__, {"key": key[:200], "at": now}, "key")
    last = _cleaned.get(id(session.get_bind().engine))
    if last is None or not now - CLEAN_EVERY < last <= now:
        session.execute(delete(SeenRequest).where(SeenRequest.at < now - KEEP_FOR))
        _cleaned[id(session.get_bind().engine)] = now
    return inserted > 0
