"""The servers as processes (``python -m bot serve`` and ``web``) against the test database and the fake Web API:
``serve`` answers HTTP while its scheduler's catch-up is still going out, and SIGTERM stops either one orderly:
the work in flight is finished, nothing new is taken, and the process exits 0. Counts and order, not timings."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.fakes.slack import SECRET, SlackSender, get, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import NAMES, POLICE_LEAD

ROOT = Path(__file__).resolve().parents[2]
PAT = SLACK_IDS[POLICE_LEAD]
CHANNEL = "C0DIGEST"
HELD = 60.0  # seconds the fake holds what it is told to hold: the test is over long before
WAIT = 30.0  # seconds at most for a process to get somewhere: a bound, not a measurement
TOKEN = "xoxb-0000-test-token"
LONDON = ZoneInfo("Europe/London")
MORNING = datetime(2026, 4, 15, 9, 30, tzinfo=LONDON)  # a working Wednesday, after the sweep and the digest

# The entry point, with the process's clock moved to a working morning (and ticking), as in test_scheduler_kill.
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
    with FakeSlackApi(TOKEN) as api:
        for email, user_id in SLACK_IDS.items():
            api.add_user(user_id, email, NAMES[email])
        yield api


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def start(database_url: str, slack_api: FakeSlackApi, tmp_path: Path) -> Iterator[Callable]:
    """start(command, at=None): ``python -m bot <command>`` on a free port, its clock at ``at`` when given;
    (process, base URL) once /healthz answers."""
    started: list[subprocess.Popen[bytes]] = []

    def run(command: str, at: datetime | None = None) -> tuple[subprocess.Popen[bytes], str]:
        port = free_port()
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": os.environ.get("HOME", "/tmp"),
            "DATABASE_URL": database_url,
            "SLACK_API_URL": slack_api.url,
            "SLACK_BOT_TOKEN": TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "DIGEST_CHANNEL": CHANNEL,
            "DIGEST_SCHEDULE": "wed 09:00",  # due half an hour before MORNING: the catch-up posts it
            "SWEEP_AT": "09:00",
            "BOT_TIMEZONE": "Europe/London",
            "MPLBACKEND": "Agg",
        }
        log = (tmp_path / f"{command}.log").open("ab")
        arguments = [command, "--host", "127.0.0.1", "--port", str(port)]
        python = [sys.executable, "-m", "bot"] if at is None else [sys.executable, "-c", RUN_AT, at.isoformat()]
        process = subprocess.Popen([*python, *arguments], cwd=ROOT, env=env, stdout=log, stderr=log)
        started.append(process)
        url = f"http://127.0.0.1:{port}"
        answered(url, process)
        return process, url

    yield run
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def answered(url: str, process: subprocess.Popen[bytes]) -> int:
    """GET /healthz's status, waiting (a bound) for the process to listen."""
    for _ in range(int(WAIT / 0.05)):
        assert process.poll() is None, "the process exited"
        try:
            return get(url, "/healthz")[0]
        except OSError:
            time.sleep(0.05)
    raise AssertionError("the process never answered")


def test_serve_answers_while_its_catch_up_is_held_and_stops_on_sigterm(
    board: dict[str, int], start: Callable, slack_api: FakeSlackApi
) -> None:
    slack_api.hang("chat.postMessage", HELD, times=100)  # the catch-up's digest and reminders are all held
    process, url = start("serve", at=MORNING)
    slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"), timeout=WAIT)  # the catch-up is sending
    # Its first message is not answered, yet the web side answers: health, and a command (acked, then carried out).
    assert answered(url, process) == 200
    sender = SlackSender(url, slack_api)
    assert sender.command("help", PAT, timestamp=int(MORNING.timestamp())).status == 200  # its clock's time
    [reply] = slack_api.wait_for(lambda api: api.responses(), timeout=WAIT)
    assert "/action" in shown(reply)
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT) == 0


def test_web_finishes_the_command_in_flight_on_sigterm(
    board: dict[str, int], start: Callable, slack_api: FakeSlackApi
) -> None:
    process, url = start("web")
    slack_api.hang("users.info", 3.0)  # who Pat is: the command is acked and its listener waits for this
    sent = SlackSender(url, slack_api).command("update CC-1 on-track Trainer booked", PAT)
    assert (sent.status, sent.body) == (200, b"")
    slack_api.wait_for(lambda api: api.calls_to("users.info"), timeout=WAIT)
    assert slack_api.responses() == []  # in flight: not yet answered
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=WAIT) == 0
    # The command in flight was carried out and answered before the process went.
    [reply] = slack_api.responses()
    assert "Update recorded for CC-1" in shown(reply)
    # And nothing new was taken after the signal.
    with pytest.raises(OSError):
        get(url, "/healthz")


def test_teams_stops_on_sigterm_and_exits_0(database_url: str, tmp_path: Path) -> None:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "HOME": os.environ.get("HOME", "/tmp"),
        "DATABASE_URL": database_url,
        "TEAMS_APP_ID": "00000000-0000-4000-8000-000000000b07",
        "TEAMS_APP_PASSWORD": "not-a-real-secret",
    }
    with (tmp_path / "teams.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "teams", "--host", "127.0.0.1", "--port", str(port)],
            cwd=ROOT, env=env, stdout=log, stderr=log,
        )  # fmt: skip
    try:
        url = f"http://127.0.0.1:{port}"
        assert answered(url, process) == 200
        process.send_signal(signal.SIGTERM)
        # uvicorn stops orderly, then raises the signal again: the process still closes and exits 0.
        assert process.wait(timeout=WAIT) == 0
        with pytest.raises(OSError):
            get(url, "/healthz")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
