"""Command-line entry points for the Slack app: ``python -m bot web``, ``socket`` and ``serve``."""

from __future__ import annotations

import argparse
from typing import Any

from bot import wiring
from bot.config import Settings
from handlers.slack.app import SlackApp, check_credentials
from handlers.slack.client import DEFAULT_TIMEOUT

Subparsers = Any  # argparse's _SubParsersAction is private


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
    from bot import scheduler
    from handlers.slack.server import serve

    slack = _http_app(args, settings)
    assert slack.bot.jobs is not None  # bot.wiring attached them
    running = scheduler.start(slack.bot.jobs, settings, background=True)
    try:
        serve(slack, args.host, args.port or settings.port, threads=args.threads)
    finally:
        running.shutdown(wait=False)
    return 0


def run_socket(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.slack import socket_mode
    from handlers.slack.server import ServerThread, make_server, wsgi_app

    wiring.require("docs/slack.md", SLACK_BOT_TOKEN=settings.slack_bot_token, SLACK_APP_TOKEN=settings.slack_app_token)
    slack = wiring.slack_app(settings, timeout=args.slack_timeout, socket_mode=True)
    check_credentials(slack)
    if args.healthz_port is not None:
        ServerThread(make_server(wsgi_app(slack), args.host, args.healthz_port, threads=2)).start()
    socket_mode.run(slack, settings.slack_app_token or "")
    return 0


def register(commands: Subparsers) -> None:
    """Add the ``web`` and ``socket`` subcommands."""
    web = commands.add_parser(
        "web",
        help="run the Slack app over HTTP (production server)",
        description=(
            "Serve the Slack app with waitress: POST /slack/events (slash commands, buttons, forms, events) "
            "and GET /healthz. Needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET; listens on $PORT."
        ),
    )
    web.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    web.add_argument("--port", type=int, help="port (default $PORT, else 3000)")
    web.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    web.add_argument("--slack-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per Slack API call")
    web.set_defaults(run=run_web)
    socket = commands.add_parser(
        "socket",
        help="run the Slack app in Socket Mode (no public URL)",
        description=(
            "Connect to Slack over a WebSocket instead of receiving HTTP requests. Needs SLACK_BOT_TOKEN and "
            "SLACK_APP_TOKEN (xapp-..., scope connections:write)."
        ),
    )
    socket.add_argument("--healthz-port", type=int, help="also serve GET /healthz on this port")
    socket.add_argument("--host", default="0.0.0.0", help="address for --healthz-port (default 0.0.0.0)")
    socket.add_argument("--slack-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per Slack API call")
    socket.set_defaults(run=run_socket)
    both = commands.add_parser("serve", help="web and scheduler in one process (the embedded default)", description=(
        "Serve the Slack app over HTTP and run the scheduler (nudges, escalations, the digest) in the same "
        "process: for one machine on SQLite. With PostgreSQL and several web processes, run `web` and one "
        "`scheduler` instead (see the Procfile)."
    ))  # fmt: skip
    both.add_argument("--host", default="0.0.0.0", help="address to listen on (default 0.0.0.0)")
    both.add_argument("--port", type=int, help="port (default $PORT, else 3000)")
    both.add_argument("--threads", type=int, default=8, help="request threads (default 8)")
    both.add_argument("--slack-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per Slack API call")
    both.set_defaults(run=run_serve)
