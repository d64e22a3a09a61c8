"""PostgreSQL: a pooled connection is tested before use only once it has rested, not on every checkout."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, create_engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

from storage import db as storage_db
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(not TEST_DATABASE_URL, reason="pooled server connections: PostgreSQL")


def backend(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def terminate(database_url: str, pid: int) -> None:
    """End one server process from outside the pool under test, as a server restart or a proxy would."""
    admin = create_engine(database_url, poolclass=NullPool)
    with admin.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({pid})").scalar_one()
    admin.dispose()


def test_a_rested_connection_that_died_is_replaced_before_use(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    dead = backend(engine)
    terminate(database_url, dead)
    monkeypatch.setattr(storage_db, "IDLE_PING", 0.0)  # every connection has rested long enough
    assert backend(engine) != dead  # tested on checkout, found dead, replaced: no error reaches the statement


def test_a_connection_used_moments_ago_is_not_tested_again(
    engine: Engine, database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(storage_db, "IDLE_PING", 3600.0)
    dead = backend(engine)
    terminate(database_url, dead)
    # No round trip before the statement: it meets the dead connection, which invalidates the pool; the
    # units of work run such an error again (bot.services.retry), and the next checkout is a new connection.
    with pytest.raises(DBAPIError) as failed:
        backend(engine)
    assert failed.value.connection_invalidated
    assert backend(engine) != dead


def test_a_tested_connection_is_handed_out_idle(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    # A unit of work may set AUTOCOMMIT on it (storage.db.one_statement), which psycopg refuses in a transaction.
    monkeypatch.setattr(storage_db, "IDLE_PING", 0.0)
    backend(engine)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        assert connection.exec_driver_sql("SELECT 1").scalar_one() == 1
