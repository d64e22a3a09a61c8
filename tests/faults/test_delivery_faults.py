"""Slack's Web API failing while the weekly digest goes out: each part reaches the channel exactly once.

The real jobs (bot.jobs.Jobs) send through the real SlackMessenger to the fake Web API, on the
scheduler's own timetable (bot.scheduler.make_scheduler: the digest at DIGEST_SCHEDULE, the retry
pass every RETRY_EVERY_MINUTES) with a frozen clock moved by hand. The second part of a four-part
digest is refused with 429 (Retry-After) past the client's own retries, answered with a 500, or
left hanging past the client's timeout. Counted: the chat.postMessage calls to the channel for
each part, and the digest's row in the ledger.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from bot.jobs import MAX_ATTEMPTS, Jobs
from bot.rules import week_start
from bot.scheduler import RETRY_EVERY_MINUTES, digest_trigger, make_scheduler
from bot.services import ActionService
from bot.views import DeliveryProblem
from handlers.slack.client import SlackStatus, make_client
from handlers.slack.messenger import SlackMessenger
from storage.models import Action, Agency, DigestSent, Person, Plan, Rag, Review, ReviewKind, SendState, Status
from tests.fakes.slack_api import FakeSlackApi

CHANNEL = "C0DIGEST"
TIMEOUT = 2.0  # seconds per Web API call
MONDAY = date(2026, 4, 13)  # a working Monday; the default digest schedule is mon 09:00
LONDON = Settings().timezone
OVERDUE = 40  # unowned overdue actions (no nudges, so every post goes to the channel)
UNREACHABLE = 120  # people nobody can reach: the digest lists them all, so it runs to three parts
PART = re.compile(r"Weekly digest, week of [^(]+\((\d+) of (\d+)\)")


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        yield api


@pytest.fixture
def jobs(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings, slack_api: FakeSlackApi
) -> tuple[Jobs, Settings]:
    """A board whose digest runs to several parts, and the jobs that post it through Slack."""
    settings = replace(
        settings, slack_bot_token="xoxb-test", slack_api_url=slack_api.url, digest_channel=CHANNEL
    )  # fmt: skip
    with db.begin() as session:
        review = Review(code="DG", title="SCR Child D", kind=ReviewKind.SCR)
        agency = Agency(code="police", name="Police")
        session.add_all([review, agency])
        for n in range(1, OVERDUE + 1):
            due = MONDAY - timedelta(days=n)
            session.add(
                Action(
                    ref=f"DG-{n}", review=review, text=f"Action {n}", plan=Plan.SINGLE_AGENCY, agency=agency,
                    due=due, original_due=due, status=Status.IN_PROGRESS, rag=Rag.GREEN, version=0,
                )
            )  # fmt: skip
        session.add_all(Person(name=f"Lead {n}", email=f"lead{n}@example.org", unreachable="not in Slack")
                        for n in range(UNREACHABLE))  # fmt: skip
    status = SlackStatus()
    messenger = SlackMessenger(make_client(settings, status, timeout=TIMEOUT), db, status)
    service = ActionService(db, clock, settings)
    return Jobs(db, clock, settings, service, messenger, pause=lambda _: None), settings


def run_schedule(jobs: Jobs, settings: Settings, clock: FrozenClock, start: datetime, until: datetime) -> None:
    """Fire the scheduler's jobs at the times it would, from ``start`` to ``until``, with the clock moved."""
    plan = make_scheduler(jobs, settings, background=True)  # never started: only its jobs are used
    run_due, retry = plan.get_job("digest").func, plan.get_job("retry").func
    digest_times = []
    fire = digest_trigger(settings).get_next_fire_time(None, start)
    while fire is not None and fire <= until:
        digest_times.append(fire.astimezone(UTC))
        fire = digest_trigger(settings).get_next_fire_time(fire, fire + timedelta(seconds=1))
    moment = start
    while moment <= until:
        clock.set(moment)
        if moment in digest_times:
            run_due()
        elif moment.astimezone(LONDON).minute % RETRY_EVERY_MINUTES == 0:
            retry()
        moment += timedelta(minutes=1)


def posted_parts(api: FakeSlackApi) -> list[int]:
    """The digest part numbers of every chat.postMessage call to the channel, in order."""
    numbers = []
    for call in api.calls_to("chat.postMessage"):
        assert call.params["channel"] == CHANNEL  # nothing else is due: no reminders, no escalations
        match = PART.search(str(call.params.get("text", "")))
        if match:
            numbers.append(int(match[1]))
    return numbers


