"""Pure rules: given facts and today's date, decide. No I/O, no clock reads."""

from __future__ import annotations

from datetime import date, datetime
from typing import Protocol
from zoneinfo import ZoneInfo

from storage.models import Rag, Status

RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


class ActionFacts(Protocol):
    status: Status
    rag: Rag
    due: date
    last_update_at: datetime | None


def rag(action: ActionFacts, today: date, amber_days: int, timezone: ZoneInfo) -> Rag:
    """Displayed RAG: blue when done, red when overdue, else the worse of the owner's and 'quiet and due soon'."""
    if not action.status.is_open:
        return Rag.BLUE
    if action.due < today:
        return Rag.RED
    shown = action.rag if action.rag in RAG_ORDER else Rag.GREEN
    last = action.last_update_at.astimezone(timezone).date() if action.last_update_at else None
    quiet = last is None or (today - last).days > amber_days
    if (action.due - today).days <= amber_days and quiet and RAG_ORDER[shown] < RAG_ORDER[Rag.AMBER]:
        return Rag.AMBER
    return shown


def days_overdue(due: date, today: date) -> int:
    """Whole days past the due date (0 when not overdue)."""
    return max(0, (today - due).days)
