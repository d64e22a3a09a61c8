"""The engine keeps as many connections as a web process's listener threads use at once."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import event, text

from handlers.slack.app import LISTENER_THREADS
from storage import db as storage_db


def test_a_busy_process_neither_opens_nor_closes_connections_once_warm(database_url: str) -> None:
    engine = storage_db.make_engine(database_url)
    seen = {"connect": 0, "close": 0}
    event.listen(engine, "connect", lambda *_: seen.__setitem__("connect", seen["connect"] + 1))
    event.listen(engine, "close", lambda *_: seen.__setitem__("close", seen["close"] + 1))
    together = threading.Barrier(LISTENER_THREADS)

    def use(_: Any) -> None:
        with engine.connect() as connection:
            together.wait(10)  # every listener thread holds a connection at the same moment
            connection.execute(text("SELECT 1"))

    try:
        with ThreadPoolExecutor(LISTENER_THREADS) as pool:
            for _ in range(3):
                list(pool.map(use, range(LISTENER_THREADS)))
        # The first round opened one connection per thread; the pool kept them all for the next rounds.
        assert seen == {"connect": LISTENER_THREADS, "close": 0}
    finally:
        engine.dispose()
