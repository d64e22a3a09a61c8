"""The meeting pack as Markdown, for a chat reply: built by bot.reporting, written out here."""

from __future__ import annotations

from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.reporting.pack import build_pack, pack_document
from bot.reporting.render import to_markdown


def pack_markdown(sessions: sessionmaker[Session], today: date, timezone: ZoneInfo) -> str:
    """The sub-group meeting's pack for ``today``, as Markdown."""
    return to_markdown(pack_document(build_pack(sessions, today, timezone=timezone)))
