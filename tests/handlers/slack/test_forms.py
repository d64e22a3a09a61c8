"""Buttons and forms: open a form, submit it, and see field errors in place when something is wrong."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.people import protect_name
from storage.models import Action, Rag, Status, Update
from tests.fakes.slack import SlackSender, chosen, picked_date, post, shown, typed, view_of
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import CSC_LEAD, POLICE_LEAD, dump

PAT, CARA = SLACK_IDS[POLICE_LEAD], SLACK_IDS[CSC_LEAD]


def open_form(
    sender: SlackSender, api: FakeSlackApi, button: str, ref: str = "CC-1", user_id: str = PAT, **options: Any
) -> dict[str, Any]:
    """Click a form button on a message; the modal Slack was asked to open."""
    click = sender.click(button, ref, user_id, **options)
    assert click.status == 200
    [call] = api.wait_for(lambda a: a.calls_to("views.open"))
    assert call.params["trigger_id"] == click.trigger_id
    api.reset()
    return view_of(call)


def stored(db: sessionmaker[Session], ref: str) -> Action:
    with db() as session:
        return session.scalars(select(Action).where(Action.ref == ref)).unique().one()


def field_errors(sent: Any) -> dict[str, str]:
    answer = sent.json()
    assert answer["response_action"] == "errors", answer
    return answer["errors"]


def test_post_update_form_records_the_update(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    form = open_form(sender, slack_api, "open_update_form")
    assert form["callback_id"] == "update_form"
    assert "*CC-1* · 🟢 Green · due Fri 1 May 2026" in shown(form)
    rag = next(block for block in form["blocks"] if block.get("block_id") == "rag")
    assert rag["element"]["initial_option"]["value"] == "on-track"  # the owner's current RAG
    sent = sender.submit(form, {"rag": chosen("off-track"), "note": typed("No trainer until autumn")}, PAT)
    assert (sent.status, sent.body) == (200, b"")  # accepted: the form closes
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "Update recorded for CC-1 (off track)." in shown(answer)
    action = stored(db, "CC-1")
    assert (action.rag, action.progress) == (Rag.RED, "No trainer until autumn")


def test_an_empty_note_is_an_error_beside_the_note(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine
) -> None:
    form = open_form(sender, slack_api, "open_update_form")
    before = dump(engine)
    sent = sender.submit(form, {"rag": chosen("at-risk"), "note": typed("   ")}, PAT)
    assert field_errors(sent) == {"note": "Write what has happened since the last update."}
    assert dump(engine) == before


@pytest.mark.parametrize(
    ("picked", "error"),
    [
        ("2026-03-31", "Tue 31 Mar 2026 is in the past."),
        (None, "Pick the new due date."),
        ("2026-04-20", "Mon 20 Apr 2026 is not later than CC-1's current due date, Fri 1 May 2026."),
    ],
    ids=["past", "missing", "not-later"],
)
def test_a_bad_date_is_an_error_beside_the_date(
    picked: str | None, error: str, board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine
) -> None:
    form = open_form(sender, slack_api, "open_extend_form")
    assert form["callback_id"] == "extend_form"
    before = dump(engine)
    sent = sender.submit(form, {"due": picked_date(picked), "reason": typed("Staff sickness")}, PAT)
    errors = field_errors(sent)
    assert list(errors) == ["due"] and errors["due"].startswith(error)
    assert slack_api.calls_to("chat.postMessage") == []  # no request went to the chair
    assert {k: v for k, v in dump(engine).items() if k != "seen_request"} == {
        k: v for k, v in before.items() if k != "seen_request"
    }


def test_an_extension_form_sends_the_request_to_the_chair(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    form = open_form(sender, slack_api, "open_extend_form")
    sent = sender.submit(form, {"due": picked_date("2026-06-30"), "reason": typed("Awaiting the new template")}, PAT)
    assert (sent.status, sent.body) == (200, b"")
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "Extension for CC-1 to Tue 30 Jun 2026 requested." in shown(answer)
    [dm] = slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
    assert dm.params["channel"] == SLACK_IDS["chair@board.example.org"]


def test_identifying_data_is_refused_beside_the_note_and_nothing_is_stored(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session], engine: Engine
) -> None:
    protect_name(db, "CC", "Jane Doe")
    form = open_form(sender, slack_api, "open_update_form")
    before = dump(engine)
    sent = sender.submit(form, {"rag": chosen("on-track"), "note": typed("Met Jane Doe's school")}, PAT)
    errors = field_errors(sent)
    assert list(errors) == ["note"] and "Jane Doe" not in errors["note"]
    assert {k: v for k, v in dump(engine).items() if k != "seen_request"} == {
        k: v for k, v in before.items() if k != "seen_request"
    }


def test_a_refusal_keeps_the_form_open_with_the_reason(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    form = open_form(sender, slack_api, "open_done_form", user_id=CARA)  # CC-1 belongs to the police
    sent = sender.submit(form, {"evidence": typed("All done")}, CARA)
    assert field_errors(sent) == {
        "evidence": "CC-1 belongs to another agency. Only its owner, a lead of its agency or the coordinator "
        "can change it."
    }
    assert stored(db, "CC-1").status is Status.IN_PROGRESS


def test_mark_complete_from_the_app_home_answers_by_dm_and_refreshes_home(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    form = open_form(sender, slack_api, "open_done_form", in_home=True)
    assert json.loads(form["private_metadata"])["home"] is True
    sent = sender.submit(form, {"evidence": typed("Audit of 40 cases attached to the minutes")}, PAT)
    assert sent.status == 200
    [dm] = slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
    assert dm.params["channel"] == PAT
    assert "CC-1 is marked complete" in shown({"blocks": dm.params["blocks"]})
    [home] = slack_api.wait_for(lambda api: api.calls_to("views.publish"))
    assert "*CC-1* · 🔵 Blue" in shown(view_of(home))
    assert stored(db, "CC-1").status is Status.COMPLETE


def test_a_button_on_an_unknown_action_answers_instead_of_opening_a_form(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    sender.click("open_update_form", "CC-99", PAT)
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "There is no action CC-99." in shown(answer)
    assert slack_api.calls_to("views.open") == []


def test_a_submission_replayed_applies_once(
    board: dict[str, int], sender: SlackSender, app_server: str, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    form = open_form(sender, slack_api, "open_update_form")
    sent = sender.submit(form, {"rag": chosen("at-risk"), "note": typed("Venue lost")}, PAT)
    slack_api.wait_for(lambda api: api.responses())
    status, body = post(app_server, "/slack/events", sent.form, sent.headers)
    assert (status, body) == (200, b"")
    with db() as session:
        action = session.scalars(select(Action).where(Action.ref == "CC-1")).unique().one()
        assert action.version == 1


def test_details_shows_the_action(board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi) -> None:
    sender.click("show_action", "CC-2", PAT)
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "*CC-2* · SCR Child C (CC)" in shown(answer) and "*RAG*\n🔴 Red" in shown(answer)


def test_a_form_button_on_a_completed_action_says_so(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    sender.click("open_update_form", "CC-3", PAT)
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "CC-3 is complete, awaiting sign-off, so it can no longer be changed here." in shown(answer)
    assert slack_api.calls_to("views.open") == []


def test_record_impact_after_sign_off(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    with db.begin() as session:
        session.scalars(select(Action).where(Action.ref == "CC-3")).unique().one().status = Status.SIGNED_OFF
    form = open_form(sender, slack_api, "open_impact_form", ref="CC-3")
    assert form["callback_id"] == "impact_form"
    empty = sender.submit(form, {"note": typed(" ")}, PAT)
    assert list(field_errors(empty)) == ["note"]
    sent = sender.submit(form, {"note": typed("Re-audit: every injury now shared with the GP")}, PAT)
    assert (sent.status, sent.body) == (200, b"")
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "Evidence of impact recorded for CC-3" in shown(answer)
    with db() as session:
        kinds = session.scalars(select(Update.kind).join(Action).where(Action.ref == "CC-3")).all()
    assert kinds == ["impact"]


def test_an_impact_check_carries_the_record_impact_button() -> None:
    from datetime import date

    from bot.views import ActionView, ImpactCheck, Reminder
    from handlers.slack import blocks
    from storage.models import Rag

    action = ActionView(
        ref="CC-3", text="Protocol", review_code="CC", review_title="SCR Child C", agency="Police", owner="Pat",
        owner_email="pat@x.org", due=date(2026, 1, 1), original_due=date(2026, 1, 1), status=Status.SIGNED_OFF,
        rag=Rag.BLUE, owner_rag=Rag.GREEN, days_overdue=0, progress=None, evidence="Done",
    )  # fmt: skip
    check = ImpactCheck("Pat", (Reminder(action, "signed off 3 months ago: has the change held?"),))
    [message] = blocks.messages(check)
    buttons = [e for b in message["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(b["action_id"], b["value"]) for b in buttons] == [("open_impact_form", "CC-3")]
