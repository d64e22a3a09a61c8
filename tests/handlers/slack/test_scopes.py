"""The Slack manifests ask for exactly the scopes the code needs: found from the Web API methods the code
calls (every ``WebClient`` method named in handlers/ and bot/), so a new call without its scope, or a scope
nothing uses any more, fails here."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from slack_sdk import WebClient

ROOT = Path(__file__).resolve().parents[3]
MANIFESTS = ("slack/manifest.yml", "slack/manifest.socket-mode.yml")

# Each Web API method the bot calls, as WebClient names it, with the bot scopes Slack's reference gives it.
SCOPES = {
    "chat_postMessage": {"chat:write"},  # DMs (to a user id: no im:write needed) and the digest
    "files_upload_v2": {"files:write"},  # files.getUploadURLExternal + files.completeUploadExternal
    "files_info": {"files:read"},  # a spreadsheet uploaded in the bot's DM: its name, size and download URL
    "users_info": {"users:read", "users:read.email"},  # who typed a command; their profile e-mail
    "users_lookupByEmail": {"users:read.email"},  # finding an owner who has never used the bot
    "views_open": set(),  # forms, opened with a trigger id
    "views_publish": set(),  # the Home tab
    "auth_test": set(),  # /healthz: is the token still accepted?
}


# Each event the bot subscribes to, with the bot scopes Slack's reference gives it.
EVENT_SCOPES = {
    "app_home_opened": set(),
    "channel_left": {"channels:read"},  # the bot removed from the (public) sub-group channel
    "group_left": {"groups:read"},  # ... or from a private one
    "file_shared": {"files:read"},  # a plan uploaded in the bot's DM (the coordinator's only)
}


def manifest_events(path: str) -> set[str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    block = re.search(r"^    bot_events:\n((?:      - .+\n)+)", text, re.MULTILINE)
    assert block, f"{path} lists bot events"
    return {line.strip()[2:] for line in block.group(1).splitlines()}


def web_api_calls() -> set[str]:
    """Every WebClient method called as ``something.name(...)`` in the bot's code."""
    methods = {name for name in dir(WebClient) if not name.startswith("_") and name != "api_call"}
    called = set()
    for folder in ("handlers", "bot"):
        for path in (ROOT / folder).rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
                    called.add(node.func.attr)
    return called


def manifest_scopes(path: str) -> set[str]:
    text = (ROOT / path).read_text(encoding="utf-8")
    block = re.search(r"^  scopes:\n    bot:\n((?:      - .+\n)+)", text, re.MULTILINE)
    assert block, f"{path} lists bot scopes"
    return {line.strip()[2:] for line in block.group(1).splitlines()}


def test_every_web_api_call_has_its_scopes_listed_here() -> None:
    called = web_api_calls()
    assert {"chat_postMessage", "users_lookupByEmail", "files_upload_v2"} <= called  # the search finds calls
    unknown = called - SCOPES.keys()
    assert not unknown, f"new Web API calls: add each with its scopes to SCOPES, and to the manifests: {unknown}"


@pytest.mark.parametrize("path", MANIFESTS)
def test_the_manifest_asks_for_exactly_the_scopes_the_code_needs(path: str) -> None:
    needed = set().union(*(SCOPES[name] for name in web_api_calls()))
    assert manifest_events(path) <= EVENT_SCOPES.keys(), "a new event: add it with its scopes to EVENT_SCOPES"
    needed |= set().union(*(EVENT_SCOPES[name] for name in manifest_events(path)))
    if "slash_commands:" in (ROOT / path).read_text(encoding="utf-8"):
        needed.add("commands")  # to receive /action
    assert manifest_scopes(path) == needed


def test_the_docs_explain_every_scope_the_manifest_asks_for() -> None:
    docs = (ROOT / "docs" / "slack.md").read_text(encoding="utf-8")
    table = set(re.findall(r"^\| `([a-z.:]+)` \|", docs, re.MULTILINE))
    assert table == manifest_scopes(MANIFESTS[0])
