"""A failing command says so in one sentence, with the fix, exits non-zero; a traceback only with --debug."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[1]
CLOSED = "http://127.0.0.1:1/api/"  # nothing listens on port 1


def bot(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), "MPLBACKEND": "Agg", **env}
    environment.pop("CI", None)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120
    )


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> str:
    url = f"sqlite:///{tmp_path_factory.mktemp('demo') / 'demo.db'}"
    assert bot("demo", DATABASE_URL=url).returncode == 0
    return url


@pytest.mark.parametrize(
    ("args", "url", "says"),
    [
        (["list"], "nonsense://x", "DATABASE_URL is not a database address this bot can use"),
        (["list"], "postgresql+psycopg://postgres@127.0.0.1:1/x", "The database did not answer"),
        (["list"], "sqlite:////no/such/folder/actions.db", "check DATABASE_URL and that the database is running"),
        (["report", "--out", "/dev/null/reports"], "DEMO", "Cannot write"),
        (["pack", "--out", "/proc/no-such-folder"], "DEMO", "choose a folder that exists"),
        (["export", "/no/such/folder/plan.xlsx"], "DEMO", "Cannot write /no/such/folder/plan.xlsx"),
    ],
)
def test_an_expected_failure_is_one_sentence_and_a_non_zero_exit(
    demo: str, args: list[str], url: str, says: str
) -> None:
    run = bot(*args, DATABASE_URL=demo if url == "DEMO" else url)
    assert run.returncode != 0
    assert says in run.stderr and "--debug" in run.stderr
    assert "Traceback" not in run.stderr + run.stdout
    assert len(run.stderr.strip().splitlines()) == 1


def test_debug_shows_the_traceback(demo: str) -> None:
    run = bot("--debug", "export", "/no/such/folder/plan.xlsx", DATABASE_URL=demo)
    assert run.returncode != 0 and "Traceback" in run.stderr


def test_socket_mode_when_slack_cannot_be_reached(demo: str) -> None:
    run = bot("socket", DATABASE_URL=demo, SLACK_BOT_TOKEN="xoxb-1", SLACK_APP_TOKEN="xapp-1", SLACK_API_URL=CLOSED)
    assert run.returncode != 0 and "Traceback" not in run.stderr
    assert "Slack could not be reached" in run.stderr


def test_digest_send_exits_non_zero_when_the_send_failed_and_zero_when_it_went(demo: str) -> None:
    failed = bot("digest", "--send", "--timeout", "2", DATABASE_URL=demo, SLACK_BOT_TOKEN="xoxb-1",
                 DIGEST_CHANNEL="C0DIGEST", SLACK_API_URL=CLOSED)  # fmt: skip
    assert failed.returncode == 1 and "was not posted now" in failed.stdout and "Traceback" not in failed.stderr
    with FakeSlackApi() as api:
        posted = bot("digest", "--send", DATABASE_URL=demo, SLACK_BOT_TOKEN="xoxb-1", DIGEST_CHANNEL="C0DIGEST",
                     SLACK_API_URL=api.url)  # fmt: skip
        assert posted.returncode == 0, posted.stdout + posted.stderr
        assert "was posted to the sub-group channel" in posted.stdout
        assert api.calls_to("chat.postMessage")
