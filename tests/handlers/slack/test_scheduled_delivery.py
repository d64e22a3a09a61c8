"""A month of the demo plan through the real Slack messenger: what reached the Web API, and when."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.calendar import is_working_day
from bot.clock import FrozenClock
from bot.config import Settings
from bot.demo import load_demo
from bot.jobs import STALE_CLAIM, Jobs
from bot.services import ActionService
from handlers.slack.client import SlackStatus, make_client
from handlers.slack.messenger import SlackMessenger
from storage.models import Action, DigestSent, NudgeSent, Person, SendState, Status
from tests.fakes.slack_api import Call, FakeSlackApi
from tests.handlers.slack.conftest import DIGEST_CHANNEL, TIMEOUT

LONDON = Settings().timezone
START = date(2026, 6, 1)  # a Monday
REF = re.compile(r"\*([A-Z]+-\d+)\*")


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


@pytest.fixture
def demo(
    db: sessionmaker[Session], clock: FrozenClock, slack_settings: Settings, slack_api: FakeSlackApi
) -> tuple[Jobs, dict[str, str]]:
    """The demo plan loaded on START, its people in the fake workspace, and the jobs sending to Slack."""
    clock.set(at(START, 8))
    load_demo(db, today=START, now=clock.now())
    with db() as session:
        people = {p.email: f"U{p.id:04d}" for p in session.scalars(select(Person))}
    for email, user_id in people.items():
        slack_api.add_user(user_id, email, email.split("@")[0])
    status = SlackStatus()
    messenger = SlackMessenger(make_client(slack_settings, status, timeout=TIMEOUT), db, status)
    service = ActionService(db, clock, slack_settings)
    return Jobs(db, clock, slack_settings, service, messenger, pause=lambda _: None), people


def posts(api: FakeSlackApi) -> list[Call]:
    return api.calls_to("chat.postMessage")


def refs(call: Call) -> list[str]:
    blocks = call.params.get("blocks")
    text = blocks if isinstance(blocks, str) else repr(blocks)
    return REF.findall(text)


def test_a_month_of_the_demo_plan(
    demo: tuple[Jobs, dict[str, str]], db: sessionmaker[Session], clock: FrozenClock, slack_api: FakeSlackApi
) -> None:
    jobs, people = demo
    with db() as session:
        owner_of = {a.ref: people[a.owner.email] for a in session.scalars(select(Action)).unique() if a.owner}
        open_refs = {a.ref for a in session.scalars(select(Action)).unique() if a.status.is_open}
        signed_refs = {a.ref for a in session.scalars(select(Action)).unique() if a.status is Status.SIGNED_OFF}
        chair = session.scalars(select(Person.email).where(Person.role == "chair")).one()
    sent_on: dict[int, date] = {}  # id(call) -> the day it was sent
    for offset in range(28):
        day = START + timedelta(days=offset)
        for hour in (8, 9, 13):  # before the sweep, at it, and after: nothing goes twice
            clock.set(at(day, hour))
            before = len(posts(slack_api))
            jobs.run_due()
            for call in posts(slack_api)[before:]:
                sent_on[id(call)] = day

    calls = posts(slack_api)
    digests = [c for c in calls if c.params["channel"] == DIGEST_CHANNEL]
    dms = [c for c in calls if c.params["channel"] != DIGEST_CHANNEL]
    # The digest: every Monday at 09:00, each part once.
    mondays = [START + timedelta(days=7 * week) for week in range(4)]
    assert sorted({sent_on[id(c)] for c in digests}) == mondays
    per_monday = Counter(sent_on[id(c)] for c in digests)
    parts = [per_monday[monday] for monday in mondays]
    # The same plan each week; it only grows as impact checks on last year's sign-offs wait for answers.
    assert parts == sorted(parts) and parts[-1] <= parts[0] + 1
    # Reminders (and impact checks on signed-off actions): working days only, a few DMs per person
    # per day at most (a nudge, an escalation, an impact check), only about their own actions.
    assert dms, "the demo plan has actions due and overdue: some reminders must go out"
    assert all(is_working_day(sent_on[id(c)]) for c in dms)
    kinds = Counter((c.params["channel"], sent_on[id(c)], _kind(c)) for c in dms)
    assert max(kinds.values()) == 1, kinds.most_common(3)
    for call in dms:
        mentioned = refs(call)
        # One DM per person per sweep: a nudge and an impact check to one owner come together.
        assert mentioned and set(mentioned) <= open_refs | signed_refs, mentioned
        if call.params["channel"] != people[chair]:
            assert {owner_of[ref] for ref in mentioned} == {call.params["channel"]}
    # Every open action overdue all month is reminded weekly: four or five times in four weeks.
    overdue_all_month = {
        ref for ref, owner in owner_of.items() if ref in open_refs and _due(db, ref) < START - timedelta(days=1)
    }
    assert overdue_all_month
    for ref in overdue_all_month:
        times = sum(1 for c in dms if ref in refs(c) and c.params["channel"] == owner_of[ref])
        assert times in (4, 5), (ref, times)
    # The ledger agrees with the Web API: every reminder is recorded as sent, once.
    with db() as session:
        states = Counter(session.scalars(select(NudgeSent.state)))
    assert set(states) == {SendState.SENT}


def _kind(call: Call) -> str:
    text = str(call.params.get("text", ""))
    return "escalation" if "overdue by" in text else "impact" if "change held" in text else "nudge"


def _due(db: sessionmaker[Session], ref: str) -> date:
    with db() as session:
        return session.scalars(select(Action.due).where(Action.ref == ref)).one()


def _one_reminder(db: sessionmaker[Session], demo: tuple[Jobs, dict[str, str]]) -> tuple[Jobs, str]:
    """Leave one open action due today, owned by someone, and nothing else open."""
    jobs, people = demo
    with db.begin() as session:
        actions = list(session.scalars(select(Action).order_by(Action.id)).unique())
        chosen = next(a for a in actions if a.status.is_open and a.owner)
        for action in actions:
            if action is not chosen:
                action.status = Status.COMPLETE
        chosen.due = START
        return jobs, people[chosen.owner.email]  # type: ignore[union-attr]


def dms_to(api: FakeSlackApi, user_id: str) -> list[Call]:
    return [c for c in posts(api) if c.params["channel"] == user_id]


def test_rate_limited_then_delivered_once(
    demo: tuple[Jobs, dict[str, str]], db: sessionmaker[Session], clock: FrozenClock, slack_api: FakeSlackApi
) -> None:
    jobs, owner = _one_reminder(db, demo)
    slack_api.fail("chat.postMessage", status=429, retry_after=1)
    clock.set(at(START, 9))
    jobs.sweep()
    assert len(dms_to(slack_api, owner)) == 2  # refused once, then sent after Retry-After
    with db() as session:
        assert session.scalars(select(NudgeSent.state)).all() == [SendState.SENT]


def test_a_server_error_is_retried_later_and_delivered_once(
    demo: tuple[Jobs, dict[str, str]], db: sessionmaker[Session], clock: FrozenClock, slack_api: FakeSlackApi
) -> None:
    jobs, owner = _one_reminder(db, demo)
    slack_api.fail("chat.postMessage", status=500)
    clock.set(at(START, 9))
    jobs.sweep()
    with db() as session:
        assert session.scalars(select(NudgeSent.state)).all() == [SendState.FAILED]
    clock.set(at(START, 9, 10))
    jobs.retry()
    jobs.retry()
    jobs.sweep()
    attempts = dms_to(slack_api, owner)
    assert len(attempts) == 2  # the refused one and the one delivered
    with db() as session:
        row = session.scalars(select(NudgeSent)).one()
        assert (row.state, row.attempts) == (SendState.SENT, 2)


def test_a_timeout_after_sending_is_never_resent_and_is_reported(
    demo: tuple[Jobs, dict[str, str]],
    db: sessionmaker[Session],
    clock: FrozenClock,
    slack_api: FakeSlackApi,
) -> None:
    jobs, owner = _one_reminder(db, demo)
    slack_api.hang("chat.postMessage", TIMEOUT + 1.5)
    clock.set(at(START, 9))
    jobs.sweep()
    clock.set(at(START, 9) + STALE_CLAIM + timedelta(minutes=5))
    jobs.retry()
    jobs.run_due()
    assert len(dms_to(slack_api, owner)) == 1  # the request went out once; it may have arrived
    with db() as session:
        assert session.scalars(select(NudgeSent.state)).all() == [SendState.UNCERTAIN]
    lines = _problem_lines(jobs)
    assert any("uncertain" in line for line in lines), lines


def test_an_owner_not_in_slack_is_reported_in_the_digest(
    demo: tuple[Jobs, dict[str, str]], db: sessionmaker[Session], clock: FrozenClock, slack_api: FakeSlackApi
) -> None:
    jobs, _ = _one_reminder(db, demo)
    with db.begin() as session:
        action = session.scalars(select(Action).where(Action.status != Status.COMPLETE)).unique().one()
        action.owner.email = "left.the.service@police.example.org"  # type: ignore[union-attr]
        action.owner.slack_user_id = None  # type: ignore[union-attr]
        name = action.owner.name  # type: ignore[union-attr]
    clock.set(at(START, 9))
    jobs.run_due()
    assert [c for c in posts(slack_api) if c.params["channel"] != DIGEST_CHANNEL] == []
    lines = _problem_lines(jobs)
    assert any(name in line and "undeliverable" in line for line in lines), lines
    assert any(name in line and "unreachable" in line for line in lines), lines


def _problem_lines(jobs: Jobs) -> list[str]:
    sections: list[Any] = [s for d in jobs.preview_digest() for s in d.sections]
    return [f"{p.who} {p.what} {p.state} {p.detail}" for s in sections for p in s.problems]


def test_the_digest_carries_a_rag_chart_per_review(
    demo: tuple[Jobs, dict[str, str]], clock: FrozenClock, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    jobs, _ = demo
    clock.set(at(START, 9))
    jobs.send_digest(START)
    completed = slack_api.calls_to("files.completeUploadExternal")
    assert len(completed) == 3  # the demo has three reviews
    assert {c.params["channel_id"] for c in completed} == {DIGEST_CHANNEL}
    assert len([c for c in posts(slack_api) if c.params["channel"] == DIGEST_CHANNEL]) == 1  # one post...
    with db() as session:
        digest_ts = session.scalars(select(DigestSent.message_ts)).one()
    assert {c.params.get("thread_ts") for c in completed} == {digest_ts}  # ...with its charts in its thread
    titles = " ".join(str(c.params["files"]) for c in completed)
    assert all(code in titles for code in ("BM", "CC", "EX"))
    asked = slack_api.calls_to("files.getUploadURLExternal")
    assert all(int(c.params["length"]) > 1000 for c in asked)  # real PNGs, not empty files


def test_a_failed_chart_upload_falls_back_to_words(
    demo: tuple[Jobs, dict[str, str]], clock: FrozenClock, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    jobs, _ = demo
    slack_api.fail("files.getUploadURLExternal", error="not_allowed_token_type", times=3)
    clock.set(at(START, 9))
    jobs.send_digest(START)
    channel_posts = [c for c in posts(slack_api) if c.params["channel"] == DIGEST_CHANNEL]
    fallbacks = [c for c in channel_posts if "RAG today" in str(c.params.get("text"))]
    assert len(fallbacks) == 3
    assert "red" in fallbacks[0].params["text"] and "blue" in fallbacks[0].params["text"]
    with db() as session:
        assert session.scalars(select(DigestSent.state)).one() is SendState.SENT  # the digest itself went out
