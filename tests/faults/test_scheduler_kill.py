"""The clock process stopped in the middle of a sweep, by SIGKILL or SIGTERM, then restarted: no duplicate, no loss.

``python -m bot scheduler``'s own entry point (bot.__main__.main) runs as a subprocess against the
test database and the fake Web API. The real clock cannot be used (the sweep runs on working days
only, and the suite runs on any day), so the subprocess starts under time-machine, travelling to a
working Wednesday at 09:30 London time with the clock ticking: at start it catches up on the sweep
that was due at 09:00. The fake answers the first two DMs and holds the third; while that request
is in flight the process is stopped.

- Killed (SIGKILL): a second process started a minute later takes over at once what the dead one
  had claimed (its process is gone from this host), sends each remaining reminder once, does not
  resend the DM that was in flight (it may have arrived) and lists it in the digest it posts.
- Stopped (SIGTERM): the process finishes the DM in flight, releases the claims it had not started
  and exits within seconds, leaving nothing claimed or sending; the restart sends the rest once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from storage.models import (
    Action,
    Agency,
    DigestSent,
    NudgeSent,
    Person,
    Plan,
    Rag,
    Review,
    ReviewKind,
    Role,
    Scheduler,
    SendState,
    Status,
)
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
LONDON = Settings().timezone
TODAY = date(2026, 4, 15)  # a Wednesday, a working day
STARTED = datetime.combine(TODAY, time(9, 30), LONDON)  # half an hour after SWEEP_AT
CHANNEL = "C0DIGEST"
OWNERS = 6  # each has an action due today (or in 7 days): six DMs are due
IDLE_OWNER = "U0IDLE"  # owns an action due in a month: no DM
HOLD = 60.0  # seconds the fake holds the third DM: the kill comes long before
SLOW = 2.0  # seconds the fake holds the third DM when the process is told to stop: it finishes it
WAIT = 60.0  # seconds at most for a process to get somewhere (a minute): a bound, not a measurement
EXIT = 15.0  # seconds at most for a process told to stop to exit: its in-flight DM and releasing the rest

# The scheduler's own entry point, with the process's clock moved to a working morning (and ticking).
RUN_SCHEDULER = """
import sys
from datetime import datetime

import time_machine

time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True).start()
from bot.__main__ import main

sys.exit(main(["scheduler", "--timeout", "30"]))
"""


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        yield api


def seed(db: sessionmaker[Session]) -> dict[str, str]:
    """OWNERS agency leads with an action needing a reminder today, and one whose action does not."""
    with db.begin() as session:
        review = Review(code="SK", title="SCR Child S", kind=ReviewKind.SCR)
        agency = Agency(code="health", name="Health Trust")
        session.add_all([review, agency])
        people = {}
        for n in range(OWNERS + 1):
            slack_id = f"U0OWNER{n}" if n < OWNERS else IDLE_OWNER
            person = Person(name=f"Owner {n}", email=f"owner{n}@health.example.org", role=Role.AGENCY_LEAD,
                            agency=agency, slack_user_id=slack_id)  # fmt: skip
            people[slack_id] = person.name
            due = TODAY + timedelta(days=30 if n == OWNERS else 7 * (n % 2))
            session.add(
                Action(
                    ref=f"SK-{n + 1}", review=review, text=f"Action {n + 1}", plan=Plan.SINGLE_AGENCY,
                    agency=agency, owner=person, due=due, original_due=due, status=Status.IN_PROGRESS,
                    rag=Rag.GREEN, version=0,
                )
            )  # fmt: skip
        return people


def start_scheduler(database_url: str, api: FakeSlackApi, at: datetime, log: Path) -> subprocess.Popen[bytes]:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database_url,
        "SLACK_API_URL": api.url,
        "SLACK_BOT_TOKEN": "xoxb-test",
        "DIGEST_CHANNEL": CHANNEL,
        "DIGEST_SCHEDULE": "wed 09:00",
        "SWEEP_AT": "09:00",
        "BOT_TIMEZONE": "Europe/London",
        "MPLBACKEND": "Agg",
    }
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", RUN_SCHEDULER, at.isoformat()], cwd=ROOT, env=env, stdout=out, stderr=out
        )


def dms(api: FakeSlackApi) -> list[str]:
    return [
        str(call.params["channel"]) for call in api.calls_to("chat.postMessage") if call.params["channel"] != CHANNEL
    ]


def ledger(db: sessionmaker[Session]) -> dict[str, SendState]:
    """The reminder ledger: the Slack id of each row's person -> its state."""
    with db() as session:
        rows = session.execute(
            select(Person.slack_user_id, NudgeSent.state).join(Person, Person.id == NudgeSent.person_id)
        )
        return {str(slack_id): state for slack_id, state in rows}


