"""The /action slash command: acknowledge at once, then carry it out and answer only the person who asked."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.views import OpenForm
from handlers.slack import incoming
from handlers.slack.listeners.later import Later, notify
from handlers.slack.modals import FormMeta


def action_command(ack: Ack, body: dict[str, Any], context: BoltContext) -> None:
    """/action ...: the text goes to the chat controller; a command that needs a form opens it."""
    ack()  # on the request thread, whatever the database is doing: the rest runs after (later.py)
    slack, chat = context["slack"], context["chat"]
    user_id, response_url = body["user_id"], body.get("response_url")
    text, identity = incoming.from_slack(body.get("text", "")), context["identity"]()
    key = slack.request_key("command", body.get("trigger_id"))
    # A change records its request in its own transaction (ChatController.run_text_once).
    reply = chat.run_text_once(text, identity, key, slack.prepare)
    if reply is None:
        return  # a replay or a retry: already carried out
    if isinstance(reply.view, OpenForm):
        meta = FormMeta(reply.view.ref, response_url)
        if slack.open_form(body["trigger_id"], reply.view.form, reply.view.action, meta, dict(reply.view.values)):
            return
    slack.answer(response_url, user_id, reply.view)
    notify(context, reply)


def register(app: App, later: Later) -> None:
    """Listen for /action."""
    app.command("/action")(later.acked(action_command))
