"""The command line as documented in the README: help everywhere, people, digest printing and sending."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.fakes.slack_api import FakeSlackApi

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ("console", "demo", "db", "import", "export", "list", "people", "protect", "report", "pack",
            "web", "socket", "serve", "scheduler", "digest", "sweep")  # fmt: skip


def bot(database_url: str, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT), **env}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, env=environment, cwd=ROOT, timeout=120
    )


def test_the_top_level_help_lists_every_command(database_url: str) -> None:
    run = bot(database_url, "--help")
    assert run.returncode == 0
    for command in COMMANDS:
        assert f"    {command}" in run.stdout, command


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help(database_url: str, command: str) -> None:
    run = bot(database_url, command, "--help")
    assert run.returncode == 0 and f"usage: python -m bot {command}" in run.stdout, run.stderr


def test_people_add_set_and_list(database_url: str) -> None:
    bot(database_url, "demo")
    added = bot(database_url, "people", "add", "Jo.Bloggs@Police.Example.org", "Jo Bloggs", "--agency", "police")
    assert added.returncode == 0, added.stderr
    again = bot(database_url, "people", "add", "jo.bloggs@police.example.org", "Jo Bloggs")
    assert again.returncode == 2 and "already known" in again.stderr
    changed = bot(database_url, "people", "set", "jo.bloggs@police.example.org", "--role", "chair")
    assert changed.returncode == 0 and "is now chair" in changed.stdout
    listed = bot(database_url, "people")
    row = next(line for line in listed.stdout.splitlines() if "jo.bloggs@police.example.org" in line)
    assert "chair" in row and "Avon and Somerset Police" in row
    unknown_agency = bot(database_url, "people", "add", "x@y.org", "X", "--agency", "fire brigade")
    assert unknown_agency.returncode == 2 and "Known agencies" in unknown_agency.stderr
    bad_email = bot(database_url, "people", "add", "not-an-email", "X")
    assert bad_email.returncode == 2 and "not an e-mail address" in bad_email.stderr


def test_digest_print_and_send(database_url: str) -> None:
    bot(database_url, "demo")
    printed = bot(database_url, "digest", DIGEST_CHANNEL="C0SUB")
    assert printed.returncode == 0, printed.stderr
    assert "Weekly digest, week of" in printed.stdout and "== Overdue" in printed.stdout
    with FakeSlackApi() as api:
        env = {"DIGEST_CHANNEL": "C0SUB", "SLACK_BOT_TOKEN": "xoxb-test", "SLACK_API_URL": api.url}
        sent = bot(database_url, "digest", "--send", **env)
        assert sent.returncode == 0, sent.stderr
        assert "was posted" in sent.stdout
        again = bot(database_url, "digest", "--send", **env)
        assert "not posted now: it is sent" in again.stdout
        channel_posts = [c for c in api.calls_to("chat.postMessage") if c.params["channel"] == "C0SUB"]
        parts = sum(1 for c in channel_posts if "Weekly digest" in str(c.params.get("text")))
        assert parts >= 1 and len(api.calls_to("files.completeUploadExternal")) == 3
    no_channel = bot(database_url, "digest", "--send")
    assert no_channel.returncode == 2 and "DIGEST_CHANNEL" in no_channel.stderr
    no_platform = bot(database_url, "digest", "--send", DIGEST_CHANNEL="C0SUB")
    assert no_platform.returncode == 2 and "SLACK_BOT_TOKEN or TEAMS_APP_ID" in no_platform.stderr
