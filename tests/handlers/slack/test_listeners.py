"""The Slack listeners called as plain functions, with a stand-in ``ack`` and a Bolt context holding the
real chat controller (on the test database) and a stand-in for the Slack helpers: no server, no HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from unittest.mock import Mock

import pytest
from slack_bolt import BoltContext

from bot import app
from bot.chat.controller import ChatController
from bot.clock import FrozenClock
from bot.config import Settings
from bot.services import Identity
from bot.views import ActionDetail, ActionView, Changed, ExtensionRequested, Problem, View
from handlers.slack.deps import SlackDeps
from handlers.slack.listeners import actions, commands, events, views
from handlers.slack.modals import FormMeta
from tests.fakes.messenger import Recording
from tests.fakes.slack import typed
from tests.helpers import CHAIR, POLICE_LEAD


@dataclass
class StandInSlack:
    """What the listeners ask of Slack, recorded: answers, opened forms, published homes; replays refused."""

    seen: set[str] = field(default_factory=set)
    answers: list[tuple[str | None, View, bool]] = field(default_factory=list)
    forms: list[tuple[str, ActionView | None, FormMeta]] = field(default_factory=list)
    homes: list[tuple[str, object]] = field(default_factory=list)

    def once(self, kind: str, request_id: str | None) -> bool:
        key = f"{kind}:{request_id}"
        first = key not in self.seen
        self.seen.add(key)
        return first

    request_key = staticmethod(SlackDeps.request_key)  # commands record theirs in the database

    def prepare(self, command: Any) -> Any:
        return command

    def answer(self, response_url: str | None, user_id: str, view: View, *, replace_original: bool = False) -> None:
        self.answers.append((response_url, view, replace_original))

    def open_form(
        self, trigger_id: str, form: str, action: ActionView | None, meta: FormMeta, values: object = None
    ) -> bool:
        self.forms.append((form, action, meta))
        return True

    def publish_home(self, user_id: str, home: object) -> None:
        self.homes.append((user_id, home))


@pytest.fixture
def chat(board: dict[str, int], settings: Settings, clock: FrozenClock) -> Iterator[ChatController]:
    bot = app.build(settings, clock)
    yield ChatController(bot.actions, Recording("slack"))
    bot.engine.dispose()


def stand_in_ack() -> Mock:
    """A stand-in for Bolt's ``ack``, recording how it was called."""
    return Mock(name="ack")


def context_for(chat: ChatController, slack: StandInSlack, email: str) -> BoltContext:
    return BoltContext({"chat": chat, "slack": slack, "identity": lambda: Identity("slack", None, email)})


def test_the_slash_command_acks_first_then_answers_only_the_asker(chat: ChatController) -> None:
    slack, ack = StandInSlack(), stand_in_ack()
    body = {"user_id": "U0PAT", "text": "show CC-1", "trigger_id": "t1", "response_url": "https://hooks/x"}
    commands.action_command(ack, body, context_for(chat, slack, POLICE_LEAD))
    ack.assert_called_once_with()
    [(url, view, replace)] = slack.answers
    assert url == "https://hooks/x" and isinstance(view, ActionDetail) and view.action.ref == "CC-1" and not replace
    commands.action_command(ack, body, context_for(chat, slack, POLICE_LEAD))  # Slack's retry: nothing again
    assert len(slack.answers) == 1


def test_a_command_that_needs_a_form_opens_it(chat: ChatController) -> None:
    slack = StandInSlack()
    body = {"user_id": "U0PAT", "text": "update CC-1", "trigger_id": "t2", "response_url": "https://hooks/x"}
    commands.action_command(stand_in_ack(), body, context_for(chat, slack, POLICE_LEAD))
    [(form, action, meta)] = slack.forms
    assert form == "update" and action is not None and action.ref == "CC-1" and meta.response_url == "https://hooks/x"
    assert slack.answers == []


def extension_form(reason: str) -> dict[str, Any]:
    """The extension form for CC-1 as Slack submits it: 1 Dec 2026 picked, ``reason`` typed."""
    return {
        "callback_id": "extend_form",
        "private_metadata": FormMeta("CC-1", "https://hooks/x").dump(),
        "state": {"values": {"due": {"value": {"selected_date": "2026-12-01"}}, "reason": typed(reason)}},
    }


def test_a_submitted_form_with_a_missing_reason_stays_open_with_the_error(chat: ChatController) -> None:
    slack, ack = StandInSlack(), stand_in_ack()
    view = extension_form("  ")
    views.submitted(ack, {"user": {"id": "U0PAT"}, "trigger_id": "t3"}, view, context_for(chat, slack, POLICE_LEAD))
    ack.assert_called_once_with(response_action="errors", errors={"reason": "Give the reason the chair will read."})
    assert slack.answers == []


def test_a_good_submission_closes_the_form_answers_and_tells_the_chair(chat: ChatController) -> None:
    slack, ack = StandInSlack(), stand_in_ack()
    view = extension_form("Staff off sick")
    views.submitted(ack, {"user": {"id": "U0PAT"}, "trigger_id": "t4"}, view, context_for(chat, slack, POLICE_LEAD))
    ack.assert_called_once_with()
    [(_, answered, _)] = slack.answers
    assert isinstance(answered, Changed)
    assert isinstance(chat.notifier, Recording) and chat.notifier.sent == [("dm", CHAIR)]


def test_approve_from_the_chairs_message_replaces_it(chat: ChatController) -> None:
    slack = StandInSlack()
    reply = chat.run_text("extend CC-1 2026-12-01 Staff off sick", Identity("slack", None, POLICE_LEAD))
    assert any(isinstance(notice.view, ExtensionRequested) for notice in reply.notices)
    body = {"user": {"id": "U0CHAIR"}, "trigger_id": "t5", "response_url": "https://hooks/y",
            "actions": [{"action_id": "approve_extension", "value": "CC-1"}]}  # fmt: skip
    actions.approve(stand_in_ack(), body, context_for(chat, slack, CHAIR))
    [(url, view, replace)] = slack.answers
    assert url == "https://hooks/y" and replace and not isinstance(view, Problem)


def test_a_form_button_on_a_signed_off_action_says_it_is_too_late(chat: ChatController) -> None:
    slack = StandInSlack()
    body = {"user": {"id": "U0PAT"}, "trigger_id": "t6", "response_url": "https://hooks/z",
            "actions": [{"action_id": "open_update_form", "value": "CC-3"}]}  # fmt: skip
    signed = chat.run_text("signoff CC-3", Identity("slack", None, CHAIR))
    assert not isinstance(signed.view, Problem)
    actions.open_form(stand_in_ack(), body, context_for(chat, slack, POLICE_LEAD))
    [(_, view, _)] = slack.answers
    assert isinstance(view, Problem) and "can no longer be changed" in view.message and slack.forms == []


def test_opening_the_home_tab_publishes_the_persons_actions(chat: ChatController) -> None:
    slack = StandInSlack()
    event = {"type": "app_home_opened", "user": "U0PAT", "tab": "home"}
    events.home_opened(event, {"event_id": "Ev1"}, context_for(chat, slack, POLICE_LEAD))
    events.home_opened({**event, "tab": "messages"}, {"event_id": "Ev2"}, context_for(chat, slack, POLICE_LEAD))
    [(user, home)] = slack.homes
    assert user == "U0PAT" and getattr(home, "name", None) == "Pat Lead"
