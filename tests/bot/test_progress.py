"""Progress bars: drawn on a terminal, silent when piped or under CI (so logs and scripts see only output)."""

from __future__ import annotations

import fcntl
import io
import os
import pty
import struct
import subprocess
import sys
import termios
from pathlib import Path

import pytest

from bot.progress import shown, steps, track

ROOT = Path(__file__).resolve().parents[2]


class Terminal(io.StringIO):
    """A stream that says it is a terminal, as sys.stderr does at an interactive shell."""

    def isatty(self) -> bool:
        return True


def test_shown_only_on_a_terminal_and_never_under_ci() -> None:
    assert shown(Terminal(), {}) is True
    assert shown(io.StringIO(), {}) is False
    assert shown(Terminal(), {"CI": "true"}) is False
    assert shown(Terminal(), {"CI": " "}) is True  # an empty CI is not CI


def test_steps_are_silent_when_the_stream_is_not_a_terminal() -> None:
    stream = io.StringIO()
    with steps("Report", 2, stream=stream, env={}) as step:
        step("reading")
        step("writing")
    assert stream.getvalue() == ""


def test_steps_are_silent_under_ci_even_on_a_terminal() -> None:
    stream = Terminal()
    with steps("Report", 2, stream=stream, env={"CI": "1"}) as step:
        step("reading")
    assert list(track([1, 2], "Import", stream=stream, env={"CI": "1"})) == [1, 2]
    assert stream.getvalue() == ""


def test_steps_report_each_step_and_the_count_on_a_terminal() -> None:
    stream = Terminal()
    with steps("Report", 3, stream=stream, env={}) as step:
        step("reading the record of changes")
        step("drawing the charts")
        step("writing the files")
    shown_text = stream.getvalue()
    assert "Report" in shown_text
    assert "reading the record of changes" in shown_text and "drawing the charts" in shown_text
    assert "1/3" in shown_text and "3/3" in shown_text


def test_steps_counted_as_they_end() -> None:
    stream = Terminal()
    with steps("Database upgrade", 2, stream=stream, env={}) as step:
        step.done("0001 initial schema")
        step.done("0002 more")
    assert "1/2" in stream.getvalue() and "2/2" in stream.getvalue() and "0002 more" in stream.getvalue()


def test_track_counts_the_items_and_yields_them_all(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("bot.progress.MININTERVAL", 0)  # draw every row, however fast the loop
    stream = Terminal()
    assert list(track(["a", "b", "c", "d"], "Import", stream=stream, env={})) == ["a", "b", "c", "d"]
    assert "Import" in stream.getvalue() and "4/4" in stream.getvalue()
    silent = io.StringIO()
    assert list(track(iter(range(3)), "Import", stream=silent, env={})) == [0, 1, 2]
    assert silent.getvalue() == ""


def run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run ``python -m bot ARGS`` with stdout and stderr on a pseudo-terminal; everything it showed."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal's size
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], stdin=subprocess.DEVNULL, stdout=follower, stderr=follower, env=env,
        cwd=ROOT,
    )  # fmt: skip
    os.close(follower)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the other end closed: the process has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(leader)
    assert process.wait(timeout=120) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode(errors="replace")


def environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    return {**env, "DATABASE_URL": f"sqlite:///{tmp_path / 'actions.db'}", "PYTHONPATH": str(ROOT), **extra}


def test_db_upgrade_shows_each_migration_on_a_terminal(tmp_path: Path) -> None:
    shown_text = run_on_a_terminal(["db", "upgrade"], environment(tmp_path))
    assert "Database upgrade" in shown_text and "0001 initial schema" in shown_text
    assert "Schema at revision" in shown_text


@pytest.mark.parametrize("command", [["db", "upgrade"], ["report", "--out", "OUT"]])
def test_commands_show_no_progress_when_piped_or_under_ci(tmp_path: Path, command: list[str]) -> None:
    command = [str(tmp_path / "out") if part == "OUT" else part for part in command]
    env = environment(tmp_path)
    subprocess.run([sys.executable, "-m", "bot", "db", "upgrade"], env=env, cwd=ROOT, check=True, capture_output=True)
    piped = subprocess.run(
        [sys.executable, "-m", "bot", *command], env=env, cwd=ROOT, capture_output=True, text=True, timeout=120
    )
    assert piped.returncode == 0, piped.stderr
    assert piped.stderr == "" and "step/s" not in piped.stdout
    under_ci = run_on_a_terminal(command, environment(tmp_path, CI="true"))
    assert "step/s" not in under_ci and "%|" not in under_ci


def test_the_report_shows_its_steps_on_a_terminal(tmp_path: Path) -> None:
    env = environment(tmp_path)
    subprocess.run([sys.executable, "-m", "bot", "demo"], env=env, cwd=ROOT, check=True, capture_output=True)
    shown_text = run_on_a_terminal(["report", "--out", str(tmp_path / "out")], env)
    assert "rebuilding the figures from the record of changes" in shown_text
    assert "Wrote " in shown_text and (tmp_path / "out" / "report.html").exists()


def test_import_and_demo_show_their_steps_on_a_terminal(tmp_path: Path) -> None:
    env = environment(tmp_path)
    demo = run_on_a_terminal(["demo"], env)
    assert "Demo" in demo and "loading the demo plans" in demo
    plan = ROOT / "templates" / "example-board-plan.xlsx"
    shown_text = run_on_a_terminal(
        ["import", str(plan), "--review", "TP", "--title", "SCR Test Plan", "--dry-run"], environment(tmp_path)
    )
    assert "Import" in shown_text and "checking example-board-plan.xlsx" in shown_text and "(dry run)" in shown_text
