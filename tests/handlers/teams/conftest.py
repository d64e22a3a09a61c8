"""Fixtures for the Teams app: the stand-in connector, the real app served by uvicorn, Teams users."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from handlers.teams.app import TeamsApp, Unauthenticated, build_teams
from handlers.teams.server import ServerThread
from tests.fakes.teams import TeamsSender, TeamsUser, fake_token
from tests.fakes.teams_connector import FakeConnector
from tests.helpers import NAMES

TIMEOUT = 2.0  # seconds per call to Teams in tests
USERS = {email: TeamsUser.make(email, name) for email, name in NAMES.items()}
STRANGER = TeamsUser.make("stranger@elsewhere.example.org", "Stranger")


@pytest.fixture
def connector() -> Iterator[FakeConnector]:
    """Teams' connector on a loopback port, knowing the board's people (and a stranger) as members."""
    with FakeConnector() as fake:
        for user in [*USERS.values(), STRANGER]:
            fake.add_member(user.member_id, aad=user.aad, email=user.email, name=user.name)
        yield fake


@pytest.fixture
def teams_settings(settings: Settings) -> Settings:
    return replace(settings, teams_tenant_id="tenant-1")


@pytest.fixture
def teams(teams_settings: Settings, clock: FrozenClock) -> Iterator[TeamsApp]:
    """The Teams app wired to the test database; authentication explicitly off, a fake token out."""
    bot = app.build(teams_settings, clock)
    teams = build_teams(bot, timeout=TIMEOUT, testing=Unauthenticated(token=fake_token))
    app.attach_jobs(bot, teams.notifier)
    yield teams
    teams.close()
    bot.engine.dispose()


@pytest.fixture
def app_server(teams: TeamsApp) -> Iterator[str]:
    """The real ASGI app served by uvicorn on 127.0.0.1 (the teams command's server code); its base URL."""
    server = ServerThread(teams).start()
    yield server.url
    server.stop()


@pytest.fixture
def sender(app_server: str, connector: FakeConnector) -> TeamsSender:
    return TeamsSender(app_server, connector)