def parts_of_this_week(api: FakeSlackApi) -> int:
    for call in api.calls_to("chat.postMessage"):
        match = PART.search(str(call.params.get("text", "")))
        if match:
            return int(match[2])
    raise AssertionError("no digest part was posted")


def succeed_then(api: FakeSlackApi, calls: int) -> None:
    """Let the next ``calls`` chat.postMessage calls through (a hang of 0 s answers normally)."""
    api.hang("chat.postMessage", 0, times=calls)


FAULTS: dict[str, Callable[[FakeSlackApi], None]] = {
    # Refused three times: the client waits out Retry-After twice, then the job records a failure.
    "429 with Retry-After": lambda api: api.fail("chat.postMessage", status=429, retry_after=1, times=3),
    "500": lambda api: api.fail("chat.postMessage", status=500),
    # The request reaches Slack (the fake records it and posts it), but the answer comes too late.
    "timeout": lambda api: api.hang("chat.postMessage", TIMEOUT + 1.5),
}
REFUSED = {"429 with Retry-After": 3, "500": 1, "timeout": 0}  # calls to part 2 that posted nothing


@pytest.mark.parametrize("fault", list(FAULTS))
def test_a_digest_part_refused_or_timed_out_is_delivered_exactly_once_later(
    fault: str,
    jobs: tuple[Jobs, Settings],
    clock: FrozenClock,
    slack_api: FakeSlackApi,
    db: sessionmaker[Session],
) -> None:
    job, settings = jobs
    succeed_then(slack_api, 1)  # part 1 goes out
    FAULTS[fault](slack_api)  # part 2 does not, or not for certain
    run_schedule(job, settings, clock, at(MONDAY, 8, 59), at(MONDAY, 11, 0))
    run_schedule(job, settings, clock, at(MONDAY + timedelta(days=1), 8, 59), at(MONDAY + timedelta(days=1), 9, 30))

    total = parts_of_this_week(slack_api)
    assert total >= 3, "the board must make a digest of several parts"
    parts = posted_parts(slack_api)
    assert parts.count(2) == REFUSED[fault] + 1  # each refusal was sent again; the delivery never was
    delivered = [number for number in parts if number != 2] + [2]
    assert sorted(delivered) == list(range(1, total + 1))  # every part exactly once: none lost, none doubled
    assert parts == sorted(parts)  # in order
    with db() as session:
        row = session.scalars(select(DigestSent)).one()
    assert row.week == week_start(MONDAY) and row.parts_sent == total
    # A timeout may have posted part 2: it is never resent, and the coordinator is told next week.
    assert row.state is (SendState.UNCERTAIN if fault == "timeout" else SendState.SENT)
    reported = next_weeks_problems(job, clock)
    assert reported == ([("digest of 2026-04-13", "uncertain")] if fault == "timeout" else [])


def test_a_digest_refused_at_every_attempt_gives_up_and_is_reported(
    jobs: tuple[Jobs, Settings], clock: FrozenClock, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    job, settings = jobs
    succeed_then(slack_api, 1)
    slack_api.fail("chat.postMessage", status=500, times=100)
    run_schedule(job, settings, clock, at(MONDAY, 8, 59), at(MONDAY, 11, 0))
    assert posted_parts(slack_api) == [1] + [2] * MAX_ATTEMPTS  # tried MAX_ATTEMPTS times, then left alone
    with db() as session:
        row = session.scalars(select(DigestSent)).one()
    assert (row.state, row.parts_sent, row.attempts) == (SendState.GAVE_UP, 1, MAX_ATTEMPTS)
    assert next_weeks_problems(job, clock) == [("digest of 2026-04-13", "gave_up")]


def next_weeks_problems(jobs: Jobs, clock: FrozenClock) -> list[tuple[str, str]]:
    """What the next weekly digest lists under "Messages that did not get through"."""
    clock.set(at(MONDAY + timedelta(days=7), 9))
    found: list[DeliveryProblem] = []
    for part in jobs.preview_digest():
        for section in part.sections:
            if section.heading.startswith("Messages that did not get through"):
                found += section.problems
    return [(problem.what, problem.state) for problem in found if problem.state != "unreachable"]
