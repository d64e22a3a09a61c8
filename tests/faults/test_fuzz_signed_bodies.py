"""Signed bodies Slack would never send get 400, never a 5xx, and write nothing.

A signature proves who sent a body, not that the body is well formed: a leaked signing secret, a
proxy that mangles requests, or Slack changing a payload must not crash the web process. Explicit
cases come from what was seen (a form submission without ``view.type``, JSON nested 100,000 deep);
the fuzz starts from the payloads Slack really sends (a slash command, a button click, a form
submission, an Events API callback) and breaks them one or a few places at a time: a field removed,
a value of another type put in its place, a field added, deep nesting, text no JSON encoder would
make. Every table is compared before and after.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine

from handlers.slack import blocks
from handlers.slack.app import SlackApp
from handlers.slack.modals import FormMeta
from tests.faults.test_fuzz import FUZZ, json_values, settled, signed_post, slack_api, stored, web
from tests.handlers.slack.conftest import SLACK_IDS, STRANGER

__all__ = ["slack_api", "web"]  # fixtures shared with test_fuzz

FORM = "application/x-www-form-urlencoded"
DEPTH = 100_000
KNOWN = sorted(SLACK_IDS.values())[0]


def interactivity(payload: object) -> bytes:
    return urlencode({"payload": json.dumps(payload)}).encode()


def submission(**view: Any) -> dict[str, Any]:
    """A stranger's submission of the update form, shaped as Slack sends it (the stranger may change nothing)."""
    return {
        "type": "view_submission",
        "team": {"id": "T0TEST", "domain": "board"},
        "user": {"id": STRANGER, "team_id": "T0TEST"},
        "api_app_id": "A0APP",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0MODAL",
            "type": "modal",
            "team_id": "T0TEST",
            "callback_id": blocks.CALLBACK["update"],
            "private_metadata": FormMeta("CC-1", "").dump(),
            "state": {"values": {blocks.RAG_BLOCK: {"value": {"type": "radio_buttons",
                                                              "selected_option": {"value": "at-risk"}}},
                                 blocks.NOTE_BLOCK: {"value": {"type": "plain_text_input", "value": "Booked"}}}},
            "hash": "1700000000.abc",
            "app_id": "A0APP",
            **view,
        },
    }  # fmt: skip


def click(user_id: str = KNOWN) -> dict[str, Any]:
    """A click on an action's "Show" button: it only reads, so even someone on the board changes nothing."""
    return {
        "type": "block_actions",
        "user": {"id": user_id, "team_id": "T0TEST"},
        "team": {"id": "T0TEST", "domain": "board"},
        "api_app_id": "A0APP",
        "trigger_id": "1.2.3",
        "container": {"type": "message", "message_ts": "1700000000.000100", "channel_id": "D0DM"},
        "channel": {"id": "D0DM", "name": "directmessage"},
        "actions": [{"type": "button", "action_id": blocks.SHOW, "block_id": "b1", "value": "CC-1",
                     "action_ts": "1700000000.000200"}],
    }  # fmt: skip


def event() -> dict[str, Any]:
    """Someone the board does not know opens the app's Home tab."""
    return {
        "token": "deprecated",
        "team_id": "T0TEST",
        "api_app_id": "A0APP",
        "type": "event_callback",
        "event_id": "Ev00000001",
        "event_time": 1700000000,
        "event": {"type": "app_home_opened", "user": STRANGER, "channel": "D0DM", "tab": "home",
                  "event_ts": "1700000000.000300"},
    }  # fmt: skip


def without_view_type() -> dict[str, Any]:
    payload = submission()
    del payload["view"]["type"]
    return payload


def nested(depth: int, opening: str = "[", closing: str = "]") -> str:
    """A JSON document ``depth`` levels deep."""
    return opening * depth + ("0" if opening.endswith(":") else "") + closing * depth


