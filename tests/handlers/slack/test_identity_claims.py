"""Nobody takes another's place: a second Slack account showing the chair's e-mail is refused, over real HTTP.

An e-mail match binds a Slack account only to a person with no Slack id yet. Another account whose
profile later shows the same e-mail is refused with a plain sentence; the person and the
coordinator are told by DM; the stored id is kept; only the coordinator's ``/action link`` moves it.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Person
from tests.fakes.slack import SlackSender, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import CHAIR, COORDINATOR, dump

CHAIR_ID, COORDINATOR_ID = SLACK_IDS[CHAIR], SLACK_IDS[COORDINATOR]
IMPOSTOR = "U0HELEN2"  # a second account whose Slack profile shows the chair's e-mail
REFUSED = "The e-mail on this Slack account belongs to someone the board knows under another Slack account"


def ask(sender: SlackSender, api: FakeSlackApi, text: str, user_id: str) -> str:
    before = len(api.responses())
    assert sender.command(text, user_id).status == 200
    api.wait_for(lambda a: len(a.responses()) > before)
    return shown(api.responses()[before])


def dms(api: FakeSlackApi, user_id: str) -> list[str]:
    return [
        f"{call.params.get('text', '')}\n{shown({'blocks': call.params.get('blocks') or []})}"
        for call in api.calls_to("chat.postMessage")
        if call.params["channel"] == user_id
    ]


def slack_id(db: sessionmaker[Session], person_id: int) -> str | None:
    with db() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.slack_user_id


def test_a_second_account_with_the_chairs_e_mail_is_refused_and_only_the_coordinator_relinks(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session], engine: Engine
) -> None:
    assert "Your actions, Helen Chair" in ask(sender, slack_api, "mine", CHAIR_ID)  # bound by e-mail, first time
    assert slack_id(db, board[CHAIR]) == CHAIR_ID
    slack_api.add_user(IMPOSTOR, CHAIR, "Helen Chair")
    before = dump(engine)

    answer = ask(sender, slack_api, "signoff CC-4", IMPOSTOR)
    assert REFUSED in answer and "nothing was shown or changed" in answer
    assert "Helen Chair" not in answer and "CC-4" not in answer  # not answered as the chair
    assert "Your actions" not in ask(sender, slack_api, "mine", IMPOSTOR)
    assert slack_id(db, board[CHAIR]) == CHAIR_ID  # the stored id unchanged
    told = slack_api.wait_for(lambda api: dms(api, CHAIR_ID) and dms(api, COORDINATOR_ID) and api)
    [to_chair], [to_coordinator] = dms(told, CHAIR_ID), dms(told, COORDINATOR_ID)  # told once, not per attempt
    assert f"Another Slack account ({IMPOSTOR}) whose profile shows your e-mail address ({CHAIR})" in to_chair
    assert (
        f"A Slack account ({IMPOSTOR}) whose profile shows the e-mail of Helen Chair &lt;{CHAIR}&gt; was refused"
        in to_coordinator
    )
    assert f"/action link {CHAIR} @them" in to_coordinator
    changed = dump(engine)
    assert {name: rows for name, rows in changed.items() if name not in ("seen_request", "person")} == {
        name: rows for name, rows in before.items() if name not in ("seen_request", "person")
    }  # nothing signed off; only the coordinator's Slack id, found to DM them, was kept

    # The chair cannot move it; the coordinator can.
    assert "Only the coordinator can link" in ask(sender, slack_api, f"link {CHAIR} <@{IMPOSTOR}|helen>", CHAIR_ID)
    linked = ask(sender, slack_api, f"link {CHAIR} <@{IMPOSTOR}|helen>", COORDINATOR_ID)
    assert f"Linked: that Slack account is now Helen Chair &lt;{CHAIR}&gt;." in linked
    assert slack_id(db, board[CHAIR]) == IMPOSTOR
    assert "Your actions, Helen Chair" in ask(sender, slack_api, "mine", IMPOSTOR)
    assert REFUSED in ask(sender, slack_api, "mine", CHAIR_ID)  # the old account is now the one refused
