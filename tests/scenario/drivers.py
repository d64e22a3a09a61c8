"""One way to talk to the bot per surface: say something as someone, read the answer and what others got."""

from __future__ import annotations

import html
import io
import json
import re
from typing import Protocol

from bot.services import ActionService
from handlers.console import Console
from tests.fakes.slack import SlackSender
from tests.fakes.slack import shown as slack_shown
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.teams import TeamsSender, TeamsUser
from tests.fakes.teams import shown as teams_shown
from tests.fakes.teams_connector import FakeConnector


class Driver(Protocol):
    source: str  # the Update.source the surface records

    def say(self, email: str, text: str) -> str:
        """``email`` types ``/action <text>``; the answer they read."""
        ...

    def told(self, email: str) -> str:
        """Everything the bot has sent ``email`` unasked so far (requests, decisions)."""
        ...


class ConsoleDriver:
    """The terminal chat (handlers.console), in this process."""

    source = "console"
    _DM = re.compile(r"^→ DM to [^<]*<([^>]+)>:$")

    def __init__(self, actions: ActionService) -> None:
        self.out = io.StringIO()
        self.console = Console(actions, None, out=self.out)
        self.notices: dict[str, list[str]] = {}

    def say(self, email: str, text: str) -> str:
        self.console.email = email
        start = self.out.tell()
        self.console.handle(f"/action {text}")
        blocks = self.out.getvalue()[start:].split("\n\n")
        answer = [blocks[0]]
        for block in blocks[1:]:
            first, _, rest = block.partition("\n")
            dm = self._DM.match(first)
            if dm:
                self.notices.setdefault(dm.group(1), []).append(rest)
            elif block.strip():
                answer.append(block)
        return "\n".join(answer)

    def told(self, email: str) -> str:
        return "\n".join(self.notices.get(email, []))


def _plain_mrkdwn(text: str) -> str:
    return html.unescape(text.replace("*", ""))


class SlackDriver:
    """Signed slash commands to the real Slack app over HTTP; answers read from the stand-in Web API."""

    source = "slack"

    def __init__(self, sender: SlackSender, api: FakeSlackApi, user_ids: dict[str, str]) -> None:
        self.sender, self.api, self.user_ids = sender, api, user_ids

    def say(self, email: str, text: str) -> str:
        before = len(self.api.responses())
        sent = self.sender.command(text, self.user_ids[email])
        assert sent.status == 200, sent.body
        self.api.wait_for(lambda api: len(api.responses()) > before)
        return "\n".join(_plain_mrkdwn(slack_shown(answer)) for answer in self.api.responses()[before:])

    def told(self, email: str) -> str:
        posts = [
            call for call in self.api.calls_to("chat.postMessage") if call.params["channel"] == self.user_ids[email]
        ]
        return "\n".join(_plain_mrkdwn(slack_shown({"blocks": _blocks(call.params)})) for call in posts)


def _blocks(params: dict[str, object]) -> list[dict[str, object]]:
    blocks = params.get("blocks") or []
    return json.loads(blocks) if isinstance(blocks, str) else blocks  # type: ignore[return-value]


class TeamsDriver:
    """Activities POSTed to the real Teams app over HTTP; answers read from the stand-in connector."""

    source = "teams"

    def __init__(self, sender: TeamsSender, connector: FakeConnector, users: dict[str, TeamsUser]) -> None:
        self.sender, self.connector, self.users = sender, connector, users
        self._seen: set[int] = set()

    def say(self, email: str, text: str) -> str:
        user = self.users[email]
        before = len(self.connector.messages(user.chat))
        answer = self.sender.message(user, text)
        assert answer.status == 200, answer.body
        replies = self.connector.messages(user.chat)[before:]
        self._seen |= {id(call) for call in replies}
        return "\n".join(teams_shown(call) for call in replies)

    def told(self, email: str) -> str:
        calls = self.connector.messages(self.users[email].chat)
        return "\n".join(teams_shown(call) for call in calls if id(call) not in self._seen)
