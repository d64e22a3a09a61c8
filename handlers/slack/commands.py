"""The /action slash command: acknowledge at once, then carry it out and answer only the person who asked."""

from __future__ import annotations

from typing import Any

from slack_bolt import Ack, App

from bot.views import OpenForm
from handlers.slack.deps import SlackDeps
from handlers.slack.modals import FormMeta


def register(app: App, deps: SlackDeps) -> None:
    """Listen for /action."""

    @app.command("/action")
    def action_command(ack: Ack, body: dict[str, Any]) -> None:
        ack()  # within Slack's 3 seconds, whatever the database is doing: the rest runs after
        if not deps.once("command", body.get("trigger_id")):
            return  # a replay or a retry: already carried out
        user_id, response_url = body["user_id"], body.get("response_url")
        reply = deps.run_text(body.get("text", ""), deps.identity(user_id))
        if isinstance(reply.view, OpenForm):
            meta = FormMeta(reply.view.action.ref, response_url)
            if deps.open_form(body["trigger_id"], reply.view.form, reply.view.action, meta):
                return
        deps.answer(response_url, user_id, reply.view)
        deps.notify(reply)
