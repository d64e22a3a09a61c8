"""The messages a command sends to other people go after its reply, on their own threads: hung DMs to the
chair hold neither the askers' replies nor the listener threads that answer everyone else."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from handlers.slack.app import LISTENER_THREADS, SlackApp, build_slack
from tests.fakes.slack import SlackSender, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import CHAIR, POLICE_LEAD, add_actions

PAT, CHAIR_ID = SLACK_IDS[POLICE_LEAD], SLACK_IDS[CHAIR]
HELD = 60.0  # Slack holds the DMs until the test stops it, and the messenger waits as long


@pytest.fixture
def slack(slack_settings: Settings, clock: FrozenClock) -> Iterator[SlackApp]:
    """The Slack app, waiting as long for a DM as Slack holds it: far longer than the test waits for replies."""
    bot = app.build(slack_settings, clock)
    slack = build_slack(bot, timeout=HELD)
    yield slack
    slack.close()
    bot.engine.dispose()


def test_hung_dms_to_the_chair_hold_no_reply(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    add_actions(db, LISTENER_THREADS)  # CC-10, CC-11, ... owned by Pat
    slack_api.hang("chat.postMessage", HELD, times=LISTENER_THREADS)  # every DM to the chair is held
    try:
        for n in range(10, 10 + LISTENER_THREADS):  # as many extension requests as listener threads
            assert sender.command(f"extend CC-{n} 30/12/2026 Training provider cancelled", PAT).status == 200
        assert sender.command("mine", PAT).status == 200
        # Every asker is answered, and the one more command too, while the DMs are held (had each listener
        # waited for its DM, every listener thread would be held and the last command would wait for the hold).
        replies = slack_api.wait_for(lambda api: len(api.responses()) == LISTENER_THREADS + 1 and api.responses())
        assert sum("requested" in shown(reply) for reply in replies) == LISTENER_THREADS
        held = slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
        assert {call.params["channel"] for call in held} == {CHAIR_ID}
    finally:
        slack_api.stop()  # the held DMs are let go, so the app's queued notices finish at once
