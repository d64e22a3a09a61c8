"""Alembic environment: runs against the engine the bot passes in (or DATABASE_URL)."""

from alembic import context

from storage.models import Base

config = context.config
engine = config.attributes.get("engine")
if engine is None:  # plain `alembic` command line: fall back to the bot's settings
    from bot.config import Settings
    from storage.db import make_engine

    engine = make_engine(Settings.from_env().database_url)

with engine.begin() as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        on_version_apply=config.attributes.get("on_version_apply"),  # progress of `db upgrade`
    )
    context.run_migrations()
