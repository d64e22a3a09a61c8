"""What a signed body must look like before Bolt sees it: the shapes Slack sends, and nothing else.

A signature proves who sent a body, not that it is well formed. Bolt and our listeners index into
the payload (``body["view"]["type"]``, ``body["user"]["id"]``) and raise on anything else, which the
web server would answer with a 500. So every signed body is checked here first: plain JSON of modest
depth (no NaN, no number longer than Slack's, no NUL or lone surrogate in a string), a form whose
fields each appear once in valid UTF-8, and for each kind of payload our listeners handle, the
fields they read, with the types Slack gives them. Anything else is a 400 and nothing runs.
"""

from __future__ import annotations

import json
import math
from typing import Any
from urllib.parse import parse_qsl

MAX_DEPTH = 48  # Slack's deepest payloads (a view's blocks inside a message inside an event) are ~15 deep
MAX_DIGITS = 20  # timestamps and counts; nothing Slack sends is longer

Spec = Any  # a type, a tuple of types, a dict of field -> Spec ("name?" optional, may be null), or a list


class ListOf:
    """A list whose items all fit ``item`` (and, when ``non_empty``, at least one)."""

    def __init__(self, item: Spec, *, non_empty: bool = False) -> None:
        self.item, self.non_empty = item, non_empty


class MapOf:
    """An object whose values all fit ``value`` (its keys are ids of our choosing: block ids, action ids)."""

    def __init__(self, value: Spec) -> None:
        self.value = value


ID = (str, dict, type(None))  # Bolt reads user, team, channel and enterprise as an id or an object
USER = {"id": str, "team_id?": str, "name?": str, "username?": str}
TEAM = {"id": str, "domain?": str, "enterprise_id?": str}
CHANNEL = {"id": str, "name?": str}
# Messages, items and containers inside a payload: the ids Bolt reads from them.
NESTED = {"type?": str, "subtype?": str, "user?": ID, "channel?": ID, "team?": ID, "ts?": str, "text?": str,
          "bot_id?": str}  # fmt: skip
OPTION = {"value": str}
# What a form field holds, as our form readers read it.
ELEMENT = {"type": str, "value?": str, "selected_date?": str, "selected_time?": str, "selected_option?": OPTION,
           "selected_options?": ListOf(OPTION)}  # fmt: skip
STATE = {"values": MapOf(MapOf(ELEMENT))}  # block id -> action id -> element
VIEW = {"id": str, "type": str, "callback_id?": str, "private_metadata?": str, "hash?": str, "state?": STATE,
        "team_id?": str, "app_id?": str, "blocks?": ListOf(dict), "root_view_id?": str, "previous_view_id?": str,
        "external_id?": str, "bot_id?": str}  # fmt: skip
FORM_VIEW = {**VIEW, "callback_id": str, "private_metadata": str, "state": STATE}
ACTION = {"action_id": str, "block_id?": str, "type?": str, "value?": str, "action_ts?": str,
          "selected_option?": OPTION, "selected_date?": str}  # fmt: skip
COMMON = {"type": str, "team?": TEAM, "enterprise?": ID, "api_app_id?": str, "token?": str, "trigger_id?": str,
          "response_url?": str, "is_enterprise_install?": bool, "authorizations?": ListOf(dict)}  # fmt: skip
INTERACTIVE = {**COMMON, "user": USER, "channel?": CHANNEL, "container?": NESTED, "message?": NESTED, "view?": VIEW,
               "state?": STATE}  # fmt: skip
EVENT = {"type": str, "user?": (str, dict), "text?": str, "channel?": (str, dict), "ts?": str, "subtype?": str,
         "tab?": str, "channel_type?": str, "bot_id?": str, "event_ts?": str, "view?": VIEW, "message?": NESTED,
         "previous_message?": NESTED, "item?": NESTED, "assistant_thread?": NESTED, "team?": str}  # fmt: skip
