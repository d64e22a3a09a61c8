"""App Home: opening the Home tab publishes the person's own actions, and the chair's summary."""

from __future__ import annotations

import json
import time

from sqlalchemy.orm import Session, sessionmaker

from tests.fakes.slack import SlackSender, buttons, shown, view_of
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS, STRANGER
from tests.helpers import CHAIR, POLICE_LEAD, add_actions


def open_home(sender: SlackSender, api: FakeSlackApi, user_id: str) -> dict:
    event = {"type": "app_home_opened", "user": user_id, "channel": "D0X", "tab": "home", "event_ts": "1.1"}
    assert sender.event(event).status == 200
    [call] = api.wait_for(lambda a: a.calls_to("views.publish"))
    assert call.params["user_id"] == user_id
    view = view_of(call)
    assert view["type"] == "home" and len(view["blocks"]) <= 100
    return view


def test_home_shows_my_actions_with_rag_due_dates_and_buttons(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    home = open_home(sender, slack_api, SLACK_IDS[POLICE_LEAD])
    text = shown(home)
    assert "*Your actions, Pat Lead* (2)" in text
    assert "*CC-1* · 🟢 Green · due Fri 1 May 2026" in text
    assert "*CC-3* · 🔵 Blue · due Sat 4 Apr 2026" in text
    assert "Outstanding across the board" not in text  # the chair's alone
    assert ("Post update", "open_update_form", "CC-1") in buttons(home)
    assert not [b for b in buttons(home) if b[2] == "CC-3"]  # complete: nothing left to do


def test_the_chair_also_sees_the_outstanding_summary(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    text = shown(open_home(sender, slack_api, SLACK_IDS[CHAIR]))
    assert "*Your actions, Helen Chair* (1)" in text
    assert "*Outstanding across the board*: 2 open, 1 overdue" in text
    assert text.index("*CC-2* · 🔴 Red") < text.index("*CC-1* · 🟢 Green")


def test_someone_unknown_sees_whom_to_ask(board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi) -> None:
    text = shown(open_home(sender, slack_api, STRANGER))
    assert "I don't know you yet" in text and "coordinator" in text


def test_the_messages_tab_publishes_nothing(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    event = {"type": "app_home_opened", "user": SLACK_IDS[CHAIR], "channel": "D0X", "tab": "messages"}
    assert sender.event(event).status == 200
    time.sleep(0.3)
    assert slack_api.calls_to("views.publish") == []


def test_home_pages_through_many_actions(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    add_actions(db, 23, owner=POLICE_LEAD)
    home = open_home(sender, slack_api, SLACK_IDS[POLICE_LEAD])
    assert "Your actions: page 1 of 3" in shown(home)
    [(label, action_id, value)] = [b for b in buttons(home) if b[1].startswith("home_page")]
    assert label == "Next" and json.loads(value) == {"mine": 2, "outstanding": 1}
    slack_api.reset()
    sender.click(action_id, value, SLACK_IDS[POLICE_LEAD], in_home=True)
    [call] = slack_api.wait_for(lambda api: api.calls_to("views.publish"))
    assert "Your actions: page 2 of 3" in shown(view_of(call))
