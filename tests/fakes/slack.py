"""Talking to the app as Slack does: signed HTTP requests for slash commands, clicks, forms and events."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from tests.fakes.slack_api import FakeSlackApi

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
TOKEN = "xoxb-0000-test-token"
TEAM = {"id": "T0TEST", "domain": "board"}
_counter = itertools.count(1)


def sign(body: bytes | str, timestamp: int | str | None = None, secret: str = SECRET) -> dict[str, str]:
    """The headers Slack sends: X-Slack-Request-Timestamp and X-Slack-Signature (v0, HMAC-SHA256)."""
    raw = body.encode() if isinstance(body, str) else body
    stamp = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), b"v0:" + stamp.encode() + b":" + raw, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}


def new_trigger_id() -> str:
    return f"{next(_counter)}.{int(time.time())}.{hashlib.sha1(str(time.time_ns()).encode()).hexdigest()[:16]}"


@dataclass(frozen=True)
class Sent:
    """A request as sent, and the app's HTTP answer."""

    status: int
    body: bytes
    form: bytes
    headers: dict[str, str]
    trigger_id: str | None = None
    response_url: str | None = None

    def json(self) -> Any:
        return json.loads(self.body or b"null")


def post(base_url: str, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
    """One POST over a real HTTP connection."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("POST", path, body=body, headers=headers)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


def get(base_url: str, path: str) -> tuple[int, bytes]:
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=10)
    try:
        connection.request("GET", path)
        answer = connection.getresponse()
        return answer.status, answer.read()
    finally:
        connection.close()


class SlackSender:
    """Sends what Slack would send, signed, to the app at ``base_url``; answers go to the fake API."""

    def __init__(self, base_url: str, api: FakeSlackApi) -> None:
        self.base_url = base_url
        self.api = api

    def send(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | str | None = None,
        secret: str = SECRET,
        extra: dict[str, str] | None = None,
        signed: bool = True,
    ) -> tuple[int, bytes, dict[str, str]]:
        headers = {"Content-Type": content_type, **(sign(body, timestamp, secret) if signed else {}), **(extra or {})}
        status, answer = post(self.base_url, "/slack/events", body, headers)
        return status, answer, headers

    def command(
        self, text: str, user_id: str, *, trigger_id: str | None = None, response_url: str | None = None, **options: Any
    ) -> Sent:
        """/action <text> typed by ``user_id``."""
        trigger_id = trigger_id or new_trigger_id()
        response_url = response_url or self.api.response_url()
        form = urlencode(
            {
                "token": "deprecated",
                "team_id": TEAM["id"],
                "team_domain": TEAM["domain"],
                "channel_id": "C0GENERAL",
                "channel_name": "general",
                "user_id": user_id,
                "user_name": user_id.lower(),
                "command": "/action",
                "text": text,
                "api_app_id": "A0APP",
                "is_enterprise_install": "false",
                "response_url": response_url,
                "trigger_id": trigger_id,
            }
        ).encode()
        status, answer, headers = self.send(form, "application/x-www-form-urlencoded", **options)
        return Sent(status, answer, form, headers, trigger_id, response_url)

    def interact(self, payload: dict[str, Any], **options: Any) -> Sent:
        """An interactivity payload (button click, form submission), form-encoded as ``payload=<json>``."""
        form = urlencode({"payload": json.dumps(payload)}).encode()
        status, answer, headers = self.send(form, "application/x-www-form-urlencoded", **options)
        return Sent(status, answer, form, headers, payload.get("trigger_id"), payload.get("response_url"))

    def click(
        self,
        action_id: str,
        value: str,
        user_id: str,
        *,
        in_home: bool = False,
        response_url: str | None = None,
        **options: Any,
    ) -> Sent:
        """A button click on a message (or on the App Home when ``in_home``)."""
        payload: dict[str, Any] = {
            "type": "block_actions",
            "user": {"id": user_id, "team_id": TEAM["id"]},
            "team": TEAM,
            "api_app_id": "A0APP",
            "trigger_id": new_trigger_id(),
            "actions": [
                {
                    "type": "button",
                    "action_id": action_id,
                    "block_id": "b1",
                    "value": value,
                    "action_ts": str(time.time()),
                }
            ],
        }
        if in_home:
            payload["view"] = {"id": "VHOME", "type": "home", "blocks": []}
            payload["container"] = {"type": "view", "view_id": "VHOME"}
        else:
            payload["response_url"] = response_url or self.api.response_url()
            payload["container"] = {"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0DM"}
            payload["channel"] = {"id": "D0DM"}
        return self.interact(payload, **options)

    def submit(self, view: dict[str, Any], values: dict[str, Any], user_id: str, **options: Any) -> Sent:
        """Submit a modal the app opened (as recorded by views.open) with ``values`` as Slack's state."""
        payload = {
            "type": "view_submission",
            "team": TEAM,
            "user": {"id": user_id, "team_id": TEAM["id"]},
            "api_app_id": "A0APP",
            "trigger_id": new_trigger_id(),
            "view": {
                **view,
                "id": view.get("id", "V0MODAL"),
                "team_id": TEAM["id"],
                "state": {"values": values},
                "hash": "1700000000.abc",
                "app_id": "A0APP",
            },
        }
        return self.interact(payload, **options)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **options: Any) -> Sent:
        """An Events API callback (JSON)."""
        body = json.dumps(
            {
                "token": "deprecated",
                "team_id": TEAM["id"],
                "api_app_id": "A0APP",
                "event": event,
                "type": "event_callback",
                "event_id": event_id or f"Ev{next(_counter):08d}",
                "event_time": int(time.time()),
            }
        ).encode()
        status, answer, headers = self.send(body, "application/json", **options)
        return Sent(status, answer, body, headers)


# What a person types into a form, as Slack's view.state.values.
def typed(text: str) -> dict[str, Any]:
    return {"value": {"type": "plain_text_input", "value": text}}


def picked_date(iso: str | None) -> dict[str, Any]:
    return {"value": {"type": "datepicker", "selected_date": iso}}


def chosen(option: str) -> dict[str, Any]:
    return {"value": {"type": "radio_buttons", "selected_option": {"value": option}}}


# Reading what a person sees.


def shown(blocks_or_message: Any) -> str:
    """All the text a person would read in a message, modal or home view (mrkdwn as sent)."""
    blocks = blocks_or_message.get("blocks", []) if isinstance(blocks_or_message, dict) else blocks_or_message
    out: list[str] = []
    for block in blocks:
        if block.get("text"):
            out.append(block["text"]["text"])
        out += [field["text"] for field in block.get("fields", [])]
        out += [element.get("text", "") for element in block.get("elements", []) if block["type"] == "context"]
        if block.get("label"):
            out.append(block["label"]["text"])
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if element.get("type") == "button":
                out.append(f"[{element['text']['text']}]")
    return "\n".join(out)


def buttons(message: Any) -> list[tuple[str, str, str]]:
    """(label, action_id, value) of every button in a message or view."""
    found = []
    for block in message.get("blocks", []):
        for element in [block.get("accessory") or {}, *block.get("elements", [])]:
            if isinstance(element, dict) and element.get("type") == "button":
                found.append((element["text"]["text"], element["action_id"], element["value"]))
    return found


def view_of(call: Any) -> dict[str, Any]:
    """The view a views.open / views.publish call carried."""
    view = call.params["view"]
    return json.loads(view) if isinstance(view, str) else view
