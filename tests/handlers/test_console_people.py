"""The people commands in the console, end to end: who may, what each person sees, what is stored."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, Pace, Person, Role, Update
from tests.handlers.test_console import CHAIR, LEAD, bot

COORDINATOR = "mark.ellison@lscb.example.org"
HANDOVER = "claire.benson@csc.example.org"
DEPUTY = "sarah.whitfield@police.example.org"
MEMBER = "priya.natarajan@lscb.example.org"

SESSION = f"""\
/as {MEMBER}
/action people agency:police
/action person add jo.new@police.example.org "Jo New" role:agency_lead agency:police
/as {COORDINATOR}
/action person add jo.new@police.example.org "Jo New" role:agency_lead agency:police
/action person add jo.new@police.example.org "Jo New" role:agency_lead agency:police
/action person add kim@police.example.org Kim Ray role:agency_lead
/action person add kim@police.example.org "Baby Ann Smith" role:member
/action person add not-an-email "Kim Ray" role:member
/action person add kim@police.example.org "Kim Ray" role:boss
/action leaver {LEAD}
/action leaver {LEAD} handover:{MEMBER}
/action leaver {LEAD} handover:{HANDOVER}
/action leaver {LEAD} handover:{HANDOVER}
/action people agency:police
/as {LEAD}
/action mine
/as {HANDOVER}
/action away tomorrow in 2 weeks deputy:{DEPUTY}
/action snooze BM-1 tomorrow waiting for the audit report
/action snooze BM-1 tomorrow waiting for the audit report
/action snooze BM-1 in 30 weeks waiting for the audit report
/action settings
/action settings weekly
/action people
/as {CHAIR}
/action snooze BM-1 tomorrow not mine
/action away tomorrow friday for:{HANDOVER}
/action history BM-1
"""


def test_people_in_the_console(database_url: str, db: sessionmaker[Session]) -> None:
    assert bot(database_url, "demo").returncode == 0, "demo"
    assert bot(database_url, "protect", "BM", "Ann Smith").returncode == 0
    run = bot(database_url, "console", stdin=SESSION)
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert "Traceback" not in out + run.stderr
    # people: anyone may read; person add: the coordinator only, with a sentence for each mistake
    assert "People in Avon and Somerset Police: 1 person" in out
    assert "DI Sarah Whitfield <sarah.whitfield@police.example.org> · agency lead, Avon and Somerset Police" in out
    assert "Only the coordinator can add people." in out
    assert "Jo New <jo.new@police.example.org> is added as agency lead, Avon and Somerset Police." in out
    assert "Already recorded: Jo New <jo.new@police.example.org> is on the board" in out
    assert "An agency lead needs an agency: add agency:police (or its code)." in out
    assert "a protected name" in out and "Baby Ann Smith" not in out.split("/action person add kim")[-1]
    assert "'not-an-email' is not an e-mail address" in out
    assert "'boss' is not a role: use coordinator, chair, agency_lead or member." in out
    # leaver: their open actions move, both told, their access ends, history keeps the name
    assert "'leaver' needs handover:@person" in out
    assert "Priya Natarajan is a member (read only), so can't own actions" in out
    assert "Tom Okafor has left the board: 4 open actions moved to Claire Benson: BM-1, CC-5, CC-6, EX-3." in out
    assert f"→ DM to Tom Okafor <{LEAD}>:" in out and "Your access to the action tracker ends today." in out
    assert f"→ DM to Claire Benson <{HANDOVER}>:" in out
    assert "Handed over to you from Tom Okafor, who has left the board: 4 actions" in out
    assert "Already recorded: Tom Okafor left on" in out
    assert "Your access to the action tracker ended on" in out  # Tom, afterwards
    assert "People in Avon and Somerset Police: 2 people" in out  # Jo New joined
    # away: the deputy is told; snooze: never past due; settings
    assert "your reminders and escalations go to DI Sarah Whitfield meanwhile. You stay the owner" in out
    assert f"→ DM to DI Sarah Whitfield <{DEPUTY}>:" in out
    assert "Snoozed: no reminder about BM-1 before" in out
    assert "Already recorded" in out.split("Snoozed: no reminder about BM-1")[1]
    assert "BM-1 is due" in out and "a snooze can't run past the due date." in out
    assert "Your reminders come as they fall" in out
    assert "Saved. They now come weekly: one direct message on Monday" in out
    assert "deputy DI Sarah Whitfield; reminders weekly, on Monday" in out
    assert "Only the owner of BM-1 can snooze its reminders." in out
    assert "Only the coordinator records someone else's absence" in out
    assert "owner Tom Okafor → Claire Benson" in out  # history by name, never ids
    with db() as session:
        people = {p.email: p for p in session.scalars(select(Person)).unique()}
        bm1 = session.scalars(select(Action).where(Action.ref == "BM-1")).unique().one()
        kinds = session.execute(
            select(Update.kind, Update.note).where(Update.action_id == bm1.id, Update.source == "console")
        ).all()
    assert people["jo.new@police.example.org"].role is Role.AGENCY_LEAD and "kim@police.example.org" not in people
    assert people[LEAD].left_on is not None and people[LEAD].name == "Tom Okafor"
    assert bm1.owner_id == people[HANDOVER].id and bm1.snooze_until is not None and bm1.snooze_until <= bm1.due
    claire = people[HANDOVER]
    assert claire.deputy_id == people[DEPUTY].id and claire.away_from is not None and claire.reminders is Pace.WEEKLY
    assert [tuple(row) for row in kinds] == [
        ("handover", "Tom Okafor left the board: handed over to Claire Benson"),
        ("snooze", "waiting for the audit report"),
    ]
