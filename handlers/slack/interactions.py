"""Buttons and forms: Post update, Mark complete, Request extension, Approve / Decline, Details, More.

A form is checked in place: a missing note or a past date, and the services' refusals
(identifying data, permissions), come back as Slack field errors and the form stays open with
what the person typed. A submission that was accepted closes the form and is answered where
the button was.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from slack_bolt import Ack, App

from bot import commands as cmd
from bot.views import ActionDetail, Problem, View
from handlers.slack import blocks, forms, modals
from handlers.slack.deps import SlackDeps
from handlers.slack.modals import FormMeta
from handlers.text import STATUS_WORDS
from storage.models import Status

Body = dict[str, Any]


def _button(body: Body) -> dict[str, Any]:
    return body["actions"][0]


def _from_home(body: Body) -> bool:
    return (body.get("view") or {}).get("type") == "home"


def _submission_id(body: Body, view: dict[str, Any]) -> str | None:
    # The trigger id marks one submission; the values' digest keeps a corrected resubmission distinct.
    if not body.get("trigger_id"):
        return None
    values = json.dumps(view.get("state", {}).get("values", {}), sort_keys=True)
    return f"{body['trigger_id']}:{hashlib.sha256(values.encode()).hexdigest()[:16]}"


def register(app: App, deps: SlackDeps) -> None:
    """Listen for the buttons and form submissions."""

    @app.action(re.compile(f"^({'|'.join(blocks.FORM_OF_BUTTON)})$"))
    def open_form(ack: Ack, body: Body) -> None:
        ack()
        if not deps.once("action", body.get("trigger_id")):
            return
        form, ref = blocks.FORM_OF_BUTTON[_button(body)["action_id"]], _button(body)["value"]
        user_id, response_url = body["user"]["id"], body.get("response_url")
        reply = deps.actions.handle(cmd.Show(ref), deps.identity(user_id))
        view: View = reply.view
        changeable = Status.SIGNED_OFF if form == "impact" else None  # impact is recorded after sign-off
        if isinstance(view, ActionDetail) and (view.action.status.is_open or view.action.status is changeable):
            meta = FormMeta(ref, response_url, from_home=_from_home(body))
            if deps.open_form(body["trigger_id"], form, view.action, meta):
                return
        elif isinstance(view, ActionDetail):  # a button on an old message: nothing left to do
            view = Problem(f"{ref} is {STATUS_WORDS[view.action.status]}, so it can no longer be changed here.")
        if response_url:
            deps.answer(response_url, user_id, view)
        else:
            deps.open_view(body["trigger_id"], modals.notice_modal("Action tracker", view))

    @app.action(blocks.SHOW)
    def show(ack: Ack, body: Body) -> None:
        ack()
        if not deps.once("action", body.get("trigger_id")):
            return
        user_id = body["user"]["id"]
        reply = deps.actions.handle(cmd.Show(_button(body)["value"]), deps.identity(user_id))
        deps.answer(body.get("response_url"), user_id, reply.view)

    @app.action(blocks.MORE)
    def more(ack: Ack, body: Body) -> None:
        ack()
        if not deps.once("action", body.get("trigger_id")):
            return
        user_id = body["user"]["id"]
        command = _button(body)["value"]  # the next page's command, as we wrote it
        reply = deps.run_text(command, deps.identity(user_id), from_slack=False)
        deps.answer(body.get("response_url"), user_id, reply.view)

    @app.action(blocks.APPROVE)
    def approve(ack: Ack, body: Body) -> None:
        ack()
        if not deps.once("action", body.get("trigger_id")):
            return
        user_id = body["user"]["id"]
        reply = deps.actions.handle(cmd.Approve(_button(body)["value"]), deps.identity(user_id))
        # The decision replaces the request in the chair's DM, so its buttons cannot be clicked twice.
        replace_original = not isinstance(reply.view, Problem)
        deps.answer(body.get("response_url"), user_id, reply.view, replace_original=replace_original)
        deps.notify(reply)

    @app.action(blocks.DECLINE)
    def decline(ack: Ack, body: Body) -> None:
        ack()
        meta = FormMeta(_button(body)["value"], body.get("response_url"), replace_original=True)
        deps.open_view(body["trigger_id"], modals.decline_form(meta))

    @app.action(re.compile(f"^{blocks.HOME_PAGE}"))
    def home_page(ack: Ack, body: Body) -> None:
        ack()
        if not deps.once("action", body.get("trigger_id")):
            return
        pages = json.loads(_button(body)["value"])
        user_id = body["user"]["id"]
        page = deps.actions.home(
            deps.identity(user_id),
            mine_page=int(pages["mine"]),
            outstanding_page=int(pages["outstanding"]),
        )
        deps.client.views_publish(user_id=user_id, view=modals.home_view(page))

    @app.view(re.compile(f"^({'|'.join(blocks.FORM_OF_CALLBACK)})$"))
    def submitted(ack: Ack, body: Body, view: dict[str, Any]) -> None:
        form = blocks.FORM_OF_CALLBACK[view["callback_id"]]
        meta = FormMeta.load(view.get("private_metadata", ""))
        read = forms.READERS[form](meta.ref, view["state"]["values"], deps.today())
        if isinstance(read, dict):
            ack(response_action="errors", errors=read)
            return
        if not deps.once("view", _submission_id(body, view)):
            ack()
            return
        user_id = body["user"]["id"]
        reply = deps.actions.handle(read, deps.identity(user_id))
        if isinstance(reply.view, Problem):
            ack(response_action="errors", errors=forms.problem_errors(form, reply.view))
            return
        ack()  # closes the form
        deps.answer(meta.response_url, user_id, reply.view, replace_original=meta.replace_original)
        deps.notify(reply)
        if meta.from_home:
            deps.client.views_publish(user_id=user_id, view=modals.home_view(deps.actions.home(deps.identity(user_id))))