PAYLOADS: dict[str, Spec] = {
    "block_actions": {**INTERACTIVE, "actions": ListOf(ACTION, non_empty=True)},
    "view_submission": {**INTERACTIVE, "view": FORM_VIEW, "response_urls?": ListOf(dict)},
    "view_closed": {**INTERACTIVE, "view": VIEW},
    "shortcut": {**INTERACTIVE, "callback_id": str},
    "message_action": {**INTERACTIVE, "callback_id": str},
    "block_suggestion": {**INTERACTIVE, "action_id": str, "block_id": str, "value": str},
    "event_callback": {
        **COMMON,
        "event": EVENT,
        "event_id": str,
        "team_id?": str,
        "event_time?": int,
        "enterprise_id?": str,
        "context_team_id?": str,
        "context_enterprise_id?": str,
    },  # fmt: skip
    "url_verification": {"type": str, "challenge": str, "token?": str},
}
COMMAND = {"command": str, "user_id": str, "text?": str, "team_id?": str, "channel_id?": str}
# Any other kind: the fields Bolt reads before routing, with the types Slack gives them.
OTHER = {**COMMON, "user?": ID, "channel?": ID, "view?": VIEW, "event?": EVENT, "actions?": ListOf(ACTION),
         "callback_id?": str, "action_id?": str, "block_id?": str, "command?": str, "user_id?": str}  # fmt: skip


def parsed(text: str, content_type: str | None) -> dict[str, Any] | None:
    """The body parsed as Bolt will parse it (``slack_bolt.request.internals.parse_body``), but strictly;
    None for anything Slack would not send."""
    if not text:
        return None
    if content_type == "application/json" or text.startswith("{"):
        document = _json(text)
    else:
        try:
            pairs = parse_qsl(text, keep_blank_values=True, strict_parsing=True, errors="strict")
        except (ValueError, UnicodeDecodeError):
            return None
        form = dict(pairs)
        if len(form) != len(pairs) or not all(_plain_text(value) for value in form.values()):
            return None  # a field twice: Bolt would take one, a listener might read the other
        if "payload" not in text:
            return form if _fits(form, COMMAND) else None
        if set(form) != {"payload"}:
            return None
        document = _json(form["payload"])
    if not isinstance(document, dict) or not _plain(document):
        return None
    kind = document.get("type")
    spec = PAYLOADS.get(kind, OTHER) if isinstance(kind, str) else OTHER
    return document if _fits(document, spec) and _form_ok(document) else None


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON Slack sends")


def _bounded_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_DIGITS:
        raise ValueError("a number longer than Slack sends")
    return int(digits)


def _json(text: str) -> object:
    if _depth(text) > MAX_DEPTH:  # before parsing: a parser recurses once per level
        return None
    try:
        return json.loads(text, parse_constant=_reject_constant, parse_int=_bounded_int)
    except (ValueError, RecursionError):
        return None


def _depth(text: str) -> int:
    """How deep brackets nest outside strings (an upper bound, cheap: no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for character in text:
        if in_string:
            escaped, in_string = (False, True) if escaped else (character == "\\", character != '"')
        elif character == '"':
            in_string = True
        elif character in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                break
        elif character in "]}":
            depth -= 1
    return deepest


def _plain_text(text: str) -> bool:
    """No NUL (PostgreSQL refuses it) and no lone surrogate (it cannot be encoded to store or send)."""
    return "\x00" not in text and not any("\ud800" <= character <= "\udfff" for character in text)


def _plain(document: object) -> bool:
    """Every string and key clean, every number finite, walked without recursion."""
    pending = [document]
    while pending:
        value = pending.pop()
        if isinstance(value, dict):
            if not all(_plain_text(key) for key in value):
                return False
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, str):
            if not _plain_text(value):
                return False
        elif isinstance(value, float) and not math.isfinite(value):
            return False
    return True


def _fits(value: object, spec: Spec) -> bool:
    """True when ``value`` has the shape ``spec`` describes (depth is bounded by the parse)."""
    if isinstance(spec, ListOf):
        return (
            isinstance(value, list)
            and (bool(value) or not spec.non_empty)
            and all(_fits(item, spec.item) for item in value)
        )
    if isinstance(spec, MapOf):
        return isinstance(value, dict) and all(_fits(item, spec.value) for item in value.values())
    if isinstance(spec, dict):
        if not isinstance(value, dict):
            return False
        for field, inner in spec.items():
            name, optional = field.removesuffix("?"), field.endswith("?")
            if name not in value:
                if not optional:
                    return False
            elif not (optional and value[name] is None) and not _fits(value[name], inner):
                return False
        return True
    if spec is int:
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, spec)


def _form_ok(body: dict[str, Any]) -> bool:
    """A form submission carries the private_metadata we wrote: a JSON object."""
    if body.get("type") != "view_submission":
        return True
    metadata = _json(body["view"]["private_metadata"] or "{}")
    return isinstance(metadata, dict)
