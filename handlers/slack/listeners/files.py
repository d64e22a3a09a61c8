"""A spreadsheet uploaded in the bot's DM (the ``file_shared`` event): the coordinator gets the importer's dry
run with Import / Cancel; anyone else a refusal, before anything is downloaded. Files shared in channels the
bot is in are ignored: a plan is loaded in the coordinator's DM only."""

from __future__ import annotations

import logging
from typing import Any

from slack_bolt import App, BoltContext

from bot.chat import phrases
from bot.services.uploads import MAX_UPLOAD
from bot.views import Problem
from handlers.slack import files
from handlers.slack.listeners.later import Later

log = logging.getLogger(__name__)


def file_shared(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """file_shared (acknowledged before the listener runs)."""
    channel, user_id = str(event.get("channel_id") or ""), str(event.get("user_id") or "")
    if not channel.startswith("D") or not user_id:
        return  # not the bot's DM: a file shared in a channel is not ours to read
    slack, chat = context["slack"], context["chat"]
    if not slack.once("event", body.get("event_id")):
        return  # Slack's retry or a replay
    identity = context["identity"]()
    refused = chat.may_upload(identity)
    if refused is None:
        view = _preview(slack, chat, identity, str(event.get("file_id") or (event.get("file") or {}).get("id") or ""))
    else:
        view = refused
    slack.messenger.send_to_user(user_id, view)


def _preview(slack: Any, chat: Any, identity: Any, file_id: str) -> Any:
    client = slack.client
    try:
        found = files.file_info(slack.client, file_id)
        refused = chat.upload_problem(found.name, found.size)
        if refused is not None:
            return refused
        content = files.download(
            found.url, client.token or "", client.base_url, limit=MAX_UPLOAD, timeout=slack.timeout
        )
    except files.NotFetched as error:
        log.warning("upload %s not fetched: %s", file_id, error)
        return Problem(phrases.UPLOAD_NOT_FETCHED.format(where="Slack"))
    return chat.preview_upload(content, found.name, identity)


def register(app: App, later: Later) -> None:
    """Listen for files shared with the bot."""
    app.event("file_shared")(later.event(file_shared))
