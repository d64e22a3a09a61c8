"""Command-line entry points for Teams: ``python -m bot teams`` and ``python -m bot teams-package``."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot import wiring
from bot.commandline import HOST, Subparsers, arg, command
from bot.config import ConfigError, Settings
from handlers.teams import DEFAULT_TIMEOUT


def run_teams(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.teams.server import serve

    wiring.require("docs/teams.md", TEAMS_APP_ID=settings.teams_app_id, TEAMS_APP_PASSWORD=settings.teams_app_password)
    teams = wiring.teams_app(settings, timeout=args.teams_timeout)
    try:
        serve(teams, args.host, args.port or settings.teams_port)
    finally:
        teams.close()
    return 0


def run_package(args: argparse.Namespace, settings: Settings) -> int:
    from handlers.teams.package import PackageError, build_package

    app_id = args.app_id or settings.teams_app_id
    if not app_id:
        raise ConfigError("Set TEAMS_APP_ID (or pass --app-id): the package names the bot by its Entra app id.")
    try:
        path = build_package(
            Path(args.out),
            app_id,
            website=args.website,
            privacy=args.privacy_url,
            terms=args.terms_url,
            developer=args.developer,
        )
    except PackageError as error:
        raise ConfigError(str(error)) from None
    print(f"Wrote {path}: upload it in Teams (Apps → Manage your apps → Upload an app). See docs/teams.md.")
    return 0


def register(commands: Subparsers) -> None:
    """Add the ``teams`` and ``teams-package`` subcommands."""
    command(commands, "teams", run_teams, "run the Teams app (POST /api/messages)",
            "Serve the Teams bot with uvicorn: POST /api/messages (messages, card buttons, installs; every request "
            "must carry Bot Framework's signed token) and GET /healthz. Needs TEAMS_APP_ID and TEAMS_APP_PASSWORD "
            "(and TEAMS_TENANT_ID for a single-tenant app); listens on $TEAMS_PORT (default 3978).",
            HOST, arg("--port", type=int, help="port (default $TEAMS_PORT, else 3978)"),
            arg("--teams-timeout", type=float, default=DEFAULT_TIMEOUT, help="seconds per call to Teams"))  # fmt: skip
    command(commands, "teams-package", run_package, "build the Teams app package (dist/teams-app.zip)",
            "Zip teams/manifest.json (with the bot's Entra app id filled in) and the icons into the package you "
            "upload to Teams or the Teams admin centre.",
            arg("--app-id", help="the bot's Entra application (client) id (default $TEAMS_APP_ID)"),
            arg("--website", help="the board's own https:// website (required)"),
            arg("--privacy-url", help="the board's https:// privacy statement (required)"),
            arg("--terms-url", help="the board's https:// terms of use (required)"),
            arg("--developer", default="Safeguarding partnership", help="who publishes the app"),
            arg("--out", default="dist/teams-app.zip", help="where to write the zip"))  # fmt: skip
