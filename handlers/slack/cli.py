"""Command-line entry points for the Slack app: ``python -m bot web``, ``socket`` and ``serve``."""

from __future__ import annotations

import argparse
import threading
from typing import TYPE_CHECKING

from bot import wiring
from bot.commandline import HOST, Subparsers, arg, command
from bot.config import Settings
from handlers.slack.app import SlackApp, check_credentials
from handlers.slack.client import DEFAULT_TIMEOUT

if TYPE_CHECKING:
    from apscheduler.schedulers.base import BaseScheduler


def _http_app(args: argparse.Namespace, settings: Settings) -> SlackApp:
    wiring.require(
        "docs/slack.md", SLACK_BOT_TOKEN=settings.slack_bot_token, SLACK_SIGNING_SECRET=settings.slack_signing_secret
    )
    slack = wiring.slack_app(settings, timeout=args.slack_timeout)
    check_credentials(slack)
    return slack


def run_web(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.slack.server import serve

    serve(_http_app(args, settings), args.host, args.port or settings.port, threads=args.threads)
    return 0


def run_serve(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.slack.server import serve

    slack = _http_app(args, settings)
    clock = _Clock(slack, settings)
    try:
        # The web server answers from its first second; the scheduler's catch-up (a sweep and a digest
        # missed while nothing ran: minutes on a big board) runs beside it, not before it.
        serve(slack, args.host, args.port or settings.port, threads=args.threads, started=lambda _: clock.start())
    finally:
        clock.stop()
    return 0


CATCH_UP_STOP = 10.0  # seconds a stop waits for the catch-up's message in flight (a chat call's timeout)


class _Clock:
    """``serve``'s scheduler, started on a thread of its own: its catch-up run goes on while requests are answered."""

    def __init__(self, slack: SlackApp, settings: Settings) -> None:
        assert slack.bot.jobs is not None  # bot.wiring attached them
        self.jobs, self.settings = slack.bot.jobs, settings
        self.running: BaseScheduler | None = None
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scheduler-start", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def _run(self) -> None:
        from bot import scheduler

        running = scheduler.start(self.jobs, self.settings, background=True)
        self.running = running
        if self._stopped.is_set():  # stopped during the catch-up: do not go on to the schedule
            running.shutdown(wait=False)

    def stop(self) -> None:
        """As the clock process stops (bot.scheduler.stop): the message in flight finishes, the claims not
        started are released, whether the catch-up is still running or the schedule has begun."""
        from bot import scheduler

        self._stopped.set()
        self.jobs.stop()  # the catch-up's send loop, if it is still going, stops after its message in flight
        if self._thread.is_alive():
            self._thread.join(timeout=CATCH_UP_STOP)
        if self.running is not None:
            scheduler.stop(self.running, self.jobs)
        else:
            self.jobs.retire()


def run_socket(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.slack import socket_mode
    from handlers.slack.server import ServerThread, make_server, wsgi_app

    wiring.require("docs/slack.md", SLACK_BOT_TOKEN=settings.slack_bot_token, SLACK_APP_TOKEN=settings.slack_app_token)
    slack = wiring.slack_app(settings, timeout=args.slack_timeout, socket_mode=True)
    check_credentials(slack)
    health = None
    if args.healthz_port is not None:
        health = ServerThread(make_server(wsgi_app(slack), args.host, args.healthz_port, threads=2)).start()
    socket_mode.run(slack, settings.slack_app_token or "")
    if health is not None:
        health.stop()
    return 0


def register(commands: Subparsers) -> None:
    """Add the ``web``, ``socket`` and ``serve`` subcommands."""
    port = arg("--port", type=int, help="port (default $PORT, else 3000)")
    threads = arg("--threads", type=int, default=8, help="request threads (default 8)")
    timeout = arg("--slack-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per Slack API call")
    command(commands, "web", run_web, "run the Slack app over HTTP (production server)",
            "Serve the Slack app with waitress: POST /slack/events (slash commands, buttons, forms, events) "
            "and GET /healthz. Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; listens on $PORT.",
            HOST, port, threads, timeout)  # fmt: skip
    command(commands, "socket", run_socket, "run the Slack app in Socket Mode (no public URL)",
            "Connect to Slack over a WebSocket instead of receiving HTTP requests. Needs SLACK_BOT_TOKEN and "
            "SLACK_APP_TOKEN (xapp-..., scope connections:write).",
            arg("--healthz-port", type=int, help="also serve GET /healthz on this port"),
            arg("--host", default="0.0.0.0", help="address for --healthz-port (default 0.0.0.0)"),
            timeout)  # fmt: skip
    command(commands, "serve", run_serve, "web and scheduler in one process (the embedded default)",
            "Serve the Slack app over HTTP and run the scheduler (nudges, escalations, the digest) in the same "
            "process: for one machine on SQLite. With PostgreSQL and several web processes, run `web` and one "
            "`scheduler` instead (see the Procfile).",
            HOST, port, threads, timeout)  # fmt: skip
