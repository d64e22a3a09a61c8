"""SQLite writers of one process queue for their turn (storage.write_queue) instead of polling SQLite's lock.

Every engine here has no busy timeout at all: a writer that met SQLite's lock held by another would
fail at once with "database is locked". So a test passes only if the writers of the process never
meet it: they wait for their turn in line, and the turn is always given back (commit, rollback, an
error, an invalidated connection), and a nested write cannot wait on itself.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, event, text
from sqlalchemy.exc import IntegrityError, OperationalError

from bot.requests import first_time
from storage import db as storage_db
from storage import write_queue
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(bool(TEST_DATABASE_URL), reason="SQLite's database-wide write lock")

THREADS = 16  # as many as a web process's listener threads
WRITES = 10  # each


@pytest.fixture
def path(tmp_path: Path) -> Path:
    return tmp_path / "queue.db"


@pytest.fixture
def engine(path: Path) -> Iterator[Engine]:
    engine = storage_db.make_engine(f"sqlite:///{path}")

    @event.listens_for(engine, "connect")
    def _no_busy_timeout(connection: Any, _record: Any) -> None:
        connection.execute("PRAGMA busy_timeout=0")  # after make_engine's own 15 s

    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT NOT NULL UNIQUE)"))
    yield engine
    engine.dispose()


def queue(path: Path) -> write_queue.WriteQueue:
    return write_queue.queue_for(str(path))


def notes(engine: Engine) -> list[str]:
    with engine.connect() as connection:
        return list(connection.execute(text("SELECT body FROM note ORDER BY body")).scalars())


def test_concurrent_writers_of_one_process_all_succeed_without_a_busy_timeout(engine: Engine, path: Path) -> None:
    sessions = storage_db.make_sessionmaker(engine)
    start = threading.Barrier(THREADS)

    def write(worker: int) -> None:
        start.wait()
        for n in range(WRITES):
            with sessions.begin() as session:
                count = session.execute(text("SELECT count(*) FROM note")).scalar_one()
                session.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": f"{worker}-{n}-{count}"})

    with ThreadPoolExecutor(THREADS) as pool:
        list(pool.map(write, range(THREADS)))  # re-raises any "database is locked"
    assert len(notes(engine)) == THREADS * WRITES
    assert queue(path).holder() is None


def test_one_statement_writes_queue_too(engine: Engine, path: Path) -> None:
    sessions = storage_db.make_sessionmaker(engine)
    start = threading.Barrier(THREADS)
    now = datetime(2026, 4, 1, tzinfo=UTC)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE seen_request (key VARCHAR(200) PRIMARY KEY, at TIMESTAMP NOT NULL)"))

    def seen(worker: int) -> list[bool]:
        start.wait()
        return [first_time(sessions, f"k{worker}-{n % 5}", now) for n in range(WRITES)]

    with ThreadPoolExecutor(THREADS) as pool:
        answers = list(pool.map(seen, range(THREADS)))
    # first_time says True when it could not write: so count what was stored, not only the answers.
    assert [answer.count(True) for answer in answers] == [5] * THREADS
    with engine.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM seen_request")).scalar_one() == THREADS * 5
    assert queue(path).holder() is None


def test_the_turn_is_given_back_after_a_failed_statement_and_a_rollback(engine: Engine, path: Path) -> None:
    sessions = storage_db.make_sessionmaker(engine)
    with sessions.begin() as session:
        session.execute(text("INSERT INTO note (body) VALUES ('taken')"))
    with pytest.raises(IntegrityError), sessions.begin() as session:
        session.execute(text("INSERT INTO note (body) VALUES ('first')"))
        assert queue(path).holder() is not None
        session.execute(text("INSERT INTO note (body) VALUES ('taken')"))
    assert queue(path).holder() is None
    with sessions() as session:
        session.execute(text("INSERT INTO note (body) VALUES ('second')"))
        session.rollback()
    assert queue(path).holder() is None
    _another_thread_writes(engine, "after")
    assert notes(engine) == ["after", "taken"]


def test_the_turn_is_given_back_by_an_invalidated_connection(engine: Engine, path: Path) -> None:
    with engine.connect() as connection:
        connection.begin()
        connection.execute(text("INSERT INTO note (body) VALUES ('lost')"))
        assert queue(path).holder() is not None
        connection.invalidate()  # as after a disconnect: the DBAPI connection is closed
        assert queue(path).holder() is None
    _another_thread_writes(engine, "after")
    assert notes(engine) == ["after"]


def test_a_begin_that_fails_gives_the_turn_back(engine: Engine, path: Path) -> None:
    other_process = sqlite3.connect(path, isolation_level=None)  # another process holds SQLite's lock
    other_process.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(OperationalError, match="database is locked"), engine.begin() as connection:
            connection.execute(text("INSERT INTO note (body) VALUES ('refused')"))
        assert queue(path).holder() is None
    finally:
        other_process.execute("ROLLBACK")
        other_process.close()
    _another_thread_writes(engine, "after")
    assert notes(engine) == ["after"]


def test_a_nested_write_on_the_same_thread_does_not_wait_on_itself(
    engine: Engine, path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    write_queue.queue_for(str(path)).wait = 60.0  # were the nested write to queue, the test would hang
    sessions = storage_db.make_sessionmaker(engine)
    with caplog.at_level(logging.WARNING, logger="storage.write_queue"), sessions.begin() as outer:
        outer.execute(text("INSERT INTO note (body) VALUES ('outer')"))
        # The inner write goes straight to SQLite's lock, held by the outer one: refused at once here (no busy
        # timeout), as without the queue; it is not left waiting for a turn its own thread holds.
        with pytest.raises(OperationalError, match="database is locked"), sessions.begin() as inner:
            inner.execute(text("INSERT INTO note (body) VALUES ('inner')"))
        assert "wait on itself" in caplog.text
    assert queue(path).holder() is None
    assert notes(engine) == ["outer"]


def test_a_read_takes_no_turn(engine: Engine, path: Path) -> None:
    sessions = storage_db.make_sessionmaker(engine)
    writing, done = threading.Event(), threading.Event()

    def writer() -> None:
        with sessions.begin() as session:
            session.execute(text("INSERT INTO note (body) VALUES ('slow')"))
            writing.set()
            done.wait(10)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        assert writing.wait(10)
        holder = queue(path).holder()
        with sessions() as session:
            storage_db.read_only(session)
            assert session.execute(text("SELECT count(*) FROM note")).scalar_one() == 0  # not held up
            assert queue(path).holder() is holder
    finally:
        done.set()
        thread.join()
    assert notes(engine) == ["slow"]


def test_two_engines_on_one_file_share_the_queue(engine: Engine, path: Path) -> None:
    second = storage_db.make_engine(f"sqlite:///{path}")
    event.listen(second, "connect", lambda connection, _record: connection.execute("PRAGMA busy_timeout=0"))
    start = threading.Barrier(2 * 4)

    def write(n: int) -> None:
        start.wait()
        for m in range(WRITES):
            with (engine if n % 2 else second).begin() as connection:
                connection.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": f"{n}-{m}"})

    try:
        with ThreadPoolExecutor(8) as pool:
            list(pool.map(write, range(8)))
    finally:
        second.dispose()
    assert len(notes(engine)) == 8 * WRITES


def test_waiting_too_long_goes_on_without_a_turn(path: Path) -> None:
    line = write_queue.WriteQueue(wait=0.05)
    assert line.take("first")
    got: list[bool] = []
    thread = threading.Thread(target=lambda: got.append(line.take("second")))
    thread.start()
    thread.join(10)
    assert got == [False]  # went on without it, and is no longer in line:
    line.give_back("first")
    assert line.holder() is None


def _another_thread_writes(engine: Engine, body: str) -> None:
    def write() -> None:
        with engine.begin() as connection:
            connection.execute(text("INSERT INTO note (body) VALUES (:body)"), {"body": body})

    with ThreadPoolExecutor(1) as pool:
        pool.submit(write).result(timeout=10)
