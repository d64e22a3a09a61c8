"""The coordinator's commands that run outside a transaction: the meeting pack and the digest."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot import permissions
from bot.clock import Clock, local_today
from bot.config import Settings
from bot.errors import UsageError
from bot.reporting.pack import build_pack, pack_document
from bot.services.context import DigestDesk
from bot.services.pack_view import pack_view
from bot.views import DigestPreview, Reply, Text
from storage.models import Person


def pack(sessions: sessionmaker[Session], clock: Clock, settings: Settings, actor: Person, page: int = 1) -> Reply:
    permissions.require_coordinator(actor, "build the meeting pack", chair_too=True)
    today = local_today(clock, settings.timezone)
    built = pack_document(build_pack(sessions, today, timezone=settings.timezone))
    return Reply(pack_view(built, page))


def digest(desk: Callable[[], DigestDesk | None], settings: Settings, actor: Person, command: cmd.Digest) -> Reply:
    permissions.require_coordinator(
        actor, "preview the digest" if command.preview else "send the digest", chair_too=command.preview
    )
    jobs = desk()
    if jobs is None:
        raise UsageError("The digest is not available in this process.")
    if command.preview:
        return Reply(DigestPreview(tuple(jobs.preview_digest()), settings.digest_channel))
    return Reply(Text(jobs.send_digest_now()))
