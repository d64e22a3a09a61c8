"""The bot removed from the sub-group channel: every coordinator is told by DM, once; any other channel is ignored."""

from __future__ import annotations

import time

from tests.fakes.slack import SlackSender
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import DIGEST_CHANNEL, SLACK_IDS
from tests.helpers import COORDINATOR


def dms_to(api: FakeSlackApi, user_id: str) -> list[str]:
    return [
        str(call.params.get("text", ""))
        for call in api.calls_to("chat.postMessage")
        if call.params["channel"] == user_id
    ]


def test_removed_from_the_sub_group_channel_the_coordinator_is_told_once(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    event = {"type": "channel_left", "channel": DIGEST_CHANNEL, "actor_id": "U0SOMEONE", "event_ts": "1.1"}
    response = sender.event(event, event_id="Ev0LEFT1")
    assert response.status == 200
    [text] = slack_api.wait_for(lambda api: dms_to(api, SLACK_IDS[COORDINATOR]))
    assert "removed from the sub-group channel" in text and "/invite" in text and DIGEST_CHANNEL in text
    assert sender.event(event, event_id="Ev0LEFT1").status == 200  # Slack's retry of the same event
    time.sleep(0.3)
    assert len(dms_to(slack_api, SLACK_IDS[COORDINATOR])) == 1
    others = [c for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] != SLACK_IDS[COORDINATOR]]
    assert others == []  # only the coordinator: the chair and owners are not told


def test_leaving_a_private_sub_group_channel_is_told_too_and_other_channels_are_ignored(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    assert sender.event({"type": "group_left", "channel": "C0ELSEWHERE"}, event_id="Ev0LEFT2").status == 200
    time.sleep(0.3)
    assert slack_api.calls_to("chat.postMessage") == []
    assert sender.event({"type": "group_left", "channel": DIGEST_CHANNEL}, event_id="Ev0LEFT3").status == 200
    assert slack_api.wait_for(lambda api: dms_to(api, SLACK_IDS[COORDINATOR]))
