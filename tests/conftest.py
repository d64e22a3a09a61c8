"""Shared fixtures: settings, a movable clock, and an empty schema built by Alembic for every test.

The suite runs on SQLite by default. Set TEST_DATABASE_URL to a PostgreSQL URL to run it
there too (CI does both); each run then works in a schema of its own, and a server that
does not answer fails the run rather than skipping it.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from storage import db as storage_db
from storage.models import Base
from tests.helpers import seed_board

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "").strip()


def _postgres_schema_url(url: str, schema: str) -> str:
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options={quote(f'-csearch_path={schema}')}"


@pytest.fixture(scope="session")
def database_template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """Migrate an empty database to head once per run; tests get copies (SQLite) or truncations (PostgreSQL)."""
    if not TEST_DATABASE_URL:
        path = tmp_path_factory.mktemp("template") / "template.db"
        engine = storage_db.make_engine(f"sqlite:///{path}")
        storage_db.upgrade(engine)
        engine.dispose()  # the last connection to close folds the WAL into the file we copy
        yield str(path)
        return
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = storage_db.make_engine(TEST_DATABASE_URL)
    with admin.begin() as connection:  # fails the run if PostgreSQL does not answer
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    url = _postgres_schema_url(TEST_DATABASE_URL, schema)
    engine = storage_db.make_engine(url)
    storage_db.upgrade(engine)
    engine.dispose()
    try:
        yield url
    finally:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture
def database_url(database_template: str, tmp_path: Path) -> str:
    """The URL of an empty, migrated database for this test alone."""
    if not TEST_DATABASE_URL:
        path = tmp_path / "actions.db"
        shutil.copyfile(database_template, path)
        return f"sqlite:///{path}"
    engine = storage_db.make_engine(database_template)
    tables = ", ".join(f'"{table.name}"' for table in Base.metadata.sorted_tables)
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return database_template


@pytest.fixture
def engine(database_url: str) -> Iterator[Engine]:
    engine = storage_db.make_engine(database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def db(engine: Engine) -> sessionmaker[Session]:
    """A session factory on an empty schema built by Alembic."""
    return storage_db.make_sessionmaker(engine)


@pytest.fixture
def clock() -> FrozenClock:
    """A frozen clock at 10:00 London time on Wednesday 1 April 2026; tests move it."""
    return FrozenClock(datetime(2026, 4, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def settings(database_url: str) -> Settings:
    return replace(Settings.from_env({}), database_url=database_url)


@pytest.fixture
def board(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> dict[str, int]:
    """The seeded board (tests.helpers.seed_board): e-mail -> person id. The one board fixture."""
    return seed_board(db, local_today(clock, settings.timezone))
