"""The messages a click sends to other people go after its answer: a hung DM to the chair holds nothing."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from handlers.teams.app import TeamsApp, Unauthenticated, build_teams
from tests.fakes.teams import TeamsSender, fake_token, invoke_card, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import CHAIR, POLICE_LEAD

PAT, CHAIR_USER = USERS[POLICE_LEAD], USERS[CHAIR]
HELD = 60.0  # the chair's chat holds the DM until the test ends (the connector stops), and the messenger waits


@pytest.fixture
def teams(teams_settings: Settings, clock: FrozenClock) -> Iterator[TeamsApp]:
    """The Teams app, waiting as long for Teams as Teams holds the DM: longer than the test's HTTP client."""
    bot = app.build(teams_settings, clock)
    teams = build_teams(bot, timeout=HELD, testing=Unauthenticated(token=fake_token))
    yield teams
    teams.close()
    bot.engine.dispose()


def test_a_hung_dm_to_the_chair_does_not_hold_the_card_clicks_answer(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector
) -> None:
    sender.install(CHAIR_USER)
    sender.install(PAT)
    connector.reset()
    connector.hang(CHAIR_USER.chat, HELD)
    card = invoke_card(
        sender.click(PAT, "submit", {"ref": "CC-1", "form": "extend", "due": "2026-06-30", "reason": "Files late"})
    )
    # Answered while the DM telling the chair is held in Teams (had the click waited for it, the click
    # would have waited for the whole hold, longer than the sender waits for an answer).
    assert "Extension for CC-1 to Tue 30 Jun 2026 requested" in shown(card)
    [held] = connector.wait_for(lambda c: c.messages(CHAIR_USER.chat))
    assert "asks to move CC-1" in str(held.body)
