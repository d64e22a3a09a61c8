"""SQLite writers of one process take turns at a database file in arrival order, instead of polling for its lock.

SQLite has one write lock per database file. A writer that finds it taken sleeps in SQLite's busy
handler, in steps that grow to 100 ms, and looks again: when many writers of one process contend,
one may sleep on long after the lock came free while later ones take it (a tail of seconds at 32
concurrent updates). So the writers of a process queue here first, on a lock per database file taken
just before ``BEGIN IMMEDIATE`` and handed to the next in line when the transaction ends (commit,
rollback, or the connection closing or being invalidated): the queue is FIFO and nobody polls. Other
processes (a scheduler of its own) still meet SQLite's busy timeout, as before.

Never a deadlock: a write that begins on a thread whose other connection holds the turn (a nested
write session, which would wait on itself) does not queue, and no one queues for longer than the
busy timeout; both go on to ``BEGIN IMMEDIATE`` as without the queue, and are logged.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from collections import deque

log = logging.getLogger(__name__)

WAIT = 15.0  # seconds at most in the queue: SQLite's busy timeout (storage.db.make_engine)

_queues: dict[str, WriteQueue] = {}
_queues_lock = threading.Lock()


class WriteQueue:
    """One database file's turn to write, held by one DBAPI connection at a time and handed over in FIFO order."""

    def __init__(self, wait: float = WAIT) -> None:
        self.wait = wait
        self._mutex = threading.Lock()
        self._holder: object | None = None  # the connection whose turn it is
        self._thread: int | None = None  # the thread that took it (for a nested write)
        self._waiting: deque[tuple[threading.Lock, object, int]] = deque()

    def take(self, owner: object) -> bool:
        """Wait for ``owner``'s turn; False when it went on without one (a nested write, or waited too long)."""
        me = threading.get_ident()
        # Made before the mutex is held: nothing under it allocates, so a garbage-collected connection's
        # rollback (which gives a turn back) cannot run inside it.
        turn = threading.Lock()
        turn.acquire()
        entry = (turn, owner, me)
        with self._mutex:
            if self._holder is None:
                self._holder, self._thread = owner, me
                return True
            if self._holder is owner:
                return True
            nested = self._thread == me
            if not nested:
                self._waiting.append(entry)
        if nested:
            log.warning("a write began while this thread's other write is open; it will wait on itself")
            return False
        started = time.monotonic()
        if turn.acquire(timeout=self.wait):
            return True
        with self._mutex:
            if self._holder is owner:
                return True  # handed over just as the wait ended
            self._waiting.remove(entry)
        log.warning("waited %.1f s for this process's turn to write; going on without it", time.monotonic() - started)
        return False

    def give_back(self, owner: object) -> None:
        """End ``owner``'s turn, if it has it: the next in line (if any) has it now."""
        with self._mutex:
            if self._holder is not owner:
                return
            if self._waiting:
                turn, self._holder, self._thread = self._waiting.popleft()
                turn.release()
            else:
                self._holder = self._thread = None

    def holder(self) -> object | None:
        """The connection whose turn it is (tests)."""
        return self._holder


def queue_for(database: str) -> WriteQueue:
    """The one queue of this process for a database file, however many engines open it."""
    key = os.path.realpath(database)
    with _queues_lock:
        return _queues.setdefault(key, WriteQueue())


class QueuedConnection(sqlite3.Connection):
    """A sqlite3 connection that gives its turn back once its transaction has ended or it is closed."""

    write_queue: WriteQueue | None = None

    def commit(self) -> None:
        try:
            super().commit()
        finally:
            self._ended()

    def rollback(self) -> None:
        try:
            super().rollback()
        finally:
            self._ended()

    def close(self) -> None:
        try:
            super().close()
        finally:
            if self.write_queue is not None:
                self.write_queue.give_back(self)

    def _ended(self) -> None:
        # A COMMIT that failed leaves the transaction open: the turn is kept until its rollback.
        if self.write_queue is not None and not self._open():
            self.write_queue.give_back(self)

    def _open(self) -> bool:
        try:
            return self.in_transaction
        except sqlite3.ProgrammingError:  # closed
            return False
