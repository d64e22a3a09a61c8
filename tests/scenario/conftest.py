"""Each surface wired to a fresh database holding the demo plans, on the frozen clock."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import app
from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.demo import load_demo
from handlers.slack.app import build_slack
from handlers.slack.server import ServerThread as SlackServer
from handlers.slack.server import make_server, wsgi_app
from handlers.teams.app import Unauthenticated, build_teams
from handlers.teams.server import ServerThread as TeamsServer
from storage.models import Person
from tests.fakes.slack import SECRET, TOKEN, SlackSender
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.teams import TeamsSender, TeamsUser, fake_token
from tests.fakes.teams_connector import FakeConnector
from tests.scenario.drivers import ConsoleDriver, SlackDriver, TeamsDriver


@pytest.fixture
def people(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> dict[str, str]:
    """The demo plans loaded today: the board's people, e-mail -> name."""
    load_demo(db, today=local_today(clock, settings.timezone), now=clock.now())
    with db() as session:
        return {person.email: person.name for person in session.scalars(select(Person))}


@pytest.fixture
def console_driver(people: dict[str, str], settings: Settings, clock: FrozenClock) -> Iterator[ConsoleDriver]:
    bot = app.build(settings, clock)
    yield ConsoleDriver(bot.actions)
    bot.engine.dispose()


@pytest.fixture
def slack_driver(people: dict[str, str], settings: Settings, clock: FrozenClock) -> Iterator[SlackDriver]:
    with FakeSlackApi() as api:
        user_ids = {email: f"U{index:04d}" for index, email in enumerate(sorted(people))}
        for email, user_id in user_ids.items():
            api.add_user(user_id, email, people[email])
        slack_settings = replace(settings, slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=api.url)
        slack = build_slack(app.build(slack_settings, clock), timeout=2.0)
        server = SlackServer(make_server(wsgi_app(slack), "127.0.0.1", 0, threads=4, loop_timeout=0.1)).start()
        yield SlackDriver(SlackSender(server.url, api), api, user_ids)
        server.stop()
        slack.close()
        slack.bot.engine.dispose()


@pytest.fixture
def teams_driver(people: dict[str, str], settings: Settings, clock: FrozenClock) -> Iterator[TeamsDriver]:
    with FakeConnector() as connector:
        users = {email: TeamsUser.make(email, name) for email, name in people.items()}
        for user in users.values():
            connector.add_member(user.member_id, aad=user.aad, email=user.email, name=user.name)
        teams = build_teams(app.build(settings, clock), timeout=2.0, testing=Unauthenticated(token=fake_token))
        server = TeamsServer(teams).start()
        sender = TeamsSender(server.url, connector)
        for user in users.values():  # everyone has the app, so messages to them go to Teams
            assert sender.install(user).status == 200
        connector.reset()
        yield TeamsDriver(sender, connector, users)
        server.stop()
        teams.close()
        teams.bot.engine.dispose()
