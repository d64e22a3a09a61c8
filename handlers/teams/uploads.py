"""A spreadsheet attached in the bot's 1:1 chat (a file attachment with its download URL): the coordinator gets
the importer's dry run with Import / Cancel; anyone else a refusal, before anything is downloaded.

Teams gives a pre-authorised download URL (``content.downloadUrl``, else ``contentUrl``): no credential of ours
is sent with it. It is fetched over HTTPS only (or from the connector's own host, as in tests), without
following redirects, and at most MAX_UPLOAD bytes are read."""

from __future__ import annotations

import asyncio
import logging
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import urlsplit

from bot.chat import phrases
from bot.identity import Identity
from bot.services.uploads import MAX_UPLOAD, Attachment
from bot.views import Problem, View
from handlers.teams.conversations import PERSONAL, Place
from handlers.teams.deps import TeamsDeps

log = logging.getLogger(__name__)

FILE_INFO = "application/vnd.microsoft.teams.file.download.info"


def attached_file(activity: Any) -> Attachment | None:
    """The file attached to a message, if there is one (an inline image or a card is not a file)."""
    for attachment in activity.attachments or []:
        content = attachment.content if isinstance(attachment.content, dict) else {}
        url = content.get("downloadUrl") or attachment.content_url
        if attachment.content_type == FILE_INFO and url:
            return Attachment(str(attachment.name or "upload"), str(url))
    return None


def allowed(url: str, service_url: str | None) -> bool:
    """HTTPS anywhere (Teams' files are on SharePoint), or the connector's own host (the tests' loopback)."""
    target = urlsplit(url)
    if target.scheme == "https":
        return bool(target.hostname)
    service = urlsplit(service_url or "")
    return target.scheme == "http" and bool(target.hostname) and target.hostname == service.hostname


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def download(url: str, *, limit: int, timeout: float) -> bytes | None:
    """The file's bytes, or None when it could not be had (logged)."""
    try:
        with urllib.request.build_opener(_NoRedirect).open(url, timeout=timeout) as answer:
            content: bytes = answer.read(limit + 1)
    except (urllib.error.URLError, OSError) as error:
        log.warning("Teams attachment not fetched: %s", error)
        return None
    return content


def preview(deps: TeamsDeps, file: Attachment, identity: Identity, service_url: str | None, timeout: float) -> View:
    """Refuse before downloading unless the coordinator sent a sheet; else the dry run (runs in a thread)."""
    chat = deps.chat
    refused = chat.may_upload(identity) or chat.upload_problem(file.name, None)
    if refused is not None:
        return refused
    content = download(file.url, limit=MAX_UPLOAD, timeout=timeout) if allowed(file.url, service_url) else None
    if content is None:
        return Problem(phrases.UPLOAD_NOT_FETCHED.format(where="Teams"))
    if len(content) > MAX_UPLOAD:
        return Problem(phrases.UPLOAD_TOO_BIG.format(size=round(len(content) / 2**20, 1), limit=MAX_UPLOAD // 2**20))
    return chat.preview_upload(content, file.name, identity)


async def on_upload(ctx: Any, deps: TeamsDeps, file: Attachment, place: Place, identity: Identity) -> None:
    """A file in a chat: previewed in the 1:1 chat; in a channel or group chat it is not ours to read."""
    if place.kind != PERSONAL:
        return
    view = await asyncio.to_thread(preview, deps, file, identity, ctx.activity.service_url, 10.0)
    await deps.answer(ctx, view, place, identity)
