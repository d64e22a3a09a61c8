"""Buttons: Post update, Mark complete, Request extension, Record impact, Approve / Decline, Details,
More, and the App Home's paging. Each is acknowledged at once; a replayed click does nothing."""

from __future__ import annotations

import json
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot import commands as cmd
from bot.views import ActionDetail, ActionView, OpenForm, Problem
from handlers.slack import blocks, modals
from handlers.slack.listeners.later import Later, notify
from handlers.slack.modals import FormMeta

Body = dict[str, Any]


def _button(body: Body) -> dict[str, Any]:
    return body["actions"][0]


def _first_click(ack: Ack, body: Body, context: BoltContext) -> bool:
    ack()
    return bool(context["slack"].once("action", body.get("trigger_id")))


def open_form(ack: Ack, body: Body, context: BoltContext) -> None:
    """A form's button: the form opens while the action can still be changed; else the person is told why."""
    if not _first_click(ack, body, context):
        return
    slack, button = context["slack"], _button(body)
    form = blocks.FORM_OF_BUTTON.get(button["action_id"], "decline")
    ref, user_id, response_url = button["value"], body["user"]["id"], body.get("response_url")
    found = context["chat"].form_for(form, ref, context["identity"]())
    if isinstance(found, OpenForm):  # add, edit: the form comes filled in
        meta = FormMeta(found.ref, response_url, from_home=(body.get("view") or {}).get("type") == "home")
        if slack.open_form(body["trigger_id"], form, found.action, meta, dict(found.values)):
            return
    if isinstance(found, ActionView):
        from_home = (body.get("view") or {}).get("type") == "home"
        # The decision replaces the request in the chair's DM, so its buttons cannot be clicked twice.
        meta = FormMeta(ref, response_url, replace_original=form == "decline", from_home=from_home)
        if slack.open_form(body["trigger_id"], form, found if form != "decline" else None, meta):
            return
        found = ActionDetail(found)  # Slack would not open the form: show the action, buttons and all
    if response_url:
        slack.answer(response_url, user_id, found)
    else:
        slack.open_view(body["trigger_id"], modals.notice_modal("Action tracker", found))


def show(ack: Ack, body: Body, context: BoltContext) -> None:
    """Details: the action in full."""
    if not _first_click(ack, body, context):
        return
    reply = context["chat"].run(cmd.Show(_button(body)["value"]), context["identity"]())
    context["slack"].answer(body.get("response_url"), body["user"]["id"], reply.view)


def more(ack: Ack, body: Body, context: BoltContext) -> None:
    """More: the next page, whose command the button carries as we wrote it (not escaped by Slack)."""
    if not _first_click(ack, body, context):
        return
    reply = context["chat"].run_text(_button(body)["value"], context["identity"](), context["slack"].prepare)
    context["slack"].answer(body.get("response_url"), body["user"]["id"], reply.view)


def approve(ack: Ack, body: Body, context: BoltContext) -> None:
    """Approve an extension; the decision replaces the request, so it cannot be clicked twice."""
    if not _first_click(ack, body, context):
        return
    chat = context["chat"]
    reply = chat.run(cmd.Approve(_button(body)["value"]), context["identity"]())
    replace_original = not isinstance(reply.view, Problem)
    context["slack"].answer(body.get("response_url"), body["user"]["id"], reply.view, replace_original=replace_original)
    notify(context, reply)


def finish_upload(ack: Ack, body: Body, context: BoltContext) -> None:
    """Import or Cancel under an uploaded plan's preview; the answer replaces the preview and its buttons."""
    if not _first_click(ack, body, context):
        return
    button = _button(body)
    go = button["action_id"] == blocks.IMPORT_UPLOAD
    view = context["chat"].finish_upload(button["value"], context["identity"](), go=go)
    replace_original = not isinstance(view, Problem)
    context["slack"].answer(body.get("response_url"), body["user"]["id"], view, replace_original=replace_original)


def home_page(ack: Ack, body: Body, context: BoltContext) -> None:
    """Previous / Next on the App Home."""
    if not _first_click(ack, body, context):
        return
    pages = json.loads(_button(body)["value"])
    home = context["chat"].home(
        context["identity"](), mine_page=int(pages["mine"]), outstanding_page=int(pages["outstanding"])
    )
    context["slack"].publish_home(body["user"]["id"], home)


def register(app: App, later: Later) -> None:
    """Listen for the buttons."""
    app.action(re.compile(f"^({'|'.join([*blocks.FORM_OF_BUTTON, blocks.DECLINE])})$"))(later.acked(open_form))
    app.action(blocks.SHOW)(later.acked(show))
    app.action(blocks.MORE)(later.acked(more))
    app.action(blocks.APPROVE)(later.acked(approve))
    app.action(re.compile(f"^{blocks.HOME_PAGE}"))(later.acked(home_page))
    app.action(re.compile(f"^({blocks.IMPORT_UPLOAD}|{blocks.CANCEL_UPLOAD})$"))(later.acked(finish_upload))
