"""`python -m bot sweep`: one sweep through the ledger as the clock would run it, or a dry run that writes nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime, time, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import NudgeSent
from tests.fakes.slack_api import FakeSlackApi
from tests.faults.test_scheduler_kill import LONDON, OWNERS, ROOT, TODAY, seed

RUN_AT = """
import sys
from datetime import datetime

import time_machine

time_machine.travel(datetime.fromisoformat(sys.argv[1]), tick=True).start()
from bot.__main__ import main

sys.exit(main(sys.argv[2:]))
"""


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        yield api


def sweep(database_url: str, api: FakeSlackApi, at: datetime, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "SLACK_API_URL": api.url, "SLACK_BOT_TOKEN": "xoxb-test",
           "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg"}  # fmt: skip
    env.pop("DIGEST_CHANNEL", None)
    return subprocess.run(
        [sys.executable, "-c", RUN_AT, at.isoformat(), "sweep", *args],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )  # fmt: skip


def dms(api: FakeSlackApi) -> int:
    return len(api.calls_to("chat.postMessage"))


def ledger_rows(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(NudgeSent)) or 0


MORNING = datetime.combine(TODAY, time(9, 30), LONDON)


def test_a_dry_run_says_to_whom_which_actions_and_why_and_writes_nothing(
    db: sessionmaker[Session], database_url: str, slack_api: FakeSlackApi
) -> None:
    people = seed(db)
    run = sweep(database_url, slack_api, MORNING, "--dry-run")
    assert run.returncode == 0, run.stderr
    assert f"A sweep now would send {OWNERS} messages; nothing was sent." in run.stdout
    for n in range(OWNERS):
        assert f"→ DM to Owner {n} <owner{n}@health.example.org>" in run.stdout
    assert "SK-1" in run.stdout and "due today" in run.stdout.lower()
    assert "Owner 6" not in run.stdout and people  # the idle owner's action is due in a month
    assert ledger_rows(db) == 0 and dms(slack_api) == 0
    assert "Traceback" not in run.stderr


def test_a_sweep_sends_each_reminder_once_however_often_it_is_run(
    db: sessionmaker[Session], database_url: str, slack_api: FakeSlackApi
) -> None:
    seed(db)
    first = sweep(database_url, slack_api, MORNING)
    assert first.returncode == 0, first.stderr
    assert f"Sent {OWNERS}," in first.stdout and dms(slack_api) == OWNERS
    again = sweep(database_url, slack_api, MORNING + timedelta(hours=2))
    assert again.returncode == 0 and "Sent 0," in again.stdout
    assert dms(slack_api) == OWNERS and ledger_rows(db) == OWNERS
    after = sweep(database_url, slack_api, MORNING, "--dry-run")
    assert "A sweep now would send 0 messages" in after.stdout


def test_no_reminders_on_a_day_that_is_not_a_working_day(
    db: sessionmaker[Session], database_url: str, slack_api: FakeSlackApi
) -> None:
    seed(db)
    saturday = MORNING + timedelta(days=(5 - TODAY.weekday()) % 7)
    assert saturday.weekday() == 5
    for args in ((), ("--dry-run",)):
        run = sweep(database_url, slack_api, saturday, *args)
        assert run.returncode == 0 and "is not a working day" in run.stdout, run.stderr
    assert dms(slack_api) == 0 and ledger_rows(db) == 0
