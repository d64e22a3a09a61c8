"""The one transient-database retry: an error that may pass is run again; one that persists is one sentence.

Errors are injected into the real unit of work (an engine event raising the driver's error on a
chosen statement), so the command's other writes in the same transaction are rolled back for real.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import psycopg
import psycopg.errors
import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session, sessionmaker

from bot.chat import phrases
from bot.clock import FrozenClock
from bot.config import Settings
from bot.errors import TemporarilyUnavailable
from bot.services import ActionService, Identity, retry
from bot.views import Changed, Problem
from storage.models import Action, Person, Update
from tests.helpers import add_actions, dump, say

PAT = Identity("slack", "U0PAT", "pat@police.example.org")  # not yet bound: the first command binds the id
UPDATE = "update CC-1 on-track Audit sample reviewed"

TRANSIENT: dict[str, Callable[[], BaseException]] = {
    "deadlock": lambda: psycopg.errors.DeadlockDetected("deadlock detected"),
    "serialization failure": lambda: psycopg.errors.SerializationFailure("could not serialize access"),
    "shutting down": lambda: psycopg.OperationalError("FATAL: the database system is shutting down"),
    "admin shutdown": lambda: psycopg.errors.AdminShutdown("terminating connection due to administrator command"),
    "connection reset": lambda: psycopg.OperationalError("could not receive data: Connection reset by peer"),
    "sqlite locked": lambda: sqlite3.OperationalError("database is locked"),
}


@pytest.fixture
def service(db: sessionmaker[Session], clock: FrozenClock, settings: Settings, board: dict[str, int]) -> ActionService:
    add_actions(db, 1, owner="pat@police.example.org", start=1)
    return ActionService(db, clock, settings)


@pytest.fixture(autouse=True)
def no_pause(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(retry, "PAUSE", 0.0)  # the pauses' lengths are not what these tests are about


def fail(engine: Engine, statement: str, error: Callable[[], BaseException], times: int | None) -> list[str]:
    """Raise ``error`` (as SQLAlchemy wraps the driver's) on statements starting ``statement``; the failures."""
    failures: list[str] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _fail(_conn: Any, _cursor: Any, sql: str, params: Any, *_: Any) -> None:
        if sql.lstrip().upper().startswith(statement) and (times is None or len(failures) < times):
            failures.append(sql)
            raise OperationalError(sql, params, error())

    return failures


def stored(db: sessionmaker[Session]) -> tuple[list[str | None], int, str | None]:
    with db() as session:
        notes = list(session.scalars(select(Update.note)))
        version = session.scalars(select(Action.version).where(Action.ref == "CC-1")).one()
        bound = session.scalars(select(Person.slack_user_id).where(Person.email == PAT.email)).one()
        return notes, version, bound


@pytest.mark.parametrize("statement", ["INSERT INTO ACTION_UPDATE", "UPDATE PERSON"])  # the command; the binding
@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_transient_error_injected_once_is_retried_and_the_update_stored_once(
    service: ActionService, engine: Engine, db: sessionmaker[Session], kind: str, statement: str
) -> None:
    failures = fail(engine, statement, TRANSIENT[kind], times=1)
    reply = say(service, UPDATE, PAT)
    assert isinstance(reply.view, Changed) and reply.view.summary == "Update recorded for CC-1 (on track).", reply.view
    assert len(failures) == 1
    assert stored(db) == (["Audit sample reviewed"], 1, "U0PAT")


@pytest.mark.parametrize("statement", ["INSERT INTO ACTION_UPDATE", "UPDATE PERSON"])
@pytest.mark.parametrize("kind", TRANSIENT)
def test_a_transient_error_that_persists_is_temporarily_unavailable_and_changes_nothing(
    service: ActionService, engine: Engine, db: sessionmaker[Session], kind: str, statement: str
) -> None:
    before = dump(engine)
    failures = fail(engine, statement, TRANSIENT[kind], times=None)
    reply = say(service, UPDATE, PAT)
    assert reply.view == Problem(phrases.TEMPORARILY_UNAVAILABLE, None, "TemporarilyUnavailable")
    assert "temporarily unavailable, so nothing was changed" in phrases.TEMPORARILY_UNAVAILABLE
    assert len(failures) == retry.ATTEMPTS  # tried again each time, then given up
    assert reply.notices == ()
    after = dump(engine)
    assert {**after, "person": []} == {**before, "person": []}  # nothing of the command was written
    # Binding the Slack id is a unit of work of its own, committed before the command's.
    assert stored(db) == ([], 0, None if statement == "UPDATE PERSON" else "U0PAT")


def test_an_error_that_will_not_pass_is_not_retried(service: ActionService, engine: Engine) -> None:
    failures = fail(engine, "INSERT INTO ACTION_UPDATE", lambda: sqlite3.OperationalError("no such table: x"), None)
    with pytest.raises(OperationalError):
        say(service, UPDATE, PAT)
    assert len(failures) == 1


def test_a_wait_the_driver_already_did_is_not_repeated(db: sessionmaker[Session]) -> None:
    """SQLite's busy timeout (15 s in production) already waited for the lock: no second run after WITHIN seconds."""
    runs: list[int] = []
    moments = iter([0.0, retry.WITHIN + 1])  # the first run began, and failed after its long wait

    def busy(_session: Session) -> None:
        runs.append(1)
        raise OperationalError("UPDATE action", {}, sqlite3.OperationalError("database is locked"))

    with pytest.raises(TemporarilyUnavailable):
        retry.in_unit_of_work(db, busy, clock=lambda: next(moments))
    assert len(runs) == 1
