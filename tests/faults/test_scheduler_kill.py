"""The clock process killed with SIGKILL in the middle of a sweep, then restarted: no duplicate, no loss.

``python -m bot scheduler``'s own entry point (bot.__main__.main) runs as a subprocess against the
test database and the fake Web API. The real clock cannot be used (the sweep runs on working days
only, and the suite runs on any day), so the subprocess starts under time-machine, travelling to a
working Wednesday at 09:30 London time with the clock ticking: at start it catches up on the sweep
that was due at 09:00. The fake answers the first two DMs and holds the third; while that request
is in flight the process is killed. A second process starts a minute later: its catch-up must send
nothing twice (it posts the weekly digest, which shows its catch-up is over). Then the retry pass,
which the scheduler runs every 10 minutes, runs here in-process with the clock moved past
STALE_CLAIM: it takes over what the dead process had claimed but not begun, and marks the DM that
was in flight as uncertain instead of resending it.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from bot.jobs import STALE_CLAIM, Jobs
from bot.services import ActionService
from handlers.slack.client import SlackStatus, make_client
from handlers.slack.messenger import SlackMessenger
from storage.models import Action, Agency, NudgeSent, Person, Plan, Rag, Review, ReviewKind, Role, SendState, Status
from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[2]
LONDON = Settings().timezone
TODAY = date(2026, 4, 15)  # a Wednesday, a working day
STARTED = datetime.combine(TODAY, time(9, 30), LONDON)  # half an hour after SWEEP_AT
CHANNEL = "C0DIGEST"
OWNERS = 6  # each has an action due today (or in 7 days): six DMs are due
IDLE_OWNER = "U0IDLE"  # owns an action due in a month: no DM
HOLD = 60.0  # seconds the fake holds the third DM: the kill comes long before
WAIT = 60.0  # seconds at most for a process to get somewhere: a bound, not a measurement

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


def test_a_scheduler_killed_mid_sweep_and_restarted_sends_each_reminder_once(
    db: sessionmaker[Session], database_url: str, settings: Settings, slack_api: FakeSlackApi, tmp_path: Path
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

    # Restarted a minute later: the catch-up sweep finds every reminder claimed and sends none again.
    second = start_scheduler(database_url, slack_api, STARTED + timedelta(minutes=1), log)
    try:
        slack_api.wait_for(lambda api: any(c.params["channel"] == CHANNEL for c in api.calls), timeout=WAIT)
        assert len(dms(slack_api)) == 3, log.read_text()

        # The retry pass, as the running scheduler does every 10 minutes, once the claims are stale.
        clock = FrozenClock(STARTED.astimezone(UTC) + STALE_CLAIM + timedelta(minutes=5))
        configured = replace(settings, slack_bot_token="xoxb-test", slack_api_url=slack_api.url, digest_channel=CHANNEL)
        status = SlackStatus()
        messenger = SlackMessenger(make_client(configured, status, timeout=5.0), db, status)
        jobs = Jobs(db, clock, configured, ActionService(db, clock, configured), messenger, pause=lambda _: None)
        jobs.retry()
        clock.advance(timedelta(minutes=10))
        jobs.retry()
        jobs.run_due()  # and the sweep again, as at the next scheduled run: nothing is due twice
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(timeout=WAIT)

    needing = {slack_id for slack_id in owners if slack_id != IDLE_OWNER}
    sent_to = Counter(dms(slack_api))
    assert sent_to == Counter({slack_id: 1 for slack_id in needing}), log.read_text()  # one each, none twice
    states = ledger(db)
    assert set(states) == needing
    assert states[in_flight] is SendState.UNCERTAIN  # it may have arrived: reported, never resent
    assert all(state is SendState.SENT for slack_id, state in states.items() if slack_id != in_flight)
    assert [c.params["channel"] for c in slack_api.calls_to("chat.postMessage")].count(CHANNEL) == 1
