"""A signed request between 5 and 15 minutes old is refused end to end, over real HTTP, whatever it carries.

Slack signs the timestamp with the body; a request older than five minutes is a replay or a stuck
proxy. Each kind of request a person sends (a command, a click, a form, an event), signed correctly
but 5-15 minutes ago, gets 401, reaches no listener (nothing is sent to Slack) and writes nothing;
the same request four minutes old goes through.
"""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest
from sqlalchemy import Engine

from handlers.slack import blocks
from tests.fakes.slack import Sent, SlackSender
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import POLICE_LEAD, dump

PAT = SLACK_IDS[POLICE_LEAD]
Send = Callable[[SlackSender, int], Sent]

REQUESTS: dict[str, Send] = {
    "command": lambda sender, stamp: sender.command("update CC-1 on-track Trainer booked", PAT, timestamp=stamp),
    "click": lambda sender, stamp: sender.click(blocks.SHOW, "CC-1", PAT, timestamp=stamp),
    "event": lambda sender, stamp: sender.event(
        {"type": "app_home_opened", "user": PAT, "channel": "D0PAT", "tab": "home"}, timestamp=stamp
    ),
}


@pytest.mark.parametrize("minutes", [5.1, 6, 10, 14.9])
@pytest.mark.parametrize("send", REQUESTS.values(), ids=REQUESTS.keys())
def test_a_signed_request_5_to_15_minutes_old_is_refused(
    send: Send, minutes: float, board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine
) -> None:
    before = dump(engine)
    sent = send(sender, int(time.time() - minutes * 60))
    assert sent.status == 401
    time.sleep(0.3)  # had a listener started, it would have called Slack by now
    assert slack_api.calls == []
    assert dump(engine) == before


@pytest.mark.parametrize("send", REQUESTS.values(), ids=REQUESTS.keys())
def test_the_same_request_four_minutes_old_goes_through(
    send: Send, board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    assert send(sender, int(time.time() - 4 * 60)).status == 200
    slack_api.wait_for(lambda api: api.calls)
