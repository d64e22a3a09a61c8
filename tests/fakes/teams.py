"""Talking to the app as Teams does: Activity JSON POSTed to /api/messages, and reading the cards it sends."""

from __future__ import annotations

import http.client
import itertools
import json
import time
import uuid
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import jwt

from handlers.teams.app import TEST_APP_ID
from tests.fakes.teams_connector import Call, FakeConnector

BOT_ID = f"28:{TEST_APP_ID}"
BOT_NAME = "Action Tracker"
TENANT = "tenant-1"
SUBGROUP = "19:subgroup-channel@thread.tacv2"
GENERAL = "19:general-channel@thread.tacv2"
TEAM = {"id": "19:team-general@thread.tacv2", "name": "Safeguarding Board"}
_ids = itertools.count(1)


def fake_token(*_: object) -> str:
    """A token the SDK can read (a JWT) that no Entra issued: what the bot presents to the stand-in connector."""
    claims = {"aud": "https://api.botframework.com", "appid": TEST_APP_ID, "exp": int(time.time()) + 3600}
    return jwt.encode(claims, "test-signing-key-that-is-long-enough-32b", algorithm="HS256")


@dataclass(frozen=True)
class TeamsUser:
    """A person as Teams knows them: member id, Entra object id, their 1:1 chat with the bot."""

    email: str
    name: str
    aad: str
    member_id: str
    chat: str

    @classmethod
    def make(cls, email: str, name: str) -> TeamsUser:
        key = uuid.uuid5(uuid.NAMESPACE_DNS, email)
        return cls(email, name, str(key), f"29:1{key.hex[:24]}", f"a:1chat-{key.hex[:16]}")


@dataclass(frozen=True)
class Answer:
    """The app's HTTP answer to one activity."""

    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def post(base_url: str, body: bytes, headers: dict[str, str] | None = None, path: str = "/api/messages") -> Answer:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=15)
    try:
        connection.request("POST", path, body=body, headers={"Content-Type": "application/json", **(headers or {})})
        answer = connection.getresponse()
        return Answer(answer.status, answer.read())
    finally:
        connection.close()


def get(base_url: str, path: str) -> Answer:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return Answer(answer.status, answer.read())
    finally:
        connection.close()


class TeamsSender:
    """Sends what Teams would send to the app at ``base_url``; replies go to the stand-in connector."""

    def __init__(self, base_url: str, connector: FakeConnector) -> None:
        self.base_url = base_url
        self.connector = connector

    def _base(self, user: TeamsUser, where: str) -> dict[str, Any]:
        activity: dict[str, Any] = {
            "id": f"1700000{next(_ids):06d}",
            "timestamp": "2026-04-01T09:00:00.000Z",
            "serviceUrl": self.connector.url,
            "channelId": "msteams",
            "from": {"id": user.member_id, "name": user.name, "aadObjectId": user.aad},
            "recipient": {"id": BOT_ID, "name": BOT_NAME},
            "locale": "en-GB",
            "channelData": {"tenant": {"id": TENANT}},
        }
        if where == "personal":
            activity["conversation"] = {"conversationType": "personal", "tenantId": TENANT, "id": user.chat}
        elif where.startswith("19:"):
            activity["conversation"] = {
                "isGroup": True, "conversationType": "channel", "tenantId": TENANT,
                "id": f"{where};messageid={activity['id']}",
            }  # fmt: skip
            activity["channelData"] |= {"teamsChannelId": where, "teamsTeamId": TEAM["id"], "channel": {"id": where},
                                        "team": TEAM}  # fmt: skip
        else:  # a group chat
            activity["conversation"] = {
                "isGroup": True,
                "conversationType": "groupChat",
                "tenantId": TENANT,
                "id": where,
            }
        return activity

    def send(self, activity: dict[str, Any], headers: dict[str, str] | None = None) -> Answer:
        return post(self.base_url, json.dumps(activity).encode(), headers)

    def message(self, user: TeamsUser, text: str, *, where: str = "personal", mention: bool = False) -> Answer:
        """``user`` types ``text``; in a channel Teams puts the bot's @mention in front."""
        activity = self._base(user, where) | {"type": "message", "textFormat": "plain", "text": text}
        if mention or where != "personal":
            tag = f"<at>{BOT_NAME}</at>"
            activity["text"] = f"{tag} {text}"
            activity["entities"] = [{"type": "mention", "text": tag, "mentioned": {"id": BOT_ID, "name": BOT_NAME}}]
        return self.send(activity)

    def click(self, user: TeamsUser, verb: str, data: dict[str, Any], *, where: str = "personal") -> Answer:
        """An Action.Execute button (with any form inputs merged into ``data``, as Teams does)."""
        activity = self._base(user, where) | {
            "type": "invoke",
            "name": "adaptiveCard/action",
            "value": {"action": {"type": "Action.Execute", "verb": verb, "data": data}, "trigger": "manual"},
        }
        return self.send(activity)

    def install(self, user: TeamsUser) -> Answer:
        """``user`` adds the app for themselves: Teams opens the 1:1 chat and says so."""
        return self.send(self._base(user, "personal") | {"type": "installationUpdate", "action": "add"})

    def uninstall(self, user: TeamsUser) -> Answer:
        return self.send(self._base(user, "personal") | {"type": "installationUpdate", "action": "remove"})

    def add_to_team(self, user: TeamsUser, channel: str = GENERAL) -> Answer:
        """``user`` adds the app to a team: the bot joins its channels."""
        activity = self._base(user, channel) | {"type": "conversationUpdate", "membersAdded": [{"id": BOT_ID}]}
        activity["conversation"]["id"] = channel
        activity["channelData"]["eventType"] = "teamMemberAdded"
        return self.send(activity)


