"""The sweep and people: a deputy gets the absent owner's nudges, a snoozed action waits for its date,
a weekly person gets one DM on Monday (the next working day after a bank holiday), a leaver gets nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from bot.identity import Identity
from bot.jobs import Jobs
from bot.views import Escalation, Nudge, Reminders
from storage.models import Action, NudgeSent, Pace, Person, Role
from tests.bot.scheduling import LONDON, RecordingMessenger, Sent, add_action, at, make_jobs
from tests.helpers import say

PAT, SAM, CHAIR = "pat@police.example.org", "sam@police.example.org", "chair@board.example.org"
WEDNESDAY = date(2026, 4, 1)  # Good Friday is 3 April, Easter Monday 6 April


@pytest.fixture
def messenger(clock: FrozenClock) -> RecordingMessenger:
    return RecordingMessenger(clock)


@pytest.fixture
def jobs(db: sessionmaker[Session], clock: FrozenClock, settings: Settings, messenger: RecordingMessenger) -> Jobs:
    return make_jobs(db, clock, settings, messenger)


def set_person(db: sessionmaker[Session], email: str, **fields: object) -> None:
    with db.begin() as session:
        person = session.scalars(select(Person).where(Person.email == email)).unique().one()
        for name, value in fields.items():
            setattr(person, name, value)


def run_days(clock: FrozenClock, jobs: Jobs, first: date, last: date) -> None:
    day = first
    while day <= last:
        clock.set(at(day))
        jobs.run_due()
        day += timedelta(days=1)


def nudged(sent: list[Sent]) -> list[tuple[date, str, tuple[str, ...]]]:
    """(day, to, refs) of every nudge sent."""
    found = []
    for message in sent:
        parts = message.view.parts if isinstance(message.view, Reminders) else (message.view,)
        for part in parts:
            if isinstance(part, Nudge):
                refs = tuple(reminder.action.ref for reminder in part.reminders)
                found.append((message.at.astimezone(LONDON).date(), message.to, refs))
    return found


def test_the_deputy_gets_the_nudges_of_someone_away_and_the_owner_stays_owner(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    add_action(db, board, 1, "pat", WEDNESDAY + timedelta(days=7))
    set_person(db, PAT, away_from=WEDNESDAY, away_to=date(2026, 4, 10), deputy_id=board["sam"])
    run_days(clock, jobs, WEDNESDAY, WEDNESDAY)
    assert nudged(messenger.dms()) == [(WEDNESDAY, SAM, ("CC-1",))]
    view = messenger.dms()[0].view
    assert isinstance(view, Nudge)
    assert view.reminders[0].reason == "due in 7 days; you are covering for Pat Owner, who is away"
    with db() as session:
        assert session.scalars(select(Action.owner_id)).one() == board["pat"]
        assert session.scalars(select(NudgeSent.person_id)).all() == [board["sam"]]


def test_away_with_no_deputy_is_not_nudged_and_nothing_is_lost(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    add_action(db, board, 1, "pat", WEDNESDAY + timedelta(days=7))  # due Wed 8 April
    set_person(db, PAT, away_from=WEDNESDAY, away_to=date(2026, 4, 2))
    run_days(clock, jobs, WEDNESDAY, date(2026, 4, 2))
    assert nudged(messenger.dms()) == []
    with db() as session:
        assert session.scalars(select(NudgeSent)).all() == []  # held, not claimed: nothing lost
    run_days(clock, jobs, date(2026, 4, 3), date(2026, 4, 7))
    assert nudged(messenger.dms()) == [(date(2026, 4, 7), PAT, ("CC-1",))]  # back: the reminder comes, once


def test_a_snoozed_action_is_not_nudged_before_its_date(
    db: sessionmaker[Session],
    board: dict[str, int],
    clock: FrozenClock,
    jobs: Jobs,
    messenger: RecordingMessenger,
    settings: Settings,
) -> None:
    add_action(db, board, 1, "pat", WEDNESDAY + timedelta(days=14))  # due Wed 15 April: 14 days' nudge today
    add_action(db, board, 2, "pat", WEDNESDAY + timedelta(days=14))
    clock.set(at(WEDNESDAY, 8))
    reply = say(jobs.actions, "/action snooze CC-1 8/4/2026 waiting for the audit", Identity("console", email=PAT))
    assert "no reminder about CC-1 before Wed 8 Apr 2026" in getattr(reply.view, "summary", "")
    run_days(clock, jobs, WEDNESDAY, date(2026, 4, 9))
    assert nudged(messenger.dms()) == [
        (WEDNESDAY, PAT, ("CC-2",)),  # CC-1 is snoozed
        (date(2026, 4, 8), PAT, ("CC-1", "CC-2")),  # the snooze date: CC-1's 7 days' nudge, with CC-2's
    ]


def test_a_weekly_person_gets_one_dm_on_the_first_working_day_of_the_week(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    add_action(db, board, 1, "pat", WEDNESDAY + timedelta(days=1))  # due Thu 2 April
    add_action(db, board, 2, "pat", date(2026, 4, 10))
    add_action(db, board, 3, "sam", WEDNESDAY + timedelta(days=1))
    clock.set(at(WEDNESDAY, 8))
    say(jobs.actions, "/action settings weekly", Identity("console", email=PAT))
    with db() as session:
        assert session.scalars(select(Person.reminders).where(Person.email == PAT)).one() is Pace.WEEKLY
    run_days(clock, jobs, WEDNESDAY, date(2026, 4, 10))
    pats = [entry for entry in nudged(messenger.dms()) if entry[1] == PAT]
    # Monday 6 April is Easter Monday: the weekly DM goes on Tuesday, with everything, once.
    assert pats == [(date(2026, 4, 7), PAT, ("CC-1", "CC-2"))]
    sams = [entry[0] for entry in nudged(messenger.dms()) if entry[1] == SAM]
    # As they fall: the day before and the day it is due, the first working day overdue; Friday's overdue
    # reminder waits, as an action is mentioned at most once a week away from its due date (bot.jobs.policy).
    assert sams == [WEDNESDAY, date(2026, 4, 2), date(2026, 4, 7)]


def test_a_leaver_is_sent_nothing_and_an_away_chairs_escalations_go_to_their_deputy(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    monday = date(2026, 4, 13)  # the digest's day: the chair's weekly escalations
    add_action(db, board, 1, "pat", monday - timedelta(days=10))
    add_action(db, board, 2, "sam", monday + timedelta(days=1))
    with db.begin() as session:
        dee = Person(name="Dee Deputy", email="dee@board.example.org", role=Role.COORDINATOR)
        session.add(dee)
        session.flush()
        dee_id = dee.id
    set_person(db, SAM, left_on=WEDNESDAY)
    set_person(db, CHAIR, away_from=monday, away_to=monday, deputy_id=dee_id)
    run_days(clock, jobs, monday, monday)
    sent = {message.to: message.view for message in messenger.dms()}
    assert set(sent) == {PAT, "dee@board.example.org"}  # not the leaver, not the chair who is away
    escalation = sent["dee@board.example.org"]
    assert isinstance(escalation, Escalation)
    assert [reminder.action.ref for reminder in escalation.reminders] == ["CC-1"]
    with db() as session:
        rows = session.execute(select(NudgeSent.kind, NudgeSent.key, NudgeSent.person_id)).all()
    escalated = [(key, person) for kind, key, person in rows if kind == "escalation"]
    # The key stays the chair's, so the chair is not told again on their return.
    assert escalated == [(f"escalation:1:{monday - timedelta(days=10)}:0:{board['chair']}", dee_id)]
