"""The core's composition: settings, engine, sessions, clock, services and jobs; bot.wiring adds the chat platforms."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock, SystemClock
from bot.config import Settings
from bot.jobs import Jobs
from bot.ports import Messenger
from bot.services import ActionService
from storage import db as storage_db


@dataclass
class Bot:
    """Everything a process needs, built once at start-up."""

    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    actions: ActionService
    jobs: Jobs | None = None  # the scheduled jobs of this process, once its messenger exists (attach_jobs)


def build(settings: Settings, clock: Clock | None = None, *, check_schema: bool = True) -> Bot:
    """Wire the bot for these settings; refuses an out-of-date schema unless told not to check."""
    clock = clock or SystemClock()
    engine = storage_db.make_engine(settings.database_url)
    if check_schema:
        storage_db.check_schema(engine)
    sessions = storage_db.make_sessionmaker(engine)
    bot: Bot
    bot = Bot(settings, clock, engine, sessions, ActionService(sessions, clock, settings, digests=lambda: bot.jobs))
    return bot


def attach_jobs(bot: Bot, messenger: Messenger, pause: Callable[[float], None] = time.sleep) -> Jobs:
    """The scheduled jobs, sending through ``messenger``; also what ``/action digest`` uses in this process.

    The messenger exists only once a platform's app is built on this bot, so the jobs come last;
    ActionService was given ``lambda: bot.jobs`` when it was built, and reads them from there.
    """
    jobs = Jobs(bot.sessions, bot.clock, bot.settings, bot.actions, messenger, pause=pause)
    bot.jobs = jobs
    return jobs
