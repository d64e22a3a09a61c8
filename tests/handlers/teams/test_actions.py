"""Card buttons (Action.Execute) over real HTTP: forms open in place, validate in place, and close into the result."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.teams.app import TeamsApp
from storage.models import Action, ExtensionRequest, ExtensionState, Status, Update
from tests.fakes.teams import (
    GENERAL,
    SUBGROUP,
    TeamsSender,
    actions_of,
    cards_of,
    inputs_of,
    invoke_card,
    shown,
)
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.handlers.teams.test_messages import history
from tests.helpers import CHAIR, POLICE_LEAD, dump

PAT, CHAIR_USER = USERS[POLICE_LEAD], USERS[CHAIR]


def test_details_replaces_the_card_with_the_whole_action(board: dict[str, int], sender: TeamsSender) -> None:
    card = invoke_card(sender.click(PAT, "show", {"ref": "CC-1"}))
    text = shown(card)
    assert "CC-1 · SCR Child C (CC)" in text and "Owner: Pat Lead" in text and "Due: due Fri 1 May 2026" in text
    assert [title for title, _, _ in actions_of(card)] == ["Post update", "Mark complete", "Request extension"]


def test_post_update_opens_the_form_and_a_good_submission_closes_it(
    board: dict[str, int], sender: TeamsSender, db: sessionmaker[Session]
) -> None:
    form = invoke_card(sender.click(PAT, "form", {"ref": "CC-1", "form": "update"}))
    assert "Post an update on CC-1" in shown(form) and set(inputs_of(form)) == {"rag", "note"}
    [(_, verb, data)] = [a for a in actions_of(form) if a[0] == "Post update"]
    typed = {"rag": "off-track", "note": "Staff shortage: audit postponed"}
    done = invoke_card(sender.click(PAT, verb, {**data, **typed}))
    assert "✅ Update recorded for CC-1 (off track)." in shown(done)
    assert history(db, "CC-1") == [("update", "teams", "Staff shortage: audit postponed")]


def test_a_missing_note_keeps_the_form_with_the_error_and_what_was_typed(
    board: dict[str, int], sender: TeamsSender, engine: Engine
) -> None:
    before = dump(engine)
    card = invoke_card(sender.click(PAT, "submit", {"ref": "CC-1", "form": "update", "rag": "at-risk", "note": "  "}))
    text = shown(card)
    assert "Nothing was saved" in text and "Write what has happened since the last update." in text
    assert inputs_of(card)["rag"] == "at-risk"
    after = dump(engine)
    assert all(after[table] == before[table] for table in ("action", "action_update", "extension_request"))


def test_identifying_data_is_refused_under_the_field_and_nothing_is_stored(
    board: dict[str, int], sender: TeamsSender, db: sessionmaker[Session]
) -> None:
    note = "Spoke to mum, NHS number 943 476 5919"
    card = invoke_card(sender.click(PAT, "submit", {"ref": "CC-1", "form": "update", "note": note}))
    text = shown(card)
    assert "NHS number" in text and inputs_of(card)["note"] == note  # the text stays, to be corrected
    assert history(db, "CC-1") == []


def test_an_extension_date_in_the_past_is_shown_under_the_date(board: dict[str, int], sender: TeamsSender) -> None:
    card = invoke_card(
        sender.click(PAT, "submit", {"ref": "CC-1", "form": "extend", "due": "2026-03-01", "reason": ""})
    )
    text = shown(card)
    assert "Give the reason the chair will read." in text
    assert inputs_of(card)["due"] == "2026-03-01"
    assert "2026" in text.split("New due date")[1]  # the date's own error follows the date field


def test_the_extension_request_reaches_the_chair_who_approves_from_the_card(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    sender.install(CHAIR_USER)  # the chair has the app: Teams carries their messages
    sender.install(PAT)
    connector.reset()
    card = invoke_card(
        sender.click(PAT, "submit", {"ref": "CC-1", "form": "extend", "due": "2026-06-30", "reason": "Files late"})
    )
    assert "Extension for CC-1 to Tue 30 Jun 2026 requested" in shown(card)
    [request] = connector.wait_for(lambda c: c.messages(CHAIR_USER.chat))  # the notice follows the answer
    [asked] = cards_of(request)
    assert "Pat Lead asks to move CC-1 from Fri 1 May 2026 to Tue 30 Jun 2026." in shown(asked)
    [(_, verb, data)] = [a for a in actions_of(asked) if a[0] == "Approve"]
    decided = invoke_card(sender.click(CHAIR_USER, verb, data))
    assert "Extension approved: CC-1 is now due Tue 30 Jun 2026" in shown(decided)
    [told] = connector.wait_for(lambda c: c.messages(PAT.chat))
    assert "Helen Chair approved the extension for CC-1" in shown(told)
    with db() as session:
        assert session.scalars(select(ExtensionRequest.state)).one() is ExtensionState.APPROVED


def test_decline_opens_a_reason_form(board: dict[str, int], sender: TeamsSender, connector: FakeConnector) -> None:
    sender.message(PAT, "extend CC-1 30/06/2026 Files late")
    empty = invoke_card(sender.click(CHAIR_USER, "submit", {"ref": "CC-1", "form": "decline", "reason": ""}))
    assert "Give the reason: the owner is told it." in shown(empty)
    card = invoke_card(sender.click(CHAIR_USER, "submit", {"ref": "CC-1", "form": "decline", "reason": "Not yet"}))
    assert "Extension declined: CC-1 stays due Fri 1 May 2026" in shown(card)


def test_a_button_on_an_old_card_says_it_is_too_late(board: dict[str, int], sender: TeamsSender) -> None:
    card = invoke_card(sender.click(PAT, "form", {"ref": "CC-3", "form": "update"}))
    assert "CC-3 is complete, awaiting sign-off, so it can no longer be changed here." in shown(card)
    card = invoke_card(sender.click(PAT, "form", {"ref": "CC-1", "form": "decline"}))
    assert "CC-1 has no extension request waiting" in shown(card)
    card = invoke_card(sender.click(PAT, "teleport", {"ref": "CC-1"}))
    assert "no longer works" in shown(card)


def test_mark_complete_then_the_chair_signs_off_by_typing(
    board: dict[str, int], sender: TeamsSender, db: sessionmaker[Session]
) -> None:
    invoke_card(sender.click(PAT, "submit", {"ref": "CC-1", "form": "done", "evidence": "Protocol published"}))
    assert sender.message(CHAIR_USER, "signoff CC-1 Seen at sub-group").status == 200
    with db() as session:
        assert session.scalars(select(Action.status).where(Action.ref == "CC-1")).one() is Status.SIGNED_OFF
        kinds = session.scalars(select(Update.kind).order_by(Update.id)).all()
    assert kinds == ["done", "signoff"]


def test_more_shows_the_next_page(board: dict[str, int], sender: TeamsSender, db: sessionmaker[Session]) -> None:
    from tests.helpers import add_actions

    add_actions(db, 12)
    sender.message(PAT, "mine")
    first = cards_of(sender.connector.messages(PAT.chat)[0])[0]
    [(_, verb, data)] = [a for a in actions_of(first) if a[0].startswith("More")]
    second = invoke_card(sender.click(PAT, verb, data))
    assert "Page 2 of 2" in shown(second)


@pytest.mark.parametrize("channel", [GENERAL, SUBGROUP])
def test_a_click_in_a_channel_leaves_the_shared_card_and_answers_in_the_1_to_1_chat(
    board: dict[str, int], teams: TeamsApp, sender: TeamsSender, connector: FakeConnector, channel: str
) -> None:
    teams.deps.settings = replace(teams.deps.settings, digest_channel=f"teams:{SUBGROUP}")
    sender.message(PAT, "help")
    connector.reset()
    answer = sender.click(PAT, "form", {"ref": "CC-1", "form": "update"}, where=channel)
    body = answer.json()
    assert body == {"statusCode": 200, "type": "application/vnd.microsoft.activity.message",
                    "value": "I've answered you in our 1:1 chat."}  # fmt: skip
    [form] = connector.messages()
    assert form.conversation_id == PAT.chat and "Post an update on CC-1" in shown(form)
