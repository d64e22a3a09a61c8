"""Fewer, better messages: the pure policy (bot.jobs.policy) in tables, then the scheduler over 90 days."""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import replace
from datetime import date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.calendar import Nation, is_working_day, next_working_day
from bot.chat.compose import DM_ITEMS, document
from bot.chat.document import Item
from bot.clock import FrozenClock
from bot.config import Settings
from bot.digest import SHOWN, digest_sections, split_digest
from bot.jobs.digest_post import latest_digest_week
from bot.jobs.policy import action_reminder_allowed, digest_day, escalates_today, one_message_each, signed_off_age
from bot.rules import week_start
from bot.views import (
    ActionView,
    DeliveryProblem,
    Digest,
    Escalation,
    ExtensionView,
    ImpactCheck,
    Nudge,
    Reminder,
    Reminders,
    UpdateLine,
)
from handlers.slack import blocks
from handlers.teams import cards
from handlers.text import render
from storage.models import Action, Person, Rag, Role, Status
from tests.bot.demo_board import demo_board
from tests.bot.scheduling import LONDON, RecordingMessenger, Sent, add_action, at, make_jobs
from tests.helpers import seed_owners_and_chair

ENGLAND = Settings().bank_holidays


@pytest.mark.parametrize(
    ("scheduled", "sent"),
    [
        (date(2026, 4, 13), date(2026, 4, 13)),  # an ordinary Monday
        (date(2026, 4, 6), date(2026, 4, 7)),  # Easter Monday: the Tuesday
        (date(2026, 5, 25), date(2026, 5, 26)),  # spring bank holiday
        (date(2026, 12, 28), date(2026, 12, 29)),  # Boxing Day's substitute Monday
        (date(2026, 4, 11), date(2026, 4, 13)),  # a Saturday schedule: the Monday
    ],
)
def test_a_digest_due_on_a_day_off_moves_to_the_next_working_day(scheduled: date, sent: date) -> None:
    assert digest_day(scheduled, ENGLAND) == sent


def test_scotland_keeps_its_own_bank_holidays() -> None:
    assert digest_day(date(2027, 1, 4), Nation("scotland")) == date(2027, 1, 5)  # 2 January's substitute
    assert digest_day(date(2027, 1, 4), ENGLAND) == date(2027, 1, 4)


@pytest.mark.parametrize(
    ("signed", "today", "said"),
    [
        (date(2026, 1, 10), date(2026, 7, 10), "signed off 6 months ago"),  # late: the real age, not the scheduled 3
        (date(2026, 1, 31), date(2026, 4, 30), "signed off 3 months ago"),
        (date(2026, 1, 31), date(2026, 4, 29), "signed off 2 months ago"),
        (date(2026, 3, 1), date(2026, 3, 15), "signed off 2 weeks ago"),
        (date(2025, 3, 1), date(2026, 3, 1), "signed off 12 months ago"),
        (date(2026, 3, 1), date(2026, 4, 1), "signed off 1 month ago"),
    ],
)
def test_an_impact_check_states_the_real_age(signed: date, today: date, said: str) -> None:
    assert signed_off_age(signed, today) == said


@pytest.mark.parametrize(
    ("period", "today", "escalates"),
    [
        (0, date(2026, 4, 13), True),  # Monday, the digest's day
        (0, date(2026, 4, 14), False),
        (2, date(2026, 4, 15), False),
        (1, date(2026, 4, 15), False),  # nothing between digests, even newly twice overdue
        (0, date(2026, 4, 7), True),  # Easter Monday's digest goes on the Tuesday, and escalations with it
        (0, date(2026, 4, 6), False),
    ],
)
def test_the_chairs_escalations_go_weekly_with_the_digest(period: int, today: date, escalates: bool) -> None:
    assert escalates_today(period, today, 0, ENGLAND) is escalates


def test_one_message_each_puts_a_persons_kinds_in_one_list() -> None:
    parts = [(1, "escalation", "e1"), (1, "nudge", "n1"), (2, "impact", "i2"), (1, "impact", "i1")]
    assert one_message_each(parts) == {1: ["n1", "i1", "e1"], 2: ["i2"]}


MON = date(2026, 4, 13)


