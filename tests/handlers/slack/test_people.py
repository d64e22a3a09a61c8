"""People in chat over signed HTTP: people, person add, leaver, away, snooze (typed, and from a reminder's
Snooze button and form) and settings (typed, and its buttons). The board (tests.helpers.seed_board) on
Wed 1 Apr 2026: CC-1 police, Pat, due Fri 1 May, in progress; CC-2 social care, Cara, 5 days overdue."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.views import Nudge, Reminder
from handlers.slack import blocks
from storage.models import Action, Pace, Person, Update
from tests.chat.test_renderers_agree import action as action_view
from tests.fakes.slack import SlackSender, buttons, picked_date, shown, typed, view_of
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.handlers.slack.test_commands import ask
from tests.helpers import COORDINATOR, MEMBER, POLICE_LEAD, POLICE_OTHER, dump

PAT, SAM, COORD, MO = SLACK_IDS[POLICE_LEAD], SLACK_IDS[POLICE_OTHER], SLACK_IDS[COORDINATOR], SLACK_IDS[MEMBER]


def person(db: sessionmaker[Session], email: str) -> Person:
    with db() as session:
        return session.scalars(select(Person).options(joinedload(Person.agency)).where(Person.email == email)).one()


def rows(engine: Engine) -> dict[str, list[tuple[object, ...]]]:
    """Every table but the requests seen (a refused request is still a request seen)."""
    return {table: found for table, found in dump(engine).items() if table != "seen_request"}


def dm_to(api: FakeSlackApi, user_id: str) -> str:
    return "\n".join(shown({"blocks": c.params["blocks"]}) for c in api.calls_to("chat.postMessage")
                     if c.params["channel"] == user_id)  # fmt: skip


def test_anyone_reads_people_and_only_the_coordinator_adds_someone(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session], engine: Engine
) -> None:
    text = shown(ask(sender, slack_api, "people agency:police", MO))
    assert "*People in Avon and Somerset Police*: 2 people" in text
    assert "*Pat Lead* &lt;pat.lead@police.example.org&gt; · agency lead, Avon and Somerset Police" in text
    ask(sender, slack_api, "settings")  # Pat's first use: the Slack id is kept
    before = rows(engine)
    refused = shown(ask(sender, slack_api, 'person add jo@police.example.org "Jo New" role:agency_lead agency:police'))
    assert "Only the coordinator can add people." in refused
    assert rows(engine) == before
    added = shown(ask(sender, slack_api, 'person add jo@police.example.org "Jo New" role:agency_lead agency:police',
                      COORD))  # fmt: skip
    assert "Jo New &lt;jo@police.example.org&gt; is added as agency lead, Avon and Somerset Police." in added
    jo = person(db, "jo@police.example.org")
    assert (jo.name, jo.role.value, jo.agency.code if jo.agency else None) == ("Jo New", "agency_lead", "police")
    assert "*People in Avon and Somerset Police*: 3 people" in shown(ask(sender, slack_api, "people agency:police", MO))


def test_a_leavers_actions_move_both_are_told_and_their_access_ends(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    # Sam has never used the bot: the mention is found by the e-mail on their Slack profile.
    text = shown(ask(sender, slack_api, f"leaver pat.lead@police.example.org handover:<@{SAM}|sam>", COORD))
    assert "Pat Lead has left the board: 2 open actions moved to Sam Other: CC-1, CC-3. Both were told." in text
    slack_api.wait_for(lambda api: len(api.calls_to("chat.postMessage")) >= 2)
    assert "Your 2 open actions now belong to Sam Other: CC-1, CC-3." in dm_to(slack_api, PAT)
    assert "*Handed over to you from Pat Lead, who has left the board*: 2 actions" in dm_to(slack_api, SAM)
    refused = shown(ask(sender, slack_api, "mine", PAT))
    assert "Your access to the action tracker ended on Wed 1 Apr 2026, when you left the board." in refused
    with db() as session:
        cc1 = session.scalars(select(Action).where(Action.ref == "CC-1")).unique().one()
        handover = session.scalars(select(Update).where(Update.action_id == cc1.id, Update.kind == "handover")).one()
    assert cc1.owner_id == board[POLICE_OTHER]
    assert handover.changes == {"owner": ["Pat Lead", "Sam Other"]}  # names, never ids
    assert person(db, POLICE_LEAD).left_on == date(2026, 4, 1)
    assert "owner Pat Lead → Sam Other" in shown(ask(sender, slack_api, "history CC-1", SAM))


def test_away_with_a_deputy_who_is_told(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    text = shown(ask(sender, slack_api, f"away 6/4/2026 17/4/2026 deputy:<@{SAM}|sam>", PAT))
    assert "Away Mon 6 Apr 2026 to Fri 17 Apr 2026: your reminders and escalations go to Sam Other" in text
    slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
    assert "Pat Lead is away Mon 6 Apr 2026 to Fri 17 Apr 2026 and has named you as deputy" in dm_to(slack_api, SAM)
    pat = person(db, POLICE_LEAD)
    assert (pat.away_from, pat.away_to, pat.deputy_id) == (date(2026, 4, 6), date(2026, 4, 17), board[POLICE_OTHER])
    back = shown(ask(sender, slack_api, "away off", PAT))
    assert "Welcome back" in back and person(db, POLICE_LEAD).away_to is None


def test_a_reminder_has_a_snooze_button_whose_form_refuses_a_date_past_due_and_records_the_snooze(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session], engine: Engine
) -> None:
    nudge = blocks.message(
        Nudge("Pat Lead", (Reminder(action_view("CC-1", pending_extension=None), "due in 30 days"),))
    )
    assert ("Snooze", "open_snooze_form", "CC-1") in buttons(nudge)
    sender.click("open_snooze_form", "CC-1", PAT)
    [opened] = slack_api.wait_for(lambda api: api.calls_to("views.open"))
    form = view_of(opened)
    assert form["callback_id"] == "snooze_form"
    assert "No reminders before (due Fri 1 May 2026)" in shown(form)
    before = rows(engine)
    late = sender.submit(form, {"due": picked_date("2026-05-20"), "reason": typed("Audit in May")}, PAT)
    errors = late.json()["errors"]
    assert errors["due"].startswith("CC-1 is due Fri 1 May 2026: a snooze can't run past the due date.")
    assert rows(engine) == before
    slack_api.reset()
    done = sender.submit(form, {"due": picked_date("2026-04-20"), "reason": typed("Waiting for the audit")}, PAT)
    assert done.status == 200 and done.body == b""
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "Snoozed: no reminder about CC-1 before Mon 20 Apr 2026 (due Fri 1 May 2026)." in shown(answer)
    with db() as session:
        cc1 = session.scalars(select(Action).where(Action.ref == "CC-1")).unique().one()
        notes = session.scalars(select(Update.note).where(Update.action_id == cc1.id, Update.kind == "snooze")).all()
    assert cc1.snooze_until == date(2026, 4, 20) and notes == ["Waiting for the audit"]
    refused = shown(ask(sender, slack_api, "snooze CC-1 10/4/2026 not mine", SAM))
    assert "Only the owner of CC-1 can snooze its reminders." in refused


def test_settings_shows_buttons_that_change_it(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    answer = ask(sender, slack_api, "settings", PAT)
    assert "*Your reminders* come as they fall" in shown(answer)
    choices = {label: value for label, action_id, value in buttons(answer) if action_id == blocks.MORE}
    assert choices == {"✓ As they fall": "/action settings daily", "One weekly DM on Monday": "/action settings weekly"}
    slack_api.reset()
    sender.click(blocks.MORE, choices["One weekly DM on Monday"], PAT)
    [saved] = slack_api.wait_for(lambda api: api.responses())
    assert "*Saved.* They now come weekly: one direct message on Monday" in shown(saved)
    assert person(db, POLICE_LEAD).reminders is Pace.WEEKLY
    ask(sender, slack_api, "settings daily", PAT)
    assert person(db, POLICE_LEAD).reminders is Pace.AS_THEY_FALL
