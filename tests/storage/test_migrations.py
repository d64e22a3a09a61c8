"""The migrations build the schema the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from storage import db as storage_db
from storage.models import Base


def test_head_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), Base.metadata)
    assert differences == []
    assert storage_db.current_revision(engine) == storage_db.head_revision()


def test_every_table_is_created(engine: Engine) -> None:
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())


def test_an_empty_database_is_refused_with_the_command_that_fixes_it(tmp_path) -> None:
    empty = storage_db.make_engine(f"sqlite:///{tmp_path / 'empty.db'}")
    with pytest.raises(storage_db.SchemaOutOfDate, match="python -m bot db upgrade"):
        storage_db.check_schema(empty)
    storage_db.upgrade(empty)
    storage_db.check_schema(empty)


def test_an_old_schema_is_refused(engine: Engine) -> None:
    head = storage_db.head_revision()
    with engine.begin() as connection:
        connection.exec_driver_sql("UPDATE alembic_version SET version_num = 'old'")
    try:
        with pytest.raises(storage_db.SchemaOutOfDate, match="revision old"):
            storage_db.check_schema(engine)
    finally:  # on PostgreSQL the run's schema is shared by the tests that follow
        with engine.begin() as connection:
            connection.exec_driver_sql(f"UPDATE alembic_version SET version_num = '{head}'")