@pytest.mark.parametrize(
    ("due", "today", "last_sent", "allowed"),
    [
        (MON + timedelta(days=20), MON, None, True),  # never reminded about
        (MON + timedelta(days=7), MON, MON - timedelta(days=7), True),  # a week since: the 7-day reminder
        (MON + timedelta(days=7), MON, MON - timedelta(days=6), False),  # six days since: wait
        (MON + timedelta(days=7), MON, MON, False),  # already today
        (MON + timedelta(days=1), MON, MON - timedelta(days=6), True),  # due tomorrow: may come again
        (MON, MON, MON - timedelta(days=1), True),  # due today
        (MON - timedelta(days=1), MON, MON - timedelta(days=2), True),  # the first day overdue
        (date(2026, 4, 8), date(2026, 4, 10), date(2026, 4, 9), False),  # two days overdue: its week
        (date(2026, 4, 11), MON, MON - timedelta(days=3), True),  # due on a Saturday: Monday is its next day
        (date(2026, 4, 3), date(2026, 4, 7), date(2026, 4, 2), True),  # due Good Friday: Tuesday is its next day
        (date(2026, 4, 3), date(2026, 4, 8), date(2026, 4, 7), False),
        (None, MON, MON - timedelta(days=6), False),  # an impact check (no due date): weekly, always
        (None, MON, MON - timedelta(days=7), True),
    ],
)
def test_one_action_is_in_at_most_one_dm_a_week_unless_it_is_due(
    due: date | None, today: date, last_sent: date | None, allowed: bool
) -> None:
    assert action_reminder_allowed(due, today, last_sent, ENGLAND) is allowed


