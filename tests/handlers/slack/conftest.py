"""Fixtures for the Slack app: the fake Web API, the real app served by waitress, signed requests."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import replace

import pytest

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from handlers.slack.app import SlackApp, build_slack
from handlers.slack.server import ServerThread, make_server, wsgi_app
from tests.fakes.slack import SECRET, TOKEN, SlackSender
from tests.fakes.slack import sign as sign_request
from tests.fakes.slack_api import FakeSlackApi
from tests.helpers import CHAIR, COORDINATOR, CSC_LEAD, MEMBER, NAMES, POLICE_LEAD, POLICE_OTHER

# Slack user ids of the seeded board (tests.helpers.seed_board), as the fake workspace knows them.
SLACK_IDS = {
    CHAIR: "U0CHAIR",
    COORDINATOR: "U0COORD",
    POLICE_LEAD: "U0PAT",
    POLICE_OTHER: "U0SAM",
    CSC_LEAD: "U0CARA",
    MEMBER: "U0MO",
}
STRANGER = "U0STRANGER"  # in the workspace, unknown to the board
DIGEST_CHANNEL = "C0DIGEST"
TIMEOUT = 2.0  # seconds per Slack API call in tests


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    """Slack's Web API on a loopback port, with the board's people as workspace members."""
    with FakeSlackApi() as api:
        for email, user_id in SLACK_IDS.items():
            api.add_user(user_id, email, NAMES[email])
        api.add_user(STRANGER, "stranger@elsewhere.example.org", "Stranger")
        yield api


@pytest.fixture
def slack_settings(settings: Settings, slack_api: FakeSlackApi) -> Settings:
    return replace(
        settings,
        slack_bot_token=TOKEN,
        slack_signing_secret=SECRET,
        slack_api_url=slack_api.url,
        digest_channel=DIGEST_CHANNEL,
    )


@pytest.fixture
def slack(slack_settings: Settings, clock: FrozenClock) -> Iterator[SlackApp]:
    """The Slack app wired to the test database and the fake Web API."""
    bot = app.build(slack_settings, clock)
    slack = build_slack(bot, timeout=TIMEOUT)
    yield slack
    slack.close()
    bot.engine.dispose()


@pytest.fixture
def app_server(slack: SlackApp) -> Iterator[str]:
    """The real WSGI app served by waitress on 127.0.0.1 (the web command's server code); its base URL."""
    server = ServerThread(make_server(wsgi_app(slack), "127.0.0.1", 0, threads=4, loop_timeout=0.1)).start()
    yield server.url
    server.stop()
    slack.close()  # listeners still running finish before the database goes away


@pytest.fixture
def sign() -> Callable[..., dict[str, str]]:
    """sign(body, timestamp=None, secret=SECRET): the headers Slack would send with ``body``."""
    return sign_request


@pytest.fixture
def sender(app_server: str, slack_api: FakeSlackApi) -> SlackSender:
    """Sends signed slash commands, clicks, form submissions and events to the app."""
    return SlackSender(app_server, slack_api)
