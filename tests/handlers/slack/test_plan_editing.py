"""The coordinator runs the plan in Slack, over signed HTTP: add (a form with no text), edit, assign, find,
due-date corrections, and who may not.

The board (tests.helpers.seed_board) on Wed 1 Apr 2026: CC-1 police, Pat, due Fri 1 May, in progress;
CC-2 social care, Cara, overdue; CC-3 police, Pat, complete; CC-4 the chair's, complete.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from storage.models import Action, Person, Update
from tests.fakes.slack import SlackSender, picked_date, shown, typed, view_of
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.handlers.slack.test_commands import ask, stored
from tests.helpers import CHAIR, COORDINATOR, MEMBER, POLICE_LEAD, POLICE_OTHER, add_actions, dump

COORD, PAT, SAM, CHAIR_ID, MO = (SLACK_IDS[who] for who in (COORDINATOR, POLICE_LEAD, POLICE_OTHER, CHAIR, MEMBER))


def dms(api: FakeSlackApi) -> dict[str, str]:
    """Who was sent a direct message, and what it said."""
    return {
        call.params["channel"]: shown({"blocks": call.params["blocks"]}) for call in api.calls_to("chat.postMessage")
    }


def board_rows(engine: Engine) -> dict[str, list[tuple]]:
    """Every row but the replay ledger (each request is remembered, written or not)."""
    return {table: rows for table, rows in dump(engine).items() if table != "seen_request"}


def history(db: sessionmaker[Session], ref: str) -> list[tuple[str, str, dict]]:
    with db() as session:
        action = session.scalars(select(Action).where(Action.ref == ref)).unique().one()
        rows = session.execute(
            select(Update.kind, Update.source, Update.changes).where(Update.action_id == action.id).order_by(Update.id)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def opened_form(sender: SlackSender, api: FakeSlackApi, text: str, user_id: str = COORD) -> dict:
    api.reset()
    sent = sender.command(text, user_id)
    [call] = api.wait_for(lambda a: a.calls_to("views.open"))
    assert call.params["trigger_id"] == sent.trigger_id
    api.reset()
    return view_of(call)


def test_add_with_no_text_opens_the_form_and_submitting_it_adds_the_next_action(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session], engine: Engine
) -> None:
    form = opened_form(sender, slack_api, "add CC")
    assert form["callback_id"] == "add_form"
    assert "Add an action to *CC*" in shown(form)
    before = board_rows(engine)
    empty = sender.submit(form, {"text": typed("  "), "owner": typed(""), "agency": typed("")}, COORD)
    assert empty.json() == {"response_action": "errors", "errors": {"text": "Write what is to be done."}}
    stranger = sender.submit(form, {"text": typed("Audit strategy meetings"), "owner": typed("nobody@x.org")}, COORD)
    assert "nobody@x.org" in stranger.json()["errors"]["owner"]  # beside the owner, the form stays open
    assert board_rows(engine) == before

    values = {"text": typed("Audit strategy meetings"), "owner": typed(POLICE_LEAD), "agency": typed(""),
              "due": picked_date("2026-06-30")}  # fmt: skip
    sent = sender.submit(form, values, COORD)
    assert (sent.status, sent.body) == (200, b"")  # accepted: the form closes
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "CC-5 added to CC SCR Child C: led by Avon and Somerset Police, owned by Pat Lead" in shown(answer)
    told = slack_api.wait_for(dms)
    assert "Colin Coordinator added CC-5 to CC and made you its owner." in told[PAT]
    added = stored(db, "CC-5")
    assert (added.text, added.owner_id, added.due) == ("Audit strategy meetings", board[POLICE_LEAD], date(2026, 6, 30))
    assert [(kind, source) for kind, source, _ in history(db, "CC-5")] == [("created", "slack")]


def test_add_typed_in_full_and_retyped_is_added_once(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    line = f"add CC Audit strategy meetings owner:{POLICE_OTHER} due:30/06/2026"
    assert "CC-5 added" in shown(ask(sender, slack_api, line, COORD))
    assert "Already added: nothing new was saved for CC-5." in shown(ask(sender, slack_api, line, COORD))
    with db() as session:
        assert session.scalar(select(Action.id).where(Action.ref == "CC-6")) is None
    assert stored(db, "CC-5").owner_id == board[POLICE_OTHER]


def test_only_the_coordinator_adds_and_edits_and_nothing_is_written(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine
) -> None:
    for someone in (PAT, CHAIR_ID, MO):  # a first command keeps their Slack id, in a transaction of its own
        ask(sender, slack_api, "mine", someone)
    before = board_rows(engine)
    assert "Only the coordinator can add actions to a plan." in shown(ask(sender, slack_api, "add CC Do it", PAT))
    assert "Only the coordinator can add actions to a plan." in shown(ask(sender, slack_api, "add CC", CHAIR_ID))
    assert "Only the coordinator can edit actions." in shown(ask(sender, slack_api, "edit CC-1 text:New", PAT))
    refused = shown(ask(sender, slack_api, "assign CC-1 @Sam", MO))
    assert "Only the coordinator or the chair can give CC-1 a new owner." in refused
    assert board_rows(engine) == before


def test_edit_opens_filled_in_and_records_each_field_in_words(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    form = opened_form(sender, slack_api, "edit CC-1")
    assert form["callback_id"] == "edit_form"
    initial = {b["block_id"]: b["element"].get("initial_value") for b in form["blocks"] if b["type"] == "input"}
    assert initial["text"] == "Action 1 text" and initial["agency"] == "Avon and Somerset Police"
    assert initial["owner"] == POLICE_LEAD
    values = {name: typed(value or "") for name, value in initial.items()}
    values |= {"text": typed("Action 1, reworded"), "supporting": typed("csc"), "owner": typed(POLICE_OTHER)}
    sent = sender.submit(form, values, COORD)
    assert (sent.status, sent.body) == (200, b"")
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "CC-1 edited: text, owner, supporting agencies." in shown(answer)
    told = slack_api.wait_for(lambda api: len(dms(api)) == 3 and dms(api))
    assert "made you the owner of CC-1 from Pat Lead" in told[SAM] and "you no longer own it" in told[PAT]
    assert "Colin Coordinator reassigned CC-1 from Pat Lead to Sam Other." in told[CHAIR_ID]
    action = stored(db, "CC-1")
    assert (action.text, action.owner_id) == ("Action 1, reworded", board[POLICE_OTHER])

    text = shown(ask(sender, slack_api, "history CC-1", COORD))
    assert "owner Pat Lead → Sam Other" in text
    assert "supporting agencies — → Children's Social Care" in text
    assert f"owner {board[POLICE_LEAD]} →" not in text and "owner_id" not in text

    again = sender.submit(form, values, COORD)  # the same form sent again: nothing new
    assert again.status == 200
    assert [kind for kind, _, _ in history(db, "CC-1")] == ["edit"]


def test_a_due_date_is_corrected_within_7_days_of_loading_and_refused_after(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session], clock: FrozenClock
) -> None:
    with db.begin() as session:  # CC-1 and CC-2 as the importer loads them: a "created" entry, today
        for ref in ("CC-1", "CC-2"):
            action = session.scalars(select(Action).where(Action.ref == ref)).unique().one()
            action.version = 1
            session.add(Update(action_id=action.id, version=1, at=clock.now(), source="import", kind="created",
                               changes={}, person_id=board[COORDINATOR]))  # fmt: skip
    fixed = shown(ask(sender, slack_api, "edit CC-1 due:31/05/2026 the sheet said May 1st by mistake", COORD))
    assert "CC-1 edited: due date (a correction)." in fixed
    assert (stored(db, "CC-1").due, stored(db, "CC-1").original_due) == (date(2026, 5, 31), date(2026, 5, 31))
    [(kind, source, changes)] = history(db, "CC-1")[1:]
    assert (kind, source, changes["due"]) == ("due_corrected", "slack", ["2026-05-01", "2026-05-31"])
    assert "due corrected" in shown(ask(sender, slack_api, "history CC-1", COORD))

    owner = shown(ask(sender, slack_api, "edit CC-1 due:30/06/2026", PAT))
    assert "Only the coordinator can edit actions." in owner
    clock.set(datetime(2026, 4, 9, 9, 0, tzinfo=clock.now().tzinfo))  # eight days after loading
    late = shown(ask(sender, slack_api, "edit CC-2 due:30/06/2026 typo", COORD))
    assert "more than 7 days ago" in late and "/action extend CC-2" in late
    assert len(history(db, "CC-2")) == 1


def test_assign_tells_the_old_and_the_new_owner_and_the_chair(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    answer = shown(ask(sender, slack_api, f"assign CC-1 <@{SAM}|sam> Pat moves to another team", COORD))
    assert "CC-1 now belongs to Sam Other (was Pat Lead)." in answer
    told = slack_api.wait_for(lambda api: len(dms(api)) == 3 and dms(api))
    assert "Colin Coordinator made you the owner of CC-1 from Pat Lead. Reason: Pat moves to another team" in told[SAM]
    assert "passed CC-1 to Sam Other: you no longer own it." in told[PAT]
    assert "reassigned CC-1 from Pat Lead to Sam Other" in told[CHAIR_ID]
    assert stored(db, "CC-1").owner_id == board[POLICE_OTHER]
    [(kind, _, changes)] = history(db, "CC-1")
    assert (kind, changes["owner_id"]) == ("assign", [board[POLICE_LEAD], board[POLICE_OTHER]])

    slack_api.reset()
    by_chair = shown(ask(sender, slack_api, f"assign CC-1 {POLICE_LEAD}", CHAIR_ID))
    assert "CC-1 now belongs to Pat Lead (was Sam Other)." in by_chair
    told = slack_api.wait_for(lambda api: len(dms(api)) == 2 and dms(api))
    assert set(told) == {PAT, SAM}  # the chair did it: not told of their own change
    assert "Pat Lead already owns CC-1." in shown(ask(sender, slack_api, f"assign CC-1 {POLICE_LEAD}", COORD))


def test_find_searches_text_progress_and_evidence_and_pages(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    add_actions(db, 12)
    with db.begin() as session:
        session.scalars(select(Action).where(Action.ref == "CC-2")).unique().one().progress = "Waiting on HR audit"
    assert "Protocol published" in (stored(db, "CC-3").evidence or "")
    text = shown(ask(sender, slack_api, "find protocol", MO))  # a member can read, so can search
    assert '*Actions mentioning "protocol"*' in text and "*CC-3*" in text and "*CC-1*" not in text
    assert "*CC-2*" in shown(ask(sender, slack_api, "find hr AUDIT", MO))
    first = shown(ask(sender, slack_api, "find action", MO))
    assert "16 actions" in first and "Page 1 of 2" in first
    second = shown(ask(sender, slack_api, "find action page:2", MO))
    assert "Page 2 of 2" in second
    assert 'No action\'s text, progress or evidence mentions "100%".' in shown(ask(sender, slack_api, "find 100%", MO))
    with db() as session:
        assert session.scalar(select(Person.id).where(Person.email == MEMBER)) == board[MEMBER]


def test_the_add_and_edit_buttons_open_their_forms_for_the_coordinator_only(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    sender.click("open_add_form", "CC", COORD)
    [call] = slack_api.wait_for(lambda api: api.calls_to("views.open"))
    assert view_of(call)["callback_id"] == "add_form"
    slack_api.reset()
    sender.click("open_edit_form", "CC-1", PAT)
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "Only the coordinator can edit actions." in shown(answer)
    assert not slack_api.calls_to("views.open")