def test_an_actions_reminders_wait_their_week_in_the_sweep(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    board, messenger = seed_owners_and_chair(db), RecordingMessenger(clock)
    add_action(db, board, 1, "pat", MON + timedelta(days=10))  # 14 days before is past: remind now
    add_action(db, board, 2, "sam", MON + timedelta(days=4))  # 7 days before is past, then due tomorrow
    jobs = make_jobs(db, clock, settings, messenger)
    for offset in range(12):
        clock.set(at(MON + timedelta(days=offset), 9, 30))
        jobs.run_due()
    said = [(s.at.astimezone(LONDON).date(), r.action.ref, r.reason) for s in messenger.dms()
            for r in s.view.reminders]  # type: ignore[union-attr]  # fmt: skip
    assert said == [
        (MON, "CC-1", "due in 10 days"),
        (MON, "CC-2", "due in 4 days"),
        (MON + timedelta(days=3), "CC-2", "due tomorrow"),  # within a day of its date: again
        (MON + timedelta(days=4), "CC-2", "due today"),
        (MON + timedelta(days=7), "CC-1", "due in 3 days"),  # the 7-day reminder, a week after the last
        (MON + timedelta(days=7), "CC-2", "3 days overdue"),  # the first working day after its Friday date
        (MON + timedelta(days=9), "CC-1", "due tomorrow"),
        (MON + timedelta(days=10), "CC-1", "due today"),
        (MON + timedelta(days=11), "CC-1", "1 day overdue"),
    ]


@pytest.mark.parametrize(
    ("local", "week"),
    [
        (datetime(2026, 4, 6, 10, 0), None),  # Easter Monday: not today
        (datetime(2026, 4, 7, 8, 0), None),  # the Tuesday, before the digest's time
        (datetime(2026, 4, 7, 10, 0), date(2026, 4, 6)),  # the Tuesday: Easter week's digest, once (keyed by week)
        (datetime(2026, 4, 13, 10, 0), date(2026, 4, 13)),
    ],
)
def test_the_scheduled_digest_week_skips_days_off(local: datetime, week: date | None) -> None:
    assert latest_digest_week(Settings(), local.replace(tzinfo=LONDON)) == week


def test_an_impact_check_and_a_nudge_in_one_sweep_are_one_dm(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    board, messenger = seed_owners_and_chair(db), RecordingMessenger(clock)
    today = date(2026, 7, 14)
    add_action(db, board, 1, "pat", today + timedelta(days=7))
    add_action(db, board, 2, "pat", date(2026, 1, 10), status=Status.SIGNED_OFF, signed_off_on=date(2026, 1, 10))
    clock.set(at(today, 9, 30))
    make_jobs(db, clock, settings, messenger).sweep()
    [dm] = messenger.dms()
    assert isinstance(dm.view, Reminders)
    assert [type(part) for part in dm.view.parts] == [Nudge, ImpactCheck]
    shown = render(dm.view)
    assert "CC-1" in shown and "CC-2" in shown and "signed off 6 months ago" in shown
    assert document(dm.view)  # one document, drawn by every renderer


def test_ninety_days_of_a_board_through_the_scheduler(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    board, messenger = seed_owners_and_chair(db), RecordingMessenger(clock)
    start = date(2026, 3, 2)  # through Easter and the early-May bank holiday
    for n in range(1, 31):
        owner = "pat" if n % 2 else "sam"
        add_action(db, board, n, owner, start + timedelta(days=3 * n - 20))
    add_action(db, board, 40, "pat", date(2025, 12, 1), status=Status.SIGNED_OFF, signed_off_on=date(2025, 12, 1))
    jobs = make_jobs(db, clock, settings, messenger)
    for offset in range(90):
        day = start + timedelta(days=offset)
        for hour in (9, 10, 16):
            clock.set(at(day, hour, 30))
            jobs.run_due()
    sent_days = [s.at.astimezone(LONDON).date() for s in messenger.sent]
    assert sent_days and all(is_working_day(d, ENGLAND) for d in sent_days)  # none at weekends or bank holidays
    per_person_day = Counter((s.to, s.at.astimezone(LONDON).date()) for s in messenger.dms())
    assert max(per_person_day.values()) == 1  # at most one DM per person per working day
    digests = [s.at.astimezone(LONDON).date() for s in messenger.digests()]
    assert date(2026, 4, 7) in digests and date(2026, 4, 6) not in digests  # Easter Monday's digest: Tuesday
    assert date(2026, 5, 5) in digests and date(2026, 5, 4) not in digests
    assert all(time(9) <= s.at.astimezone(LONDON).time() for s in messenger.sent)
    assert len(set(digests)) == 13  # one digest a week for 13 weeks, on one day each
    chair = [s for s in messenger.dms() if s.to == "chair@board.example.org"]
    assert chair and all(s.at.astimezone(LONDON).date() in digests or _only_twice_overdue(s) for s in chair)
    weekly = Counter(s.at.astimezone(LONDON).date().isocalendar()[1] for s in chair)
    assert max(weekly.values()) <= 2  # the weekly bundle, and at most one newly-twice-overdue flag between


def _only_twice_overdue(sent: object) -> bool:
    view = sent.view
    parts = view.parts if isinstance(view, Reminders) else (view,)
    return all(14 <= r.action.days_overdue < 21 for part in parts for r in part.reminders)


def test_a_reminder_says_why_and_has_buttons_to_act() -> None:
    action = ActionView(
        ref="CC-3", text="Audit the bruising protocol", review_code="CC", review_title="SCR Child C",
        agency="Police", owner="Pat Lead", owner_email="pat@police.example.org", due=date(2026, 4, 8),
        original_due=date(2026, 4, 8), status=Status.IN_PROGRESS, rag=Rag.AMBER, owner_rag=Rag.AMBER,
        days_overdue=0, progress=None, evidence=None, pending_extension=None,
    )  # fmt: skip
    nudge = Nudge("Pat Lead", (Reminder(action, "due in 7 days"),))
    assert "due in 7 days" in render(nudge)
    slack = [e for b in blocks.view_blocks(nudge) if b.get("type") == "actions" for e in b["elements"]]
    assert {"Post update", "Mark complete", "Request extension"} <= {e["text"]["text"] for e in slack}
    assert all(e["value"] == "CC-3" for e in slack)
    teams = str(cards.as_json(cards.card(nudge)))
    assert "Post update" in teams and "Mark complete" in teams


# ------------------------------------------------------------------ the digest: one message for a real board


def test_the_digest_of_a_150_action_board_is_one_message_on_every_surface(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    monday = date(2026, 4, 13)
    refs = demo_board(db, monday - timedelta(days=10))
    assert len(refs) == 150
    messenger = RecordingMessenger(clock)
    jobs = make_jobs(db, clock, settings, messenger)
    clock.set(at(monday, 9, 30))
    jobs.send_digest(monday)
    [posted] = messenger.digests()  # exactly one post
    digest = posted.view
    assert isinstance(digest, Digest) and (digest.part, digest.parts) == (1, 1)
    counts = dict(digest.sections[0].counts)
    assert counts["actions"] == 150 and counts["overdue"] > SHOWN  # counts first, of the whole board
    overdue = next(s for s in digest.sections if s.heading == "Overdue")
    assert len(overdue.actions) == SHOWN and overdue.more == counts["overdue"] - SHOWN
    assert [a.days_overdue for a in overdue.actions] == sorted((a.days_overdue for a in overdue.actions), reverse=True)
    [slack] = blocks.messages(digest)  # one Slack message: under 50 blocks, every section under 3,000 characters
    assert len(slack["blocks"]) <= blocks.MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= blocks.MAX_SECTION for b in slack["blocks"] if b["type"] == "section")
    more = [e for b in slack["blocks"] if b["type"] == "actions" for e in b["elements"]]
    assert [(e["text"]["text"], e["value"]) for e in more] == [("Full list", "/action outstanding")]
    [card] = cards.cards(digest)  # one Teams card, well under its 28 KB
    assert len(json.dumps(cards.as_json(card), ensure_ascii=False).encode()) < 28_000
    text = render(digest)
    assert f"…and {overdue.more} more: /action list overdue" in text and "/action outstanding" in text


# ------------------------------------------------------------------ 90 days of the demo board, grown to 150 actions

CHRISTMAS = (date(2026, 12, 25), date(2026, 12, 28), date(2027, 1, 1))  # Boxing Day falls on a Saturday: Monday 28th
REASON = re.compile(r"^(due in \d+ days|due tomorrow|due today|\d+ days? overdue)$")


def test_ninety_days_of_the_demo_board_keep_every_message_rule(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    start = date(2026, 11, 16)  # a Monday; 90 days run through Christmas, Boxing Day and New Year
    refs = demo_board(db, start)
    messenger = RecordingMessenger(clock)
    jobs = make_jobs(db, clock, settings, messenger)
    with db() as session:
        due = {a.ref: a.due for a in session.scalars(select(Action)).unique()}
        chair = session.scalars(select(Person.email).where(Person.role == Role.CHAIR)).one()
    days = [start + timedelta(days=offset) for offset in range(90)]
    for day in days:
        for hour in (8, 9, 10, 16):
            clock.set(at(day, hour, 30))
            jobs.run_due()
    assert len(refs) == 150

    def local(sent: Sent) -> date:
        return sent.at.astimezone(LONDON).date()

    # None at weekends or on bank holidays, the digest included.
    assert messenger.sent and all(is_working_day(local(s), ENGLAND) for s in messenger.sent)
    assert not [s for s in messenger.sent if local(s) in CHRISTMAS or local(s).weekday() >= 5]
    # At most one DM per person per working day.
    per_day = Counter((s.to, local(s)) for s in messenger.dms())
    assert max(per_day.values()) == 1
    # The digest: one message a week, on the week's first working day (Tuesday 29 December after Boxing Day's).
    weeks = sorted({week_start(day) for day in days})
    digests = messenger.digests()
    assert [local(s) for s in digests] == [next_working_day(week, ENGLAND) for week in weeks]
    assert date(2026, 12, 29) in [local(s) for s in digests]
    for posted in digests:
        digest = posted.view
        assert isinstance(digest, Digest) and digest.parts == 1
        assert dict(digest.sections[0].counts)["actions"] == 150
        assert len(blocks.messages(digest)) == 1 and len(cards.cards(digest)) == 1  # one post on each platform
    # The chair: at most one escalation DM a week, with the digest.
    to_chair = [s for s in messenger.dms() if s.to == chair]
    assert to_chair and max(Counter(week_start(local(s)) for s in to_chair).values()) == 1
    assert {local(s) for s in to_chair} <= {local(s) for s in digests}
    # One action: at most one DM a week, unless it is due (the day before, the day, the first working day after).
    mentioned: dict[str, list[date]] = {}
    for sent in messenger.dms():
        for part in _parts(sent.view):
            if isinstance(part, (Nudge, ImpactCheck)):
                for reminder in part.reminders:
                    mentioned.setdefault(reminder.action.ref, []).append(local(sent))
    assert len(mentioned) > 50
    for ref, when in mentioned.items():
        for before, after in zip(when, when[1:], strict=False):
            near = due[ref] is not None and due[ref] - timedelta(days=1) <= after <= _first_after(due[ref])
            assert (after - before).days >= 7 or near, (ref, before, after, due[ref])
    # Every reminder says why it came and has buttons to act; each DM is one message on each platform.
    for sent in messenger.dms():
        assert len(blocks.messages(sent.view)) == 1 and len(cards.cards(sent.view)) == 1
        buttons = {(e["text"]["text"], e["value"]) for b in blocks.view_blocks(sent.view) if b["type"] == "actions"
                   for e in b["elements"]}  # fmt: skip
        items = [e for e in document(sent.view) if isinstance(e, Item)]
        assert items and all(item.note for item in items)  # each action shown says why it came
        for part in _parts(sent.view):
            for reminder in part.reminders:
                if isinstance(part, Nudge):
                    assert REASON.match(reminder.reason), reminder.reason
                elif isinstance(part, ImpactCheck):
                    assert re.match(r"^signed off \d+ (months?|weeks?) ago \(.+\): has the change held\?$",
                                    reminder.reason)  # fmt: skip
                else:
                    assert "overdue; owner: " in reminder.reason
        for item in items:
            ref = item.action.ref
            if REASON.match(item.note or ""):  # a nudge: act on it in one click
                assert {("Post update", ref), ("Mark complete", ref)} <= buttons
            elif "has the change held" in (item.note or ""):
                assert ("Record impact", ref) in buttons
            else:  # the chair's escalation: Details shows the action in full
                assert item.accessory is not None and item.accessory.ref == ref


def _parts(view: object) -> tuple[Nudge | ImpactCheck | Escalation, ...]:
    return view.parts if isinstance(view, Reminders) else (view,)  # type: ignore[return-value]


def _first_after(due: date) -> date:
    return next_working_day(due + timedelta(days=1), ENGLAND)


def test_a_dm_about_many_actions_stays_one_message_and_says_where_the_rest_are() -> None:
    action = ActionView(
        ref="CC-1", text="Audit the bruising protocol " * 8, review_code="CC", review_title="SCR Child C",
        agency="South Gloucestershire Children's Social Care", owner="Pat Lead", owner_email="pat@example.org",
        due=date(2026, 4, 8), original_due=date(2026, 4, 8), status=Status.IN_PROGRESS, rag=Rag.RED,
        owner_rag=Rag.AMBER, days_overdue=5, progress=None, evidence=None, pending_extension=None,
    )  # fmt: skip
    many = tuple(Reminder(replace(action, ref=f"CC-{n}"), "5 days overdue") for n in range(1, 26))
    held = tuple(Reminder(replace(action, ref=f"CC-{n}", status=Status.SIGNED_OFF), "signed off 3 months ago")
                 for n in range(101, 104))  # fmt: skip
    for view in (Nudge("Pat Lead", many), Reminders((Nudge("Pat Lead", many), ImpactCheck("Pat Lead", held)))):
        assert len(blocks.messages(view)) == 1 and len(cards.cards(view)) == 1
        assert "…and 15 more: /action mine" in render(view)
        shown = [e for b in blocks.view_blocks(view) if b["type"] == "actions" for e in b["elements"]]
        assert len({e["value"] for e in shown}) == DM_ITEMS + (1 if isinstance(view, Reminders) else 0)  # one each
    assert "…and 2 more." in render(view)


def test_a_digest_with_every_list_full_and_long_names_is_still_one_message() -> None:
    today, at_ = date(2026, 4, 13), datetime(2026, 4, 10, 9, tzinfo=LONDON)
    asked = ExtensionView(today + timedelta(days=60), "Waiting for the new system", "Pat Lead", at_)
    long = ActionView(
        ref="CC-1", text="x", review_code="CC", review_title="Safeguarding adults and children review " * 3,
        agency="South Gloucestershire Children's Social Care and Early Help Services",
        owner="Dr Alexandra Montgomery-Fitzwilliam", owner_email="a@example.org", due=today, original_due=today,
        status=Status.IN_PROGRESS, rag=Rag.RED, owner_rag=Rag.RED, days_overdue=0, progress=None, evidence=None,
    )  # fmt: skip
    kinds = [(Status.IN_PROGRESS, 30, Rag.RED), (Status.IN_PROGRESS, 0, Rag.AMBER), (Status.COMPLETE, 0, Rag.BLUE)]
    actions = []
    for n in range(400):  # twelve reviews; overdue, at risk with an extension asked, and complete
        status, overdue, rag = kinds[n % 3]
        due = today - timedelta(days=overdue) if overdue else today + timedelta(days=5)
        extension = asked if n % 3 == 1 else None
        actions.append(replace(long, ref=f"R{n % 12:02d}-{n}", review_code=f"R{n % 12:02d}", status=status,
                               days_overdue=overdue, due=due, rag=rag, pending_extension=extension))  # fmt: skip
    updates = [UpdateLine(f"CC-{n}", long.owner or "", "progress_update", "n" * 280, at_) for n in range(30)]
    unanswered = [DeliveryProblem("Pat Lead", f"impact check on CC-{n}", "unanswered", "asked") for n in range(30)]
    sections = digest_sections(actions, updates, [], today, unanswered)
    lines = [len(s.actions) + len(s.reviews) + len(s.updates) + len(s.problems) for s in sections]
    assert lines == [0, 10, *[SHOWN] * 6, 0]  # every list full
    [digest] = split_digest(sections, today)
    [slack] = blocks.messages(digest)
    assert len(slack["blocks"]) <= blocks.MAX_BLOCKS
    assert all(len(b["text"]["text"]) <= blocks.MAX_SECTION for b in slack["blocks"] if b["type"] == "section")
    [card] = cards.cards(digest)
    assert len(json.dumps(cards.as_json(card), ensure_ascii=False).encode()) < 28_000
