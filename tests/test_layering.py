"""The core stays platform-neutral: nothing in bot/ or storage/ imports Slack (or Teams)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PLATFORM_PACKAGES = ("slack_bolt", "slack_sdk", "microsoft_teams", "handlers")
CORE = ("bot", "storage")
COMPOSITION_ROOTS = {"bot/cli.py", "bot/__main__.py"}  # they wire handlers in, by design


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_core_modules_do_not_import_chat_platforms() -> None:
    offenders = []
    files = [p for package in CORE for p in (ROOT / package).rglob("*.py")]
    assert len(files) > 10
    for path in files:
        relative = path.relative_to(ROOT).as_posix()
        banned = PLATFORM_PACKAGES if relative not in COMPOSITION_ROOTS else PLATFORM_PACKAGES[:3]
        for module in imported_modules(path):
            if module.split(".")[0] in banned:
                offenders.append(f"{relative} imports {module}")
    assert offenders == []


def test_the_walk_would_catch_an_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from slack_sdk import WebClient\nimport slack_bolt.app\n")
    assert imported_modules(sample) == {"slack_sdk", "slack_bolt.app"}