# Reading what a person sees.


def cards_of(call: Call) -> list[dict[str, Any]]:
    """The Adaptive Cards a message carried."""
    return [
        attachment["content"]
        for attachment in call.body.get("attachments", [])
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive"
    ]


def _walk(elements: list[dict[str, Any]], out: list[str]) -> None:
    for element in elements:
        kind = element.get("type")
        if kind == "TextBlock":
            out.append(element.get("text", ""))
        elif kind == "RichTextBlock":
            out.append("".join(run.get("text", "") for run in element.get("inlines", [])))
        elif kind == "Container":
            _walk(element.get("items", []), out)
        elif kind == "ActionSet":
            out += [f"[{action.get('title')}]" for action in element.get("actions", [])]
        elif kind and kind.startswith("Input."):
            out.append(f"{element.get('label', '')}: {element.get('value', '')}")


def shown(card_or_call: Any) -> str:
    """All the text a person would read on a card (or on every card of a message), buttons as [Title]."""
    if isinstance(card_or_call, Call):
        return "\n".join(shown(card) for card in cards_of(card_or_call)) or card_or_call.body.get("text", "")
    out: list[str] = []
    _walk(card_or_call.get("body", []), out)
    return "\n".join(out)


def actions_of(card: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    """(title, verb, data) of every Action.Execute button on a card."""
    found: list[tuple[str, str, dict[str, Any]]] = []

    def walk(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            if element.get("type") == "ActionSet":
                found.extend((a["title"], a["verb"], a.get("data", {})) for a in element.get("actions", []))
            walk(element.get("items", []))

    walk(card.get("body", []))
    return found


def inputs_of(card: dict[str, Any]) -> dict[str, Any]:
    """Every input on a card, by id, with the value it shows."""
    found: dict[str, Any] = {}

    def walk(elements: list[dict[str, Any]]) -> None:
        for element in elements:
            if str(element.get("type", "")).startswith("Input."):
                found[element["id"]] = element.get("value")
            walk(element.get("items", []))

    walk(card.get("body", []))
    return found


def invoke_card(answer: Answer) -> dict[str, Any]:
    """The card an Action.Execute answer puts in place of the clicked one."""
    assert answer.status == 200, answer.body
    body = answer.json()
    assert body["type"] == "application/vnd.microsoft.card.adaptive", body
    return body["value"]
