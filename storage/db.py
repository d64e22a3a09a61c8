"""Engines, sessions and schema migrations (Alembic)."""

from __future__ import annotations

import functools
import json
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import (
    ARRAY,
    Engine,
    bindparam,
    cast,
    create_engine,
    event,
    exc,
    func,
    literal,
    make_url,
    select,
    text,
    true,
    type_coerce,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from storage import write_queue
from storage.models import Base

MIGRATIONS = Path(__file__).with_name("migrations")
# Connections kept open for reuse: more than a web process uses at once (8 listener threads, handlers.slack.app,
# and a scheduler's jobs), so that a busy minute neither opens nor closes any (a PostgreSQL one costs a process).
POOL_SIZE = 20
SQLITE_BEGIN = "sqlite_begin"  # a connection's execution option: how its transactions begin on SQLite


class SchemaOutOfDate(Exception):
    """The database schema is not at the migrations' head."""


def make_engine(url: str, **options: Any) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        database = make_url(url).database or ""
        queue = None if database in ("", ":memory:") or "memory" in url else write_queue.queue_for(database)
        connect_args = options.setdefault("connect_args", {})
        connect_args.setdefault("timeout", 15)
        if queue is not None:
            connect_args.setdefault("factory", write_queue.QueuedConnection)
            options.setdefault("pool_size", POOL_SIZE)
        engine = create_engine(url, **options)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(connection: Any, _record: Any) -> None:
            cursor = connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=15000")
            cursor.close()
            connection.isolation_level = None  # we say BEGIN ourselves (below)
            if isinstance(connection, write_queue.QueuedConnection):
                connection.write_queue = queue

        @event.listens_for(engine, "begin")
        def _sqlite_begin(connection: Any) -> None:
            # A unit of work that may write takes the write lock when it starts (BEGIN IMMEDIATE, waiting
            # out the busy timeout): SQLite cannot upgrade a WAL read snapshot to a write once another
            # writer committed, so a deferred BEGIN would fail concurrent updates with "database is
            # locked" instead of queueing them. A read (``read_only``) begins deferred and never takes
            # it, so it neither waits for writers nor holds them up; one statement (``one_statement``)
            # needs no transaction at all. Writers of this process (one statement's too) first wait for
            # their turn in line (storage.write_queue), so they meet SQLite's lock only one at a time.
            mode = connection.get_execution_options().get(SQLITE_BEGIN, "IMMEDIATE")
            dbapi_connection = connection.connection.dbapi_connection
            queue = getattr(dbapi_connection, "write_queue", None) if mode != "DEFERRED" else None
            if queue is not None:
                queue.take(dbapi_connection)
            if mode:
                try:
                    connection.exec_driver_sql(f"BEGIN {mode}")
                except BaseException:
                    if queue is not None:
                        queue.give_back(dbapi_connection)
                    raise

        return engine
    options.setdefault("pool_size", POOL_SIZE)
    engine = create_engine(url, **options)
    if not options.get("pool_pre_ping"):
        _ping_when_idle(engine)
    return engine


IDLE_PING = 10.0  # seconds a pooled connection may rest before it is tested on checkout


def _ping_when_idle(engine: Engine) -> None:
    """Test a pooled connection before use only when it has rested IDLE_PING seconds (SQLAlchemy's pre-ping
    tests every checkout: a round trip more for every command). A dead one is replaced before use (the pool
    opens another); one that died moments after use fails its first statement, which invalidates the pool
    and is run again as a transient error (bot.services.retry)."""

    @event.listens_for(engine, "checkin")
    def _rested_from(dbapi_connection: Any, record: Any) -> None:
        record.info["checked_in"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _test_if_rested(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        if time.monotonic() - record.info.get("checked_in", -math.inf) < IDLE_PING:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            dbapi_connection.rollback()  # psycopg began a transaction for the SELECT: leave the connection idle
        except Exception as error:  # noqa: BLE001 - any failure means: not usable
            raise exc.DisconnectionError(f"a pooled connection did not answer: {error}") from error


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """A session factory whose objects stay readable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def read_only(session: Session) -> Session:
    """Declare a unit of work that only reads, before its first statement: on SQLite it begins deferred and
    takes no write lock (PostgreSQL's reads take none anyway). Should it write after all, a concurrent
    writer may make it fail with "database is locked": bot.services.retry runs it again as a write."""
    session.connection(execution_options={SQLITE_BEGIN: "DEFERRED"})
    return session


@contextmanager
def one_connection(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session kept on one connection for many short transactions (``with session.begin():`` each): no
    checkout from the pool, and no liveness ping, per transaction."""
    engine = sessions.kw["bind"]
    with engine.connect() as connection, sessions(bind=connection) as session:
        yield session


@contextmanager
def one_statement(sessions: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose statements commit one by one, with no BEGIN (a single INSERT is atomic by itself):
    one statement on either database instead of a transaction around it."""
    engine = sessions.kw["bind"]
    options = {SQLITE_BEGIN: None} if engine.dialect.name == "sqlite" else {"isolation_level": "AUTOCOMMIT"}
    with engine.connect().execution_options(**options) as connection, sessions(bind=connection) as session:
        yield session
        session.commit()


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, revision: str = "head", *, applied: Callable[[str], None] | None = None) -> None:
    """Bring the schema to the given revision (``python -m bot db upgrade``); ``applied`` hears of each migration."""
    config = alembic_config(engine)
    if applied is not None:

        def on_version_apply(*, step: Any, **_: Any) -> None:
            applied(f"{step.up_revision_id} {step.up_revision.doc or ''}".strip())

        config.attributes["on_version_apply"] = on_version_apply
    command.upgrade(config, revision)


def pending_migrations(engine: Engine) -> int:
    """How many migrations ``upgrade`` would run to reach head."""
    script = ScriptDirectory.from_config(alembic_config(engine))
    return sum(1 for _ in script.iterate_revisions("heads", current_revision(engine) or "base"))


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config(create_engine("sqlite://"))).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def check_schema(engine: Engine) -> None:
    """Refuse to run against a schema that is not at head, saying which command fixes it."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        state = "has no tables yet" if current is None else f"is at revision {current}, not {head}"
        raise SchemaOutOfDate(
            f"The database {engine.url.render_as_string(hide_password=True)} {state}. Run: python -m bot db upgrade"
        )


def ping(engine: Engine) -> bool:
    """True when the database answers a trivial query."""
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        return True
    except Exception:  # noqa: BLE001 - any failure means "not reachable" for /healthz
        return False


def insert_ignoring_conflicts(
    session: Session,
    table: Any,
    rows: dict[str, Any] | list[dict[str, Any]],
    key: str,
    same: dict[str, Any] | None = None,
) -> int:
    """``INSERT ... ON CONFLICT (key) DO NOTHING``; returns how many rows this call inserted.

    Many rows (all with the same columns) go as one statement whose text does not depend on how many
    there are: an INSERT ... SELECT from one array per column (PostgreSQL's unnest()) or from one JSON
    array of rows (SQLite's json_each()). A column with one value in every row (the run, the time) is
    bound once, not once per row; ``same`` gives such columns, for every row, without looking for them.
    """
    rows = [rows] if isinstance(rows, dict) else rows
    if not rows:
        return 0
    same = same or {}
    postgres = session.get_bind().dialect.name == "postgresql"
    names = list(rows[0])
    if len(rows) > 1 and all(list(row) == names for row in rows):
        first = {**rows[0], **same}
        varying = [name for name in names if name not in same and any(row[name] != first[name] for row in rows)]
        names += [name for name in same if name not in names]
        source = _unnested if postgres else _json_rows
        columns = source(table, varying, rows)
        chosen = [columns[name] if name in columns else literal(first[name], table.c[name].type) for name in names]
        selected = select(*chosen) if postgres else select(*chosen).where(true())  # (SQLite: INSERT ... SELECT ...
        # WHERE, so that ON CONFLICT is not read as the SELECT's join clause)
        insert_many = postgresql.insert if postgres else sqlite.insert
        statement = insert_many(table).from_select(names, selected).on_conflict_do_nothing(index_elements=[key])
        # An INSERT's rowcount, kept: how many rows went in (a conflict is skipped), one statement, no RETURNING.
        return int(session.execute(statement.execution_options(preserve_rowcount=True)).rowcount)  # type: ignore[attr-defined]
    rows = [{**row, **same} for row in rows] if same else rows
    statement_one = _insert_returning(table, key, postgres)
    return len(session.execute(statement_one, rows[0] if len(rows) == 1 else rows).all())


@functools.lru_cache(maxsize=64)
def _insert_returning(table: Any, key: str, postgres: bool) -> Any:
    """The row-by-row INSERT ... ON CONFLICT DO NOTHING, built once per table (a seen request costs one per command).
    RETURNING tells inserted rows from skipped ones on both databases (rowcount does not, on psycopg)."""
    insert = postgresql.insert if postgres else sqlite.insert
    return insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])


def _unnested(table: Any, names: list[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """PostgreSQL: the varying columns as one array each, unnested side by side."""
    if not names:
        return {}
    arrays = [
        cast(bindparam(f"column_{n}", [row[name] for row in rows], type_=ARRAY(table.c[name].type)),
             ARRAY(table.c[name].type))
        for n, name in enumerate(names)
    ]  # fmt: skip
    unnested = func.unnest(*arrays).table_valued(*names).render_derived()
    return {name: unnested.c[name] for name in names}


def _json_rows(table: Any, names: list[str], rows: list[dict[str, Any]]) -> dict[str, Any]:
    """SQLite: the varying columns as one JSON array of rows, read back with json_each() (one bound string)."""
    if not names:
        return {}
    # Each value as the column's type binds it (a time stamp as SQLite stores it, an enum by name).
    dialect = sqlite.dialect()
    processors = [(name, table.c[name].type.bind_processor(dialect)) for name in names]
    values = [[row[name] if process is None else process(row[name]) for name, process in processors] for row in rows]
    each = func.json_each(bindparam("rows", json.dumps(values, default=str))).table_valued("value").alias("row")
    return {
        name: type_coerce(func.json_extract(each.c.value, f"$[{n}]"), table.c[name].type)
        for n, name in enumerate(names)
    }


__all__ = [
    "Base",
    "SchemaOutOfDate",
    "check_schema",
    "current_revision",
    "head_revision",
    "insert_ignoring_conflicts",
    "make_engine",
    "make_sessionmaker",
    "one_statement",
    "ping",
    "read_only",
    "upgrade",
]
