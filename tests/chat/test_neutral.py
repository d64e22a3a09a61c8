"""The chat core knows no chat platform: nothing bot/chat imports, at any depth (function-local imports
included), is Slack, Teams, Bolt or ``handlers``."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PLATFORMS = ("slack_bolt", "slack_sdk", "microsoft_teams", "handlers")


def _imports(module: str) -> set[str]:
    path = ROOT / (module.replace(".", "/") + ".py")
    if not path.exists():
        path = ROOT / module.replace(".", "/") / "__init__.py"
    if not path.exists():
        return set()  # a third-party or standard module
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found |= {f"{node.module}.{alias.name}" for alias in node.names}
    return found


def reached(start: str) -> set[str]:
    """Every module ``start`` imports, directly or through our own modules."""
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        for name in _imports(module) - seen:
            seen.add(name)
            if name.split(".")[0] in ("bot", "storage", *PLATFORMS):
                todo.append(name)
    return seen


def test_the_chat_core_reaches_no_chat_platform() -> None:
    modules = [f"bot.chat.{path.stem}" for path in (ROOT / "bot" / "chat").glob("*.py") if path.stem != "__init__"]
    assert {"bot.chat.controller", "bot.chat.phrases", "bot.chat.forms", "bot.chat.compose"} <= set(modules)
    offenders = {m: sorted(n for n in reached(m) if n.split(".")[0] in PLATFORMS) for m in modules}
    assert {m: found for m, found in offenders.items() if found} == {}


def test_the_walk_follows_imports_into_our_own_modules() -> None:
    assert "handlers.slack.blocks" in reached("handlers.slack.modals")
    assert "slack_sdk.errors" in reached("handlers.slack.deps")  # through handlers.slack.client, too
