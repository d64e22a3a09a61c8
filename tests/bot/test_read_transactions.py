"""Reads take no write lock on SQLite: a listing in progress does not hold up a write, and writes still queue."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from unittest import mock

import pytest
from sqlalchemy import event, make_url, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.services import ActionService, Identity, paging
from bot.services.retry import in_unit_of_work
from bot.views import Outstanding
from storage.models import Action, Person
from tests.conftest import TEST_DATABASE_URL
from tests.helpers import CHAIR, POLICE_LEAD, seed_board
from tests.helpers import say as typed

pytestmark = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's database-wide write lock")


@pytest.fixture
def service(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> ActionService:
    seed_board(db, local_today(clock, settings.timezone))
    return ActionService(db, clock, settings)


@pytest.fixture
def writer(database_url: str) -> Iterator[sqlite3.Connection]:
    """Another process's connection that gives up at once when the write lock is taken (no busy timeout)."""
    connection = sqlite3.connect(make_url(database_url).database or "", timeout=0, isolation_level=None)
    yield connection
    connection.close()


def write_now(writer: sqlite3.Connection, text: str) -> None:
    """A write by another process: it fails with "database is locked" if anyone holds the write lock."""
    writer.execute("BEGIN IMMEDIATE")
    writer.execute("UPDATE action SET text = ? WHERE ref = 'CC-1'", (text,))
    writer.execute("COMMIT")


def test_a_listing_in_progress_does_not_hold_up_a_write(service: ActionService, writer: sqlite3.Connection) -> None:
    page = paging.outstanding_page
    written = []

    def page_then_write(*args: object, **kwargs: object) -> list[Action]:
        rows = page(*args, **kwargs)  # the listing has read the counts and its page: its transaction is open
        write_now(writer, "Written while the chair's listing was being read")
        written.append(True)
        return rows

    with mock.patch.object(paging, "outstanding_page", page_then_write):
        reply = typed(service, "outstanding", Identity("console", email=CHAIR))
    assert isinstance(reply.view, Outstanding) and reply.view.total == 2
    assert written == [True]
    with service.sessions() as session:
        assert session.scalar(select(Action.text).where(Action.ref == "CC-1")) == (
            "Written while the chair's listing was being read"
        )


def test_a_write_holds_the_lock_for_its_whole_unit_of_work(
    db: sessionmaker[Session], writer: sqlite3.Connection
) -> None:
    # The contrast that makes the test above mean something: a unit of work that may write takes the
    # lock at BEGIN, so another writer (with no busy timeout) is refused while it runs.
    def read_then_write(session: Session) -> None:
        session.scalars(select(Action)).all()
        with pytest.raises(sqlite3.OperationalError, match="database is locked"):
            write_now(writer, "refused")

    in_unit_of_work(db, read_then_write)
    in_unit_of_work(db, lambda session: write_now(writer, "free again"))  # the lock went with the commit


def test_a_read_that_writes_after_another_writer_committed_runs_again_as_a_write(
    service: ActionService, db: sessionmaker[Session], writer: sqlite3.Connection
) -> None:
    # A deferred read cannot turn into a write once another writer committed after it began
    # (SQLITE_BUSY_SNAPSHOT): the unit of work is run again, taking the lock at BEGIN.
    attempts = []

    def read_then_write(session: Session) -> int:
        attempts.append(len(attempts) + 1)
        pat = session.scalars(select(Person).where(Person.email == POLICE_LEAD)).one()
        if len(attempts) == 1:
            write_now(writer, "Committed after the read began")
        pat.unreachable = None if pat.unreachable else "checked"
        session.flush()
        return pat.id

    assert in_unit_of_work(db, read_then_write, read_only=True)
    assert attempts == [1, 2]
    with db() as session:
        assert session.scalar(select(Person.unreachable).where(Person.email == POLICE_LEAD)) == "checked"


def test_reads_and_writes_say_how_they_begin(service: ActionService) -> None:
    seen: list[str] = []
    event.listen(service.sessions.kw["bind"], "before_cursor_execute", lambda *args: seen.append(args[2]))
    typed(service, "mine", Identity("console", email=POLICE_LEAD))
    typed(service, "update CC-1 on-track Trainer booked", Identity("console", email=POLICE_LEAD))
    assert [statement for statement in seen if statement.startswith("BEGIN")] == ["BEGIN DEFERRED", "BEGIN IMMEDIATE"]
