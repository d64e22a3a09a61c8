"""Nudges, escalations and the digest: sent once through the ledger, whatever restarts, races or failures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.calendar import bank_holidays, is_working_day
from bot.chat.compose import DM_ITEMS
from bot.clock import FrozenClock
from bot.config import ConfigError, Settings
from bot.jobs import DEAD_AFTER, MAX_ATTEMPTS, Jobs, rows
from bot.ports import Outcome
from bot.rules import escalation_period, nudge_window
from bot.scheduler import digest_trigger, sweep_trigger
from bot.views import Digest, Escalation, Nudge
from handlers.text import render
from storage import db as storage_db
from storage.models import Action, DigestSent, NudgeSent, Person, Role, Scheduler, SendState, Status
from tests.bot.scheduling import LONDON, RecordingMessenger, Sent, add_action, at, make_jobs


@pytest.fixture
def messenger(clock: FrozenClock) -> RecordingMessenger:
    return RecordingMessenger(clock)


@pytest.fixture
def jobs(db: sessionmaker[Session], clock: FrozenClock, settings: Settings, messenger: RecordingMessenger) -> Jobs:
    return make_jobs(db, clock, settings, messenger)


def ledger(db: sessionmaker[Session]) -> list[NudgeSent]:
    with db() as session:
        return list(session.scalars(select(NudgeSent).order_by(NudgeSent.id)))


def refs(sent: Sent) -> list[str]:
    assert isinstance(sent.view, Nudge | Escalation)
    return [r.action.ref for r in sent.view.reminders]


# ------------------------------------------------------------------ pure rules


@pytest.mark.parametrize(
    ("days_left", "window"),
    [(30, None), (15, None), (14, "before-14"), (10, "before-14"), (7, "before-7"), (2, "before-7"),
     (1, "before-1"), (0, "before-0"), (-1, "overdue-0"), (-7, "overdue-0"), (-8, "overdue-1"), (-15, "overdue-2")],
)  # fmt: skip
def test_nudge_windows(days_left: int, window: str | None) -> None:
    today = date(2026, 4, 1)
    assert nudge_window(today + timedelta(days=days_left), today, (14, 7, 1, 0)) == window


@pytest.mark.parametrize(("overdue", "period"), [(6, None), (7, 0), (13, 0), (14, 1), (21, 2)])
def test_escalation_periods(overdue: int, period: int | None) -> None:
    today = date(2026, 4, 1)
    assert escalation_period(today - timedelta(days=overdue), today, 7) == period


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (date(2026, 4, 3), False),  # Good Friday
        (date(2026, 4, 6), False),  # Easter Monday
        (date(2026, 5, 4), False),  # early May
        (date(2026, 5, 25), False),  # spring
        (date(2026, 8, 31), False),  # summer
        (date(2026, 12, 25), False),
        (date(2026, 12, 28), False),  # Boxing Day falls on a Saturday: substitute Monday
        (date(2027, 12, 27), False),  # Christmas on a Saturday
        (date(2027, 12, 28), False),
        (date(2027, 1, 1), False),
        (date(2022, 1, 3), False),  # New Year's Day on a Saturday
        (date(2023, 5, 8), False),  # coronation
        (date(2026, 4, 7), True),
        (date(2026, 12, 24), True),
        (date(2026, 4, 4), False),  # Saturday
    ],
)
def test_working_days_in_england_and_wales(day: date, working: bool) -> None:
    assert is_working_day(day) is working


def test_eight_bank_holidays_a_year() -> None:
    assert all(len(bank_holidays(year)) == 8 for year in (2024, 2025, 2026, 2027, 2028))


# ------------------------------------------------------------------ the schedule


def test_sweep_fires_once_at_nine_local_across_both_clock_changes(settings: Settings) -> None:
    trigger = sweep_trigger(settings)
    for first, last in ((date(2026, 3, 26), date(2026, 4, 1)), (date(2026, 10, 22), date(2026, 10, 29))):
        fired = []
        moment = datetime.combine(first, time(0, 0), LONDON)
        while True:
            moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
            if moment.date() > last:
                break
            fired.append(moment)
        days = [m.date() for m in fired]
        assert len(days) == len(set(days)) == sum(1 for d in days if d.weekday() < 5)
        assert all(m.astimezone(LONDON).time() == time(9, 0) for m in fired)
    # 09:00 London is 08:00 UTC in summer and 09:00 UTC in winter.
    assert {m.astimezone(UTC).hour for m in fired} == {8, 9}


def test_digest_fires_weekly_on_its_day(settings: Settings) -> None:
    trigger = digest_trigger(settings)
    moment = datetime(2026, 3, 25, tzinfo=LONDON)
    fired = []
    for _ in range(3):
        moment = trigger.get_next_fire_time(None, moment + timedelta(seconds=1))
        fired.append(moment.astimezone(LONDON))
    assert [f.date() for f in fired] == [date(2026, 3, 30), date(2026, 4, 6), date(2026, 4, 13)]
    assert all(f.time() == time(9, 0) for f in fired)


@pytest.mark.parametrize("schedule", ["sun 01:30", "mon 1:00", "tue 25:00", "someday 09:00"])
def test_schedules_in_the_skipped_or_repeated_hour_are_refused(schedule: str) -> None:
    with pytest.raises(ConfigError, match="DIGEST_SCHEDULE"):
        Settings.from_env({"DIGEST_SCHEDULE": schedule})


# ------------------------------------------------------------------ the sweep


def test_one_message_per_person_listing_all_their_actions(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 1)
    clock.set(at(today))
    add_action(db, board, 1, "pat", today + timedelta(days=7))
    add_action(db, board, 2, "pat", today - timedelta(days=1))
    add_action(db, board, 3, "sam", today)
    add_action(db, board, 4, "pat", today, status=Status.COMPLETE)
    add_action(db, board, 5, "pat", today - timedelta(days=3), status=Status.SIGNED_OFF)
    add_action(db, board, 6, "sam", today + timedelta(days=40))
    jobs.run_due()
    by_person = {s.to: refs(s) for s in messenger.dms()}
    assert by_person == {"pat@police.example.org": ["CC-2", "CC-1"], "sam@police.example.org": ["CC-3"]}
    jobs.run_due()
    jobs.sweep()
    assert len(messenger.dms()) == 2  # again and again: nothing new
    assert {row.state for row in ledger(db)} == {SendState.SENT}


def test_a_second_sweep_on_the_same_day_sends_nobody_a_second_dm(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 13)  # a Monday
    add_action(db, board, 1, "pat", today + timedelta(days=7))
    clock.set(at(today))
    jobs.run_due()
    # Later that day (a sweep from cron, a restart's catch-up) new reminders are due: an action added due
    # tomorrow for Pat, who has had today's DM, and one for Sam, who has not.
    add_action(db, board, 2, "pat", today + timedelta(days=1))
    add_action(db, board, 3, "sam", today + timedelta(days=1))
    clock.set(at(today, 14))
    jobs.sweep()
    clock.set(at(today + timedelta(days=1)))
    jobs.run_due()
    got = [(s.at.astimezone(LONDON).date(), s.to, refs(s)) for s in messenger.dms()]
    assert got == [
        (today, "pat@police.example.org", ["CC-1"]),
        (today, "sam@police.example.org", ["CC-3"]),  # Sam's first DM of the day
        (today + timedelta(days=1), "pat@police.example.org", ["CC-2"]),  # the next working day, due today
        (today + timedelta(days=1), "sam@police.example.org", ["CC-3"]),  # due today: its own reminder
    ]


def test_a_month_of_reminders_for_one_action(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    due = date(2026, 6, 17)  # a Wednesday; 14, 7 and 1 days before are working days
    add_action(db, board, 1, "pat", due)
    day = date(2026, 5, 25)  # spring bank holiday
    while day <= date(2026, 7, 10):
        for hour in (8, 9, 14):  # before the sweep time, at it, and later: once a day at most
            clock.set(at(day, hour))
            jobs.run_due()
        day += timedelta(days=1)
    got = [(s.at.astimezone(LONDON).date(), s.to) for s in messenger.dms()]
    owner, chair = "pat@police.example.org", "chair@board.example.org"
    assert got == [
        (date(2026, 6, 3), owner),  # 14 days before
        (date(2026, 6, 10), owner),  # 7 days before
        (date(2026, 6, 16), owner),  # the day before
        (date(2026, 6, 17), owner),  # due today
        (date(2026, 6, 18), owner),  # first working day overdue
        (date(2026, 6, 25), owner),  # a week later
        (date(2026, 6, 29), chair),  # 7+ days overdue: in the chair's weekly DM, with Monday's digest
        (date(2026, 7, 2), owner),
        (date(2026, 7, 6), chair),  # a further period overdue: the next week's DM
        (date(2026, 7, 9), owner),
    ]
    assert all(s.at.astimezone(LONDON).time() == time(9, 0) for s in messenger.dms())


def test_a_reminder_due_at_the_weekend_or_on_a_bank_holiday_goes_on_the_next_working_day(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    add_action(db, board, 1, "pat", date(2026, 4, 17))  # 14 days before is Good Friday
    add_action(db, board, 2, "sam", date(2026, 4, 3))  # due on Good Friday
    for day in (date(2026, 4, 2), date(2026, 4, 3), date(2026, 4, 4), date(2026, 4, 6), date(2026, 4, 7)):
        clock.set(at(day))
        jobs.run_due()
    got = [(s.at.astimezone(LONDON).date(), refs(s)) for s in messenger.dms()]
    assert got == [
        (date(2026, 4, 2), ["CC-2"]),  # the day before the holiday
        (date(2026, 4, 7), ["CC-1"]),  # the 14-day reminder, after the Easter weekend
        (date(2026, 4, 7), ["CC-2"]),  # overdue: the first working day after Easter Monday
    ]


def test_an_extended_action_starts_its_reminders_again(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 13)  # a Monday
    add_action(db, board, 1, "pat", today + timedelta(days=1))
    clock.set(at(today))
    jobs.run_due()
    with db.begin() as session:
        session.scalars(select(Action)).unique().one().due = today + timedelta(days=3)
    for day in range(2):  # not again the same day, nor that week: one action, one DM a week (bot.jobs.policy)
        clock.set(at(today + timedelta(days=day), 10))
        jobs.run_due()
    assert [s.view.reminders[0].reason for s in messenger.dms()] == ["due tomorrow"]  # type: ignore[union-attr]
    clock.set(at(today + timedelta(days=2), 10))
    jobs.run_due()  # the new date's reminders: due tomorrow may come within the week
    assert [s.view.reminders[0].reason for s in messenger.dms()] == ["due tomorrow", "due tomorrow"]  # type: ignore[union-attr]


# ------------------------------------------------------------------ failures, restarts and races


def test_a_definite_failure_is_retried_then_delivered_once(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 1)
    add_action(db, board, 1, "pat", today)
    clock.set(at(today))
    messenger.script = [Outcome.FAILED]
    summary = jobs.run_due()
    assert (summary.sent, summary.failed) == (0, 1)
    assert [r.state for r in ledger(db)] == [SendState.FAILED]
    clock.set(at(today, 9, 10))
    jobs.retry()
    jobs.retry()
    assert len(messenger.dms()) == 1
    [row] = ledger(db)
    assert (row.state, row.attempts, row.message_ts) == (SendState.SENT, 2, "1.000")


def test_after_the_last_attempt_a_failure_is_reported_in_the_digest(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 1)
    add_action(db, board, 1, "pat", today)
    clock.set(at(today))
    messenger.script = [Outcome.FAILED] * MAX_ATTEMPTS
    jobs.run_due()
    for minutes in range(1, MAX_ATTEMPTS + 2):
        clock.set(at(today, 9, 10 * minutes))
        jobs.retry()
    assert messenger.dms() == []
    assert [r.state for r in ledger(db)] == [SendState.GAVE_UP]
    problems = [p for d in jobs.preview_digest() for s in d.sections for p in s.problems]
    assert [(p.who, p.what, p.state) for p in problems] == [("Pat Owner", "nudge about CC-1", "gave_up")]


def test_an_uncertain_send_is_never_resent_and_is_shown_to_the_coordinator(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 1)
    add_action(db, board, 1, "pat", today)
    clock.set(at(today))
    messenger.script = [Outcome.UNCERTAIN]
    jobs.run_due()
    clock.set(at(today, 11))
    jobs.retry()
    jobs.run_due()
    assert len(messenger.dms()) == 1  # at most once: the uncertain one may have arrived
    problems = [p for d in jobs.preview_digest() for s in d.sections for p in s.problems]
    assert [(p.what, p.state) for p in problems] == [("nudge about CC-1", "uncertain")]


def test_an_unreachable_owner_is_marked_and_reported(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 1)
    add_action(db, board, 1, "pat", today)
    clock.set(at(today))
    messenger.script = [Outcome.UNDELIVERABLE]
    messenger.sessions = db  # the port marks the person, with its platform's reason; the job does not again
    jobs.run_due()
    with db() as session:
        assert session.get(Person, board["pat"]).unreachable == "slack: undeliverable"  # type: ignore[union-attr]
    problems = [p for d in jobs.preview_digest() for s in d.sections for p in s.problems]
    assert {(p.who, p.state) for p in problems} == {("Pat Owner", "undeliverable"), ("Pat Owner", "unreachable")}


def _killed_mid_sweep(db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs,
                      messenger: RecordingMessenger) -> date:  # fmt: skip
    """Three people due a reminder; the sweep dies while sending the second message."""
    today = date(2026, 4, 1)
    add_action(db, board, 1, "pat", today)
    add_action(db, board, 2, "sam", today)
    with db.begin() as session:  # a third person, so the sweep has three messages to send
        person = Person(name="Kim Owner", email="kim@police.example.org", role=Role.AGENCY_LEAD)
        session.add(person)
        session.flush()
        board["kim"] = person.id
    add_action(db, board, 3, "kim", today)
    clock.set(at(today))
    messenger.crash_on = 2  # killed while sending the second message
    with pytest.raises(SystemExit):
        jobs.run_due()
    assert [r.state for r in ledger(db)] == [SendState.SENT, SendState.SENDING, SendState.CLAIMED]
    return today


@pytest.mark.parametrize(
    ("gone", "after"),
    [
        ({"host": "elsewhere"}, DEAD_AFTER + timedelta(seconds=1)),  # another machine: its heartbeat stopped
        ({"process": "the previous run"}, timedelta(0)),  # this host and pid, another process: its own last run
        ({"pid": 2**22 + 7}, timedelta(0)),  # this host, a process that no longer exists
    ],
)
def test_a_restart_takes_over_a_dead_schedulers_claims_at_once_and_sends_nothing_twice(
    gone: dict[str, object],
    after: timedelta,
    db: sessionmaker[Session],
    board: dict[str, int],
    clock: FrozenClock,
    settings: Settings,
    jobs: Jobs,
    messenger: RecordingMessenger,
) -> None:
    today = _killed_mid_sweep(db, board, clock, jobs, messenger)
    with db.begin() as session:  # the dead sweep's scheduler, as it would look from the restarted one
        session.execute(Scheduler.__table__.update().values(**gone))

    restarted = make_jobs(db, clock, settings, messenger)
    if after:  # another machine's scheduler is alive while its heartbeat is fresh: nothing is taken
        clock.set(at(today) + after - timedelta(seconds=2))
        restarted.run_due()
        assert len(messenger.dms()) == 1
        clock.set(at(today) + after)
    restarted.run_due()
    restarted.run_due()
    assert sorted(s.to for s in messenger.dms()) == ["kim@police.example.org", "pat@police.example.org"]
    states = [r.state for r in ledger(db)]
    assert states == [SendState.SENT, SendState.UNCERTAIN, SendState.SENT]  # the one in flight is reported
    assert "the sender stopped while sending" in repr(restarted.preview_digest())  # listed in the next digest


def test_a_scheduler_alive_in_this_process_keeps_its_claims(
    db: sessionmaker[Session],
    board: dict[str, int],
    clock: FrozenClock,
    settings: Settings,
    jobs: Jobs,
    messenger: RecordingMessenger,
) -> None:
    today = _killed_mid_sweep(db, board, clock, jobs, messenger)
    restarted = make_jobs(db, clock, settings, messenger)  # a second scheduler beside it, in the same process
    restarted.run_due()
    assert len(messenger.dms()) == 1  # its heartbeat is fresh: its claims are its own
    clock.set(at(today) + DEAD_AFTER + timedelta(seconds=1))  # then it stops beating
    restarted.retry()
    assert sorted(s.to for s in messenger.dms()) == ["kim@police.example.org", "pat@police.example.org"]


def test_a_scheduler_taken_for_dead_while_sending_sends_nothing_another_took_over(
    db: sessionmaker[Session],
    board: dict[str, int],
    clock: FrozenClock,
    settings: Settings,
    jobs: Jobs,
    messenger: RecordingMessenger,
) -> None:
    today = date(2026, 4, 1)
    for n, owner in enumerate(("pat", "sam"), start=1):
        add_action(db, board, n, owner, today)
    clock.set(at(today))
    other = make_jobs(db, clock, settings, messenger)

    def stalled_past_its_heartbeat() -> None:  # the first DM hangs so long another scheduler takes over
        clock.advance(DEAD_AFTER + timedelta(seconds=1))
        other.retry()

    messenger.on_send = stalled_past_its_heartbeat
    jobs.sweep()
    assert sorted(s.to for s in messenger.dms()) == ["pat@police.example.org", "sam@police.example.org"]  # once each
    assert [r.state for r in ledger(db)] == [SendState.SENT, SendState.SENT]


def test_a_message_part_of_which_another_run_took_sends_nothing_and_releases_the_rest(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    today = date(2026, 4, 1)
    for n, owner in enumerate(("pat", "sam", "pat", "sam"), start=1):
        add_action(db, board, n, owner, today)  # two reminders each: one message each
    clock.set(at(today))
    taken: list[int] = []

    def another_run_takes_one_row_of_the_next_message() -> None:
        if taken:
            return
        with db.begin() as session:
            row = session.scalars(select(NudgeSent).where(NudgeSent.state == SendState.CLAIMED).limit(1)).one()
            row.claimed_by = "another run"
            taken.append(row.id)

    messenger.on_send = another_run_takes_one_row_of_the_next_message
    jobs.sweep()
    assert len(messenger.dms()) == 1  # the first message; the second was no longer all this run's
    rows = ledger(db)
    first = {r.person_id for r in rows if r.state is SendState.SENT}
    assert len(first) == 1 and sum(r.state is SendState.SENT for r in rows) == 2
    other = [r for r in rows if r.person_id not in first]
    assert [(r.id in taken, r.state, r.attempts) for r in other] == [
        (r.id in taken, SendState.CLAIMED if r.id in taken else SendState.RELEASED, 0) for r in other
    ]  # the row taken is left to its run; the one still held is released, untried
    assert sorted(r.id in taken for r in other) == [False, True]


def test_a_sweeps_claims_are_stored_person_by_person(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs
) -> None:
    today = date(2026, 4, 1)
    for n in range(1, 9):
        add_action(db, board, n, "pat" if n % 2 else "sam", today)  # interleaved owners
    clock.set(at(today))
    jobs.sweep()
    ids: dict[int | None, list[int]] = {}
    for row in ledger(db):
        ids.setdefault(row.person_id, []).append(row.id)
    # Each message's rows side by side (a few pages written per message's commit, not one per row).
    assert len(ids) == 2 and all(mine == list(range(mine[0], mine[0] + len(mine))) for mine in ids.values())


def test_a_long_dm_builds_the_views_of_only_the_actions_it_shows(
    db: sessionmaker[Session],
    board: dict[str, int],
    clock: FrozenClock,
    jobs: Jobs,
    messenger: RecordingMessenger,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    today = date(2026, 4, 1)
    for n in range(1, 26):
        add_action(db, board, n, "pat", today - timedelta(days=n))
    clock.set(at(today))
    built: list[str] = []
    view_of = rows.view_of
    monkeypatch.setattr(rows, "view_of", lambda row, *rest: built.append(row.ref) or view_of(row, *rest))
    jobs.sweep()
    (sent,) = messenger.dms()
    assert built == []  # nothing is built until the message is composed
    shown = render(sent.view)
    assert len(built) == DM_ITEMS and "25 of your actions" in shown and "…and 15 more" in shown
    assert refs(sent) == [f"CC-{n}" for n in range(25, 0, -1)]  # every reminder is there when read: oldest first
    assert refs(sent)[:3] == ["CC-25", "CC-24", "CC-23"] and len(built) == 25  # each built once


def test_a_stopped_sweep_finishes_its_message_and_releases_the_rest(
    db: sessionmaker[Session],
    board: dict[str, int],
    clock: FrozenClock,
    settings: Settings,
    jobs: Jobs,
    messenger: RecordingMessenger,
) -> None:
    today = date(2026, 4, 1)
    for n, owner in enumerate(("pat", "sam"), start=1):
        add_action(db, board, n, owner, today)
    clock.set(at(today))
    messenger.on_send = jobs.stop  # SIGTERM arrives while the first message is in flight
    jobs.run_due()
    assert len(messenger.dms()) == 1
    assert sorted(r.state for r in ledger(db)) == [SendState.RELEASED, SendState.SENT]
    jobs.retire()
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Scheduler)) == 0

    restarted = make_jobs(db, clock, settings, messenger)
    restarted.run_due()
    restarted.run_due()
    assert sorted(s.to for s in messenger.dms()) == ["pat@police.example.org", "sam@police.example.org"]
    assert {r.state for r in ledger(db)} == {SendState.SENT}


def test_two_schedulers_racing_send_each_reminder_once(
    database_url: str, board: dict[str, int], db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    today = date(2026, 4, 1)
    for n in range(1, 21):
        add_action(db, board, n, "pat" if n % 2 else "sam", today + timedelta(days=n % 3))
    clock.set(at(today))
    messenger = RecordingMessenger(clock)
    engines = [storage_db.make_engine(database_url) for _ in range(2)]
    schedulers = [make_jobs(storage_db.make_sessionmaker(e), clock, settings, messenger) for e in engines]
    start = threading.Barrier(len(schedulers))
    errors: list[BaseException] = []

    def run(jobs: Jobs) -> None:
        try:
            start.wait()
            for _ in range(3):
                jobs.sweep()
        except BaseException as error:  # noqa: BLE001 - reported by the assertion below
            errors.append(error)

    threads = [threading.Thread(target=run, args=(jobs,)) for jobs in schedulers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for engine in engines:
        engine.dispose()
    assert errors == []
    reminded = sorted(ref for s in messenger.dms() for ref in refs(s))
    assert reminded == sorted(f"CC-{n}" for n in range(1, 21))
    assert len(messenger.dms()) == 2  # one each for Pat and Sam
    assert {r.state for r in ledger(db)} == {SendState.SENT}


# ------------------------------------------------------------------ the digest


def test_the_digest_goes_out_once_a_week_and_a_restart_catches_up(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    add_action(db, board, 1, "pat", date(2026, 4, 20))
    monday = date(2026, 4, 13)
    clock.set(at(monday, 8, 59))
    jobs.run_due()
    assert messenger.digests() == []
    clock.set(at(monday, 11, 30))  # the scheduler was down at 09:00: it catches up, once
    jobs.run_due()
    jobs.run_due()
    clock.set(at(monday + timedelta(days=3)))
    jobs.run_due()
    [posted] = messenger.digests()
    assert posted.to == "#C0SUBGROUP" and isinstance(posted.view, Digest)
    assert posted.view.week == monday
    clock.set(at(monday + timedelta(days=7)))
    jobs.run_due()
    assert [d.view.week for d in messenger.digests()] == [monday, monday + timedelta(days=7)]  # type: ignore[union-attr]


def test_a_digest_missed_by_days_is_left_for_the_next(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    clock.set(at(date(2026, 4, 16)))  # Thursday: Monday's digest is days old
    jobs.run_due()
    assert messenger.digests() == []


def test_a_long_digest_is_split_and_resumes_after_the_part_that_went_out(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    monday = date(2026, 4, 13)
    for n in range(1, 41):
        add_action(db, board, n, "pat", monday - timedelta(days=n))  # 40 overdue actions: a few shown, all counted
    with db.begin() as session:  # every message that did not get through is listed: 120 people nobody can reach
        session.add_all(Person(name=f"Lead {n}", email=f"lead{n}@example.org", unreachable="not in Slack")
                        for n in range(120))  # fmt: skip
    pauses: list[float] = []
    jobs.pause = pauses.append
    clock.set(at(monday, 9))
    parts = len(jobs.preview_digest())
    assert parts >= 3
    messenger.script = [Outcome.SENT, Outcome.SENT, Outcome.FAILED]
    jobs.send_digest(monday)
    assert len(messenger.digests()) == 2
    clock.set(at(monday, 9, 20))
    jobs.send_digest(monday)
    jobs.send_digest(monday)
    posted = messenger.digests()
    assert [d.view.part for d in posted] == list(range(1, parts + 1))  # type: ignore[union-attr]
    listed = [p.who for d in posted for s in d.view.sections for p in s.problems]  # type: ignore[union-attr]
    assert sorted(listed) == sorted(f"Lead {n}" for n in range(120))  # nothing cut
    overdue = [s for d in posted for s in d.view.sections if s.heading == "Overdue"]  # type: ignore[union-attr]
    assert [(len(s.actions), s.more) for s in overdue] == [(5, 35)]  # once, in the first part
    assert len(pauses) == parts - 1  # paced between parts to the one channel
    with db() as session:
        row = session.scalars(select(DigestSent)).one()
        assert (row.state, row.parts_sent, row.message_ts) == (SendState.SENT, parts, "1.000")


def test_a_wrong_channel_is_reported_not_retried(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs, messenger: RecordingMessenger
) -> None:
    clock.set(at(date(2026, 4, 13)))
    messenger.script = [Outcome.CHANNEL_PROBLEM]
    jobs.run_due()
    clock.set(at(date(2026, 4, 13), 10))
    jobs.run_due()
    assert messenger.digests() == []
    with db() as session:
        assert session.scalars(select(DigestSent.state)).one() is SendState.GAVE_UP


# ------------------------------------------------------------------ statements


@pytest.fixture
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield seen
    event.remove(engine, "before_cursor_execute", count)


@pytest.mark.parametrize("actions", [4, 60])
def test_the_sweep_and_digest_run_a_fixed_number_of_statements(
    actions: int,
    db: sessionmaker[Session],
    board: dict[str, int],
    clock: FrozenClock,
    jobs: Jobs,
    statements: list[str],
    request: pytest.FixtureRequest,
) -> None:
    today = date(2026, 4, 1)
    for n in range(1, actions + 1):
        add_action(db, board, n, "pat" if n % 2 else "sam", today + timedelta(days=n % 3 - 1))
    clock.set(at(today))
    jobs.take_over()  # a running scheduler registered itself once, at start
    statements.clear()
    jobs.sweep()
    sweep = len(statements)
    statements.clear()
    jobs.preview_digest()
    digest = len(statements)
    with db() as session:
        assert session.scalar(select(func.count()).select_from(NudgeSent)) > 0
    # Two people get messages (and the chair, for escalations): the count depends on them, not on actions.
    assert (sweep, digest) == EXPECTED_STATEMENTS[db.kw["bind"].dialect.name]


# Per message one transaction (the previous outcome and this one's ``sending``); SQLite adds BEGIN IMMEDIATE.
# One more per sweep: when each action was last in a reminder (one DM a week per action, bot.jobs.policy).
# The digest: one GROUP BY for its counts, one LIMIT query per list it shows, the week's updates, the
# waiting extensions of the lines shown, its problems and the protected names (bot.jobs.digest_queries).
EXPECTED_STATEMENTS = {"sqlite": (15, 13), "postgresql": (11, 12)}


def test_a_name_registered_for_any_review_never_reaches_the_digest(
    db: sessionmaker[Session], board: dict[str, int], clock: FrozenClock, jobs: Jobs
) -> None:
    from storage.models import ProtectedName, Review, ReviewKind

    monday = date(2026, 4, 13)
    # Loaded before the name was registered, so the guard at the door never saw it.
    add_action(db, board, 1, "pat", monday - timedelta(days=10), text="Visit Jane Doe's school about attendance")
    clock.set(at(monday, 9))
    assert "Jane Doe" in repr(jobs.preview_digest())
    with db.begin() as session:
        other = Review(code="BM", title="SCR Baby M", kind=ReviewKind.SCR)
        session.add(other)
        session.flush()
        session.add(ProtectedName(review_id=other.id, name="Jane Doe"))  # registered for ANOTHER review
    shown = repr(jobs.preview_digest())
    assert "Jane Doe" not in shown and "CC-1" in shown