CASES = {
    "view_submission without view.type": (interactivity(without_view_type()), FORM),
    "view.type a number": (interactivity(submission(type=7)), FORM),
    "view.id an object": (interactivity(submission(id={"a": 1})), FORM),
    "view.hash a list": (interactivity(submission(hash=[1])), FORM),
    "view.callback_id missing": (interactivity({**submission(), "view": {"type": "modal"}}), FORM),
    "state.values a list": (interactivity(submission(state={"values": [1, 2]})), FORM),
    "user.id a number": (interactivity({**submission(), "user": {"id": 5}}), FORM),
    "team.id a list": (interactivity({**submission(), "team": {"id": []}}), FORM),
    "action value an object": (interactivity({**click(), "actions": [{"action_id": blocks.SHOW, "value": {}}]}), FORM),
    "action_id a number": (interactivity({**click(), "actions": [{"action_id": 3, "value": "CC-1"}]}), FORM),
    "container a string": (interactivity({**click(), "container": "message"}), FORM),
    "payload nested deep": (urlencode({"payload": nested(DEPTH)}).encode(), FORM),
    "payload objects nested deep": (urlencode({"payload": nested(DEPTH // 4, '{"a":', "}")}).encode(), FORM),
    "view state nested deep": (
        urlencode({"payload": json.dumps(submission(state="@")).replace('"@"', nested(DEPTH))}).encode(),
        FORM,
    ),
    "event JSON nested deep": ((nested(DEPTH // 2, '{"event":', "}")).encode(), "application/json"),
    "event a string": (json.dumps({**event(), "event": "message"}).encode(), "application/json"),
    "event.type missing": (json.dumps({**event(), "event": {"user": STRANGER}}).encode(), "application/json"),
    "event.text an object": (
        json.dumps({**event(), "event": {**event()["event"], "text": {"x": 1}}}).encode(),
        "application/json",
    ),
    "event_id a list": (json.dumps({**event(), "event_id": [1]}).encode(), "application/json"),
    "a number longer than Slack's": (
        json.dumps(event()).replace("1700000000,", "1" * 30 + ",").encode(),
        "application/json",
    ),
    "a number too long to read": (
        json.dumps(event()).replace("1700000000,", "9" * 5000 + ",").encode(),
        "application/json",
    ),
    "a lone surrogate": (interactivity(submission()).replace(b"Booked", b"%5Cud800"), FORM),
    "a NUL character": (interactivity(submission()).replace(b"Booked", b"%5Cu0000"), FORM),
    "not UTF-8 in the payload": (b"payload=%7B%22type%22%3A%22%FF%FE%22%7D", FORM),
    "not UTF-8 in a command": (b"command=%2Faction&user_id=U0STRANGER&text=%FF%FE", FORM),
    "payload twice": (interactivity(click()) + b"&" + interactivity(submission()), FORM),
    "command a list": (b"command=%2Faction&command=%2Fother&user_id=U0STRANGER&text=mine", FORM),
    "challenge an object": (json.dumps({"type": "url_verification", "challenge": {}}).encode(), "application/json"),
    "NaN and Infinity": (json.dumps({**event(), "event_time": float("nan")}).encode(), "application/json"),
}


@pytest.mark.parametrize(("body", "content_type"), CASES.values(), ids=CASES.keys())
def test_signed_bodies_slack_would_not_send_get_400(
    body: bytes, content_type: str, web: tuple[str, SlackApp], engine: Engine
) -> None:
    url, slack = web
    before = stored(engine)
    assert signed_post(url, body, content_type) == 400
    assert settled(slack, engine) == before


def test_what_slack_does_send_still_gets_through(web: tuple[str, SlackApp], engine: Engine) -> None:
    url, slack = web
    for body, content_type in [
        (interactivity(submission()), FORM),
        (interactivity(click()), FORM),
        (json.dumps(event()).encode(), "application/json"),
    ]:
        assert signed_post(url, body, content_type) == 200, body[:200]


# ---------------------------------------------------------------------------------------------- the fuzz

Path = tuple[str | int, ...]
DEEP = "@deeply nested@"  # stands for JSON 5,000 levels deep (past any recursive parser's limit)


def paths(value: object, prefix: Path = ()) -> Iterator[Path]:
    """Every place in a JSON document, the document itself first."""
    yield prefix
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from paths(inner, (*prefix, key))
    elif isinstance(value, list):
        for index, inner in enumerate(value):
            yield from paths(inner, (*prefix, index))


def broken(document: Any, path: Path, how: str, replacement: object) -> Any:
    """A copy of ``document`` with the value at ``path`` removed, replaced, extended or buried deep."""
    document = json.loads(json.dumps(document))
    if not path:
        return replacement if how != "deep" else DEEP
    *parents, last = path
    holder = document
    for step in parents:
        holder = holder[step]
    if how == "remove":
        del holder[last]
    elif how == "replace":
        holder[last] = replacement
    elif how == "deep":
        holder[last] = DEEP
    elif isinstance(holder[last], dict):
        holder[last]["extra"] = replacement
    else:
        holder[last] = [holder[last], replacement]
    return document


@st.composite
def broken_bodies(draw: st.DrawFn) -> tuple[bytes, str]:
    template = draw(st.sampled_from(["submission", "click", "stranger click", "event"]))
    document = {"submission": submission, "click": click, "stranger click": lambda: click(STRANGER), "event": event}[
        template
    ]()
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(paths(document))))
        how = draw(st.sampled_from(["remove", "replace", "replace", "add", "deep"]))
        if how == "remove" and not path:
            how = "replace"
        document = broken(document, path, how, draw(json_values))
    text = json.dumps(document).replace(json.dumps(DEEP), nested(5000))
    if template == "event":
        return text.encode(), "application/json"
    return urlencode({"payload": text}).encode(), FORM


def test_broken_slack_payloads_never_get_a_5xx_or_write(web: tuple[str, SlackApp], engine: Engine) -> None:
    url, slack = web
    before = stored(engine)

    @FUZZ
    @given(case=broken_bodies())
    def check(case: tuple[bytes, str]) -> None:
        status = signed_post(url, *case)
        assert 200 <= status < 500 and status != 401, (status, case[0][:300])

    check()
    assert settled(slack, engine) == before
