"""The front door: the README's test command is what CI runs, and it installs every system program the
suite looks for (so a fresh Debian machine passes as the README says)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "test"


def readme_test_command() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(r"Run the tests:\s*```sh\n(.+?)\n```", readme, re.DOTALL)
    assert found, "the README has a 'Run the tests:' command"
    return found.group(1).strip()


def test_ci_runs_exactly_the_readme_command_and_installs_nothing_itself() -> None:
    command = readme_test_command()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    lines = [line.strip() for line in ci.splitlines() if not line.lstrip().startswith("#")]
    assert lines.count(command) == 1, "SQLite: the command as written"
    assert f'TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test" {command}' in lines
    assert "apt-get" not in ci and "pip install" not in ci, "CI relies on the README's command to install"


def programs_the_tests_look_for() -> set[str]:
    found = set()
    for path in (ROOT / "tests").rglob("*.py"):
        found |= set(re.findall(r"shutil\.which\(\s*[\"']([\w.+-]+)[\"']", path.read_text(encoding="utf-8")))
    return found


def test_every_program_the_tests_look_for_is_a_listed_prerequisite() -> None:
    programs = programs_the_tests_look_for()
    assert "chromium" in programs  # the browser test; the search itself works
    script = SCRIPT.read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for program in programs:
        assert f"command -v {program} " in script, f"scripts/test installs {program} when missing"
        assert f"| `{program}` |" in readme, f"the README lists {program} among the system prerequisites"


def fake_bin(tmp_path: Path, *, apt_get: bool) -> Path:
    """A PATH with Python and the shell's basics but no Chromium; apt-get, if any, records its arguments."""
    folder = tmp_path / "bin"
    folder.mkdir()
    for name in ("bash", "dirname", "id", "env"):
        real = Path("/usr/bin") / name
        if real.exists():
            (folder / name).symlink_to(real)
    (folder / "python3").symlink_to(Path(sys.executable).resolve())
    if apt_get:
        (folder / "apt-get").write_text(
            f'#!/usr/bin/bash\necho "$*" >> {tmp_path / "apt.log"}\n[ "$1" = update ] || exit 7\n', encoding="utf-8"
        )
        (folder / "apt-get").chmod(0o755)
    return folder


def run_script(path: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": str(path), "HOME": str(path.parent)}
    return subprocess.run(
        ["/usr/bin/bash", str(SCRIPT)], capture_output=True, text=True, env=env, cwd=ROOT, timeout=60, check=False
    )


def test_the_script_installs_a_missing_chromium_with_apt_get_before_anything_else(tmp_path: Path) -> None:
    result = run_script(fake_bin(tmp_path, apt_get=True))
    if os.geteuid() != 0:  # and no sudo on this PATH: told to run as root, nothing attempted
        assert result.returncode == 1 and "run as root" in result.stderr
        return
    log = (tmp_path / "apt.log").read_text(encoding="utf-8").splitlines()
    assert log[0] == "update -qq"
    assert log[1] == "install -y -qq chromium"
    assert result.returncode == 7, "the failed install stops the script before any venv or pytest"
    assert "installing chromium with apt-get" in result.stdout


def test_without_apt_get_the_script_names_what_to_install(tmp_path: Path) -> None:
    result = run_script(fake_bin(tmp_path, apt_get=False))
    assert result.returncode == 1
    assert "missing chromium" in result.stderr
    assert not os.path.exists(tmp_path / "apt.log")
