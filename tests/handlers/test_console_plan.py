"""The coordinator runs the plan in the console, end to end: add (the command to type when no text), edit, a due-date
correction soon after loading and its refusal later, assign with everyone told, find, history in words."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.dates import format_date
from storage.models import Action, Update
from tests.handlers.test_console import CHAIR, LEAD, bot

COORDINATOR = "mark.ellison@lscb.example.org"
SESSION = f"""\
/as {COORDINATOR}
/action add CC
/action add CC Review the neglect strategy with schools owner:{LEAD} due:31/03/2099
/action add CC Review the neglect strategy with schools owner:{LEAD} due:31/03/2099
/action add CC Check the records for NHS number 943 476 5919
/action edit CC-3
/action edit CC-3 text:Check every strategy discussion records the father supporting:police
/action edit CC-3 due:31/03/2099 the sheet had the wrong year
/action assign CC-3 @"Claire Benson" Joanne is on leave
/action history CC-3
/action find strategy discussion
/as {LEAD}
/action add CC Something
/action edit CC-3 due:tomorrow
/action assign CC-3 {LEAD}
/action find strategy discussion
/as {CHAIR}
/action assign CC-3 {LEAD}
"""


def _cc(session: Session, ref: str) -> Action:
    return session.scalars(select(Action).where(Action.ref == ref)).unique().one()


def test_the_coordinator_adds_edits_corrects_and_assigns(database_url: str, db: sessionmaker[Session]) -> None:
    assert bot(database_url, "demo").returncode == 0
    run = bot(database_url, "console", stdin=SESSION)
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert "Type the action: /action add CC <what is to be done>" in out  # the console's form
    assert "CC-13 added to CC SCR Child C" in out and "Already added: nothing new was saved for CC-13." in out
    assert f"→ DM to Tom Okafor <{LEAD}>" in out and "Mark Ellison added CC-13 to CC and made you its owner." in out
    assert "Type the fields to change: /action edit CC-3" in out
    assert "CC-3 edited: text, supporting agencies." in out
    assert "CC-3 edited: due date (a correction)." in out
    assert "CC-3 now belongs to Claire Benson (was Joanne Pryce)." in out
    assert "Mark Ellison passed CC-3 to Claire Benson: you no longer own it. Reason: Joanne is on leave" in out
    assert "→ DM to Dr Helen Ashworth" in out  # the chair is told of the coordinator's reassignment
    assert "owner Joanne Pryce → Claire Benson" in out and "supporting agencies — → Avon and Somerset Police" in out
    demo_due = datetime.now(Settings().timezone).date() + timedelta(days=10)  # CC-3 in bot.demo: due in 10 days
    assert f"due corrected · due {format_date(demo_due)} → Tue 31 Mar 2099" in out
    assert out.count('Actions mentioning "strategy discussion"') == 2  # the coordinator, then a lead
    assert "Not saved: the text looks like it contains an NHS number" in out
    assert "Only the coordinator can add actions to a plan." in out
    assert "Only the coordinator can edit actions." in out
    assert "Only the coordinator or the chair can give CC-3 a new owner." in out
    assert "CC-3 now belongs to Tom Okafor (was Claire Benson)." in out  # the chair may reassign too
    assert "Traceback" not in out + run.stderr
    with db() as session:
        cc3 = _cc(session, "CC-3")
        assert cc3.text == "Check every strategy discussion records the father"
        assert (cc3.owner.email, cc3.due.isoformat()) == (LEAD, "2099-03-31")
        kinds = session.scalars(
            select(Update.kind).where(Update.action_id == cc3.id, Update.source == "console").order_by(Update.id)
        ).all()
        assert kinds == ["edit", "due_corrected", "assign", "assign"]
        assert session.scalar(select(Action.id).where(Action.ref == "CC-14")) is None  # the name was refused


def test_after_7_days_a_due_date_is_the_chairs_decision(database_url: str, db: sessionmaker[Session]) -> None:
    assert bot(database_url, "demo").returncode == 0
    with db.begin() as session:  # the plan was loaded eight days ago
        for row in session.scalars(select(Update)).unique():
            row.at -= timedelta(days=8)
        due = _cc(session, "CC-3").due
    run = bot(database_url, "console", stdin=f"/as {COORDINATOR}\n/action edit CC-3 due:31/03/2099 wrong year\n")
    assert "more than 7 days ago" in run.stdout and "/action extend CC-3 <new due date> <reason>" in run.stdout
    with db() as session:
        cc3 = _cc(session, "CC-3")
        assert cc3.due == due
        assert session.scalar(select(Update.id).where(Update.action_id == cc3.id, Update.source == "console")) is None
