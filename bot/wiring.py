"""The composition root: the one place the chat platforms are built and joined to the core.

``bot.app.build`` wires the platform-neutral core (settings, engine, sessions, clock, services);
this module adds what a process needs to talk to people: the messengers, the jobs sending through
them, the Slack and Teams apps and the console. Besides the entry point (``bot/__main__.py``) it is
the only module in ``bot/`` that imports a chat platform; tests/test_layering.py keeps it so.
"""

from __future__ import annotations

import sys
from dataclasses import replace
from typing import TYPE_CHECKING, TextIO

from bot import app
from bot.clock import Clock, FrozenClock, SystemClock
from bot.config import ConfigError, Settings
from bot.jobs import Jobs
from bot.ports import Messenger, NoMessenger
from bot.routing import messenger_for
from handlers.slack.app import SlackApp, build_slack
from handlers.slack.client import DEFAULT_TIMEOUT, SlackStatus, make_client
from handlers.slack.messenger import SlackMessenger
from storage import db as storage_db

if TYPE_CHECKING:
    from handlers.teams.app import TeamsApp

CHAT_TIMEOUT = 10.0  # seconds per call to a chat platform's API


def require(doc: str, **needed: str | None) -> None:
    """Refuse to start a server without the settings it needs, naming them and where they are explained."""
    missing = [name for name, value in needed.items() if not value]
    if missing:
        raise ConfigError(f"{', '.join(missing)} must be set: see {doc}.")


def slack_messenger(bot: app.Bot, timeout: float = DEFAULT_TIMEOUT) -> SlackMessenger:
    """A Slack messenger for a process without the Bolt app (the clock, the digest command, Teams)."""
    status = SlackStatus()
    return SlackMessenger(make_client(bot.settings, status, timeout=timeout), bot.sessions, status)


def chat_messenger(bot: app.Bot, *, slack: Messenger | None = None, timeout: float = CHAT_TIMEOUT) -> Messenger:
    """The chat port for scheduled messages: Slack, Teams, or both (each person on the platform that reaches them)."""
    if slack is None and bot.settings.slack_bot_token:
        slack = slack_messenger(bot, timeout)
    teams = None
    if bot.settings.teams_app_id:
        from handlers.teams.app import teams_messenger  # the Teams SDK loads only where Teams is set up

        teams = teams_messenger(bot, timeout=timeout)
    try:
        return messenger_for(slack=slack, teams=teams)
    except ValueError as error:
        raise ConfigError(f"{error} (see docs/slack.md or docs/teams.md).") from None


def scheduled_jobs(settings: Settings, *, timeout: float = CHAT_TIMEOUT, send: bool = True) -> Jobs:
    """The clock process's jobs, sending through the configured platforms (or nothing, to print the digest)."""
    bot = app.build(settings)
    return app.attach_jobs(bot, chat_messenger(bot, timeout=timeout) if send else NoMessenger())


def slack_app(settings: Settings, *, timeout: float, socket_mode: bool = False) -> SlackApp:
    """The Slack app, its jobs (for /action digest, and the scheduler in ``serve``) sending through it."""
    slack = build_slack(app.build(settings), timeout=timeout, socket_mode=socket_mode)
    app.attach_jobs(slack.bot, chat_messenger(slack.bot, slack=slack.messenger))
    return slack


def teams_app(settings: Settings, *, timeout: float) -> TeamsApp:
    """The Teams app; notices to people on Slack go there when the board uses Slack too."""
    from handlers.teams.app import build_teams

    bot = app.build(settings)
    slack = slack_messenger(bot) if settings.slack_bot_token else None
    teams = build_teams(bot, slack=slack, timeout=timeout)
    app.attach_jobs(bot, teams.notifier)  # for /action digest; the clock process runs the scheduler
    return teams


def run_console(settings: Settings, as_email: str | None, *, demo: bool, lines: TextIO = sys.stdin) -> int:
    """A terminal chat on the services, with jobs that 'send' into the terminal (``/tick`` moves a demo's clock)."""
    from bot.demo import load_demo
    from handlers.console import Console, ConsoleMessenger, tick

    clock: Clock = FrozenClock(SystemClock().now()) if demo else SystemClock()
    if demo:
        storage_db.upgrade(storage_db.make_engine(settings.database_url))
        settings = replace(settings, digest_channel=settings.digest_channel or "safeguarding-scr-subgroup")
    bot = app.build(settings, clock)
    email = as_email
    if demo:
        summary = load_demo(bot.sessions, today=bot.actions.today(), now=clock.now())
        email = email or summary.first_email
        print(summary.render())
    shell = Console(bot.actions, email)
    jobs = app.attach_jobs(bot, ConsoleMessenger(shell), pause=lambda _: None)
    if isinstance(clock, FrozenClock):
        demo_clock = clock
        shell.extra["/tick"] = lambda words: tick(demo_clock, jobs, words)
    shell.run(lines)
    return 0
