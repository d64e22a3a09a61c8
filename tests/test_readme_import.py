"""The README's import commands, run exactly as written (but for the interpreter) in a fresh folder."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_import_commands() -> list[str]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("<!-- import-commands:", 1)[1].split("```sh\n", 1)[1].split("```", 1)[0]
    return [re.sub(r"\s+#.*$", "", line).strip() for line in block.splitlines() if line.strip()]


def test_the_readme_import_commands_work_as_written(tmp_path: Path) -> None:
    (tmp_path / "templates").symlink_to(ROOT / "templates")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "DATABASE_URL": f"sqlite:///{tmp_path / 'actions.db'}"}
    env.pop("SLACK_BOT_TOKEN", None)
    outputs = []
    commands = readme_import_commands()
    assert len(commands) >= 8
    for command in commands:
        shell = command.replace(".venv/bin/python", sys.executable)
        done = subprocess.run(shell, shell=True, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        outputs.append(done.stdout)
    dry_run, imported, one_sheet, listed, people = outputs[1:6]
    assert "Dry run of example-board-plan.xlsx: nothing was written." in dry_run
    assert "F 'Target Date / Timescale' -> due" in dry_run
    assert "Added: 6" in imported and "Needs a date" in imported and "History from the plan's own dates" in imported
    assert "Added: 0" in one_sheet and "Unchanged: 3" in one_sheet
    assert "CR-CSC1" in listed and "needs a date" in listed
    assert "DI Sarah Whitfield" in people and "cannot be nudged" in people
    assert (tmp_path / "everything.xlsx").exists() and (tmp_path / "changes.csv").exists()
    assert "Demo data: 3 reviews" in outputs[-1]
    # In chat, an action the plan gave no date shows its wording, and a named lead says why no nudges.
    session = "/action show cr-pol1\n/action list review:CR\n"
    console = [sys.executable, "-m", "bot", "console", "--as", "jo.bloggs@csc.example.org"]
    chat = subprocess.run(console, input=session, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert chat.returncode == 0, chat.stderr
    assert "Due: needs a date (plan: 'Ongoing')" in chat.stdout
    assert "Owner: DI Sarah Whitfield (named lead: cannot be nudged until an address is known)" in chat.stdout
    assert "CR-1.2 · Health · no owner · needs a date (plan: 'Within 6 months')" in chat.stdout
