"""The benchmark's board: people and actions in a database of the chosen size, and their Slack ids."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from unittest import mock

from bench import sweep_digest
from storage import db as storage_db

CHAIR = 1  # populate(): person 1 is the chair, persons 2.. are agency leads owning the actions


@dataclass(frozen=True)
class Board:
    """Who may send what on the populated database."""

    users: dict[str, str]  # Slack user id -> e-mail
    open_actions: list[tuple[str, str]]  # (ref, its owner's Slack user id)


def slack_id(person_id: int) -> str:
    return f"U{person_id:05d}"


def board(actions: int) -> Board:
    """The people and open actions that bench.sweep_digest.populate creates."""
    users = {slack_id(n + 1): f"p{n}@example.org" for n in range(sweep_digest.PEOPLE)}
    open_actions = [
        (f"R{n % 10}-{n}", slack_id(n % (sweep_digest.PEOPLE - 1) + 2)) for n in range(actions) if n % 5 in (0, 1, 2)
    ]
    return Board(users, open_actions)


def populate(url: str, actions: int) -> None:
    """Migrate and fill the database, with due dates around today (the web process runs on the real clock)."""
    engine = storage_db.make_engine(url)
    storage_db.upgrade(engine)
    with mock.patch.object(sweep_digest, "NOW", datetime.now(UTC)):
        sweep_digest.populate(engine, actions)
    engine.dispose()


@contextmanager
def database(backend: str, postgres: str | None, folder: Path) -> Iterator[str]:
    """A throwaway database: a SQLite file, or a schema of its own on PostgreSQL."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    url, drop = sweep_digest.postgres_schema(postgres or "")
    try:
        yield url
    finally:
        drop()