def digest_posts(api: FakeSlackApi) -> list[str]:
    return [repr(call.params) for call in api.calls_to("chat.postMessage") if call.params["channel"] == CHANNEL]


def digest_posted(db: sessionmaker[Session]) -> bool:
    """Whether the week's digest went out, every part: the last thing a catch-up does."""
    with db() as session:
        return session.scalar(select(DigestSent.state)) is SendState.SENT


def stopped_in_order(process: subprocess.Popen[bytes], log: Path) -> None:
    process.send_signal(signal.SIGTERM)
    try:
        assert process.wait(timeout=EXIT) == 0, log.read_text()
    finally:
        if process.poll() is None:
            process.kill()


def test_a_scheduler_killed_mid_sweep_is_taken_over_at_once_by_its_restart(
    db: sessionmaker[Session], database_url: str, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    owners = seed(db)
    slack_api.hang("chat.postMessage", 0, times=2)  # the first two DMs are answered at once...
    slack_api.hang("chat.postMessage", HOLD)  # ...the third reaches Slack, and its answer is held
    log = tmp_path / "scheduler.log"

    first = start_scheduler(database_url, slack_api, STARTED, log)
    try:
        slack_api.wait_for(lambda api: len(dms(api)) == 3, timeout=WAIT)
        first.send_signal(signal.SIGKILL)  # while the third DM is in flight
        first.wait(timeout=WAIT)
    finally:
        if first.poll() is None:
            first.kill()
    in_flight = dms(slack_api)[2]
    states = ledger(db)
    assert Counter(states.values()) == Counter(
        {SendState.SENT: 2, SendState.SENDING: 1, SendState.CLAIMED: OWNERS - 3}
    ), log.read_text()
    assert states[in_flight] is SendState.SENDING

    # Restarted a minute later (not fifteen): its catch-up takes over the dead run's claims at once.
    second = start_scheduler(database_url, slack_api, STARTED + timedelta(minutes=1), log)
    try:
        slack_api.wait_for(lambda _: digest_posted(db), timeout=WAIT)  # the digest goes last: the catch-up is over
    finally:
        stopped_in_order(second, log)

    needing = {slack_id for slack_id in owners if slack_id != IDLE_OWNER}
    sent_to = Counter(dms(slack_api))
    assert sent_to == Counter({slack_id: 1 for slack_id in needing}), log.read_text()  # one each, none twice
    states = ledger(db)
    assert set(states) == needing
    assert states[in_flight] is SendState.UNCERTAIN  # it may have arrived: reported, never resent
    assert all(state is SendState.SENT for slack_id, state in states.items() if slack_id != in_flight)
    digest = "\n".join(digest_posts(slack_api))
    problems = [line for line in digest.split("\\n") if "uncertain" in line]
    assert len(problems) == 1 and owners[in_flight] in problems[0], problems  # the coordinator is told


def test_a_scheduler_told_to_stop_mid_sweep_finishes_its_message_and_releases_the_rest(
    db: sessionmaker[Session], database_url: str, slack_api: FakeSlackApi, tmp_path: Path
) -> None:
    owners = seed(db)
    slack_api.hang("chat.postMessage", 0, times=2)
    slack_api.hang("chat.postMessage", SLOW)  # the third is in flight when SIGTERM arrives
    log = tmp_path / "scheduler.log"

    first = start_scheduler(database_url, slack_api, STARTED, log)
    slack_api.wait_for(lambda api: len(dms(api)) == 3, timeout=WAIT)
    stopped_in_order(first, log)  # SIGTERM while the third DM is in flight: it exits within seconds
    assert len(dms(slack_api)) == 3 and not digest_posts(slack_api), log.read_text()
    states = ledger(db)
    assert Counter(states.values()) == Counter({SendState.SENT: 3, SendState.RELEASED: OWNERS - 3}), log.read_text()
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Scheduler)) == 0  # it said it was leaving

    second = start_scheduler(database_url, slack_api, STARTED + timedelta(minutes=1), log)
    try:
        slack_api.wait_for(lambda _: digest_posted(db), timeout=WAIT)
    finally:
        stopped_in_order(second, log)

    needing = {slack_id for slack_id in owners if slack_id != IDLE_OWNER}
    assert Counter(dms(slack_api)) == Counter({slack_id: 1 for slack_id in needing}), log.read_text()
    assert set(ledger(db).values()) == {SendState.SENT}
    assert digest_posts(slack_api) and all("(1 of" not in post for post in digest_posts(slack_api)[1:])  # once
