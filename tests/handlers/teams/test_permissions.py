"""The Teams manifest asks only for what the code uses, and docs/teams.md says what each entry is for."""

from __future__ import annotations

import json
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
# Each permission the manifest asks for, and the Bot Framework call in handlers/teams/ it is there for.
USED_BY = {
    "identity": "conversations.get_member_by_id(",  # who wrote: their e-mail, from the member list
    "messageTeamMembers": "conversations.create(",  # a 1:1 chat with someone who never wrote to the bot
}


def manifest() -> dict[str, object]:
    return json.loads((ROOT / "teams" / "manifest.json").read_text(encoding="utf-8"))


def teams_code() -> str:
    return "\n".join(path.read_text(encoding="utf-8") for path in (ROOT / "handlers" / "teams").glob("*.py"))


def test_every_permission_is_used_by_the_code() -> None:
    asked = set(manifest()["permissions"])  # type: ignore[arg-type]
    assert asked == set(USED_BY), "a new permission: say here which call needs it"
    code = teams_code()
    for permission, call in USED_BY.items():
        assert call in code, f"{permission} is asked for, but nothing calls {call}"


def test_the_docs_say_what_each_scope_and_permission_is_for() -> None:
    docs = (ROOT / "docs" / "teams.md").read_text(encoding="utf-8")
    rows = set(re.findall(r"^\| (?:bot scope|permission) `(\w+)` \| \S", docs, re.MULTILINE))
    bot = manifest()["bots"][0]  # type: ignore[index]
    assert rows == set(bot["scopes"]) | set(manifest()["permissions"])  # type: ignore[arg-type,index]
    # Files: the coordinator attaches a plan in the 1:1 chat (handlers/teams/uploads.py); still no Graph.
    assert bot["supportsFiles"] is True and "webApplicationInfo" not in manifest()  # type: ignore[index]
