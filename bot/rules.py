"""Pure rules: given facts and today's date, decide. No I/O, no clock reads."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

from bot.dates import add_months
from storage.models import Rag, Status

RAG_ORDER = {Rag.GREEN: 0, Rag.AMBER: 1, Rag.RED: 2}


class ActionFacts(Protocol):
    status: Status
    rag: Rag
    last_update_at: datetime | None

    @property
    def due(self) -> date | None:
        """None: the plan named no date ("Ongoing"); never overdue, never nudged."""


def rag(action: ActionFacts, today: date, amber_days: int, timezone: ZoneInfo) -> Rag:
    """Displayed RAG: blue when done, red when overdue, else the worse of the owner's and 'quiet and due soon'."""
    if not action.status.is_open:
        return Rag.BLUE
    if action.due is None:
        return action.rag if action.rag in RAG_ORDER else Rag.GREEN
    if action.due < today:
        return Rag.RED
    shown = action.rag if action.rag in RAG_ORDER else Rag.GREEN
    last = action.last_update_at.astimezone(timezone).date() if action.last_update_at else None
    quiet = last is None or (today - last).days > amber_days
    if (action.due - today).days <= amber_days and quiet and RAG_ORDER[shown] < RAG_ORDER[Rag.AMBER]:
        return Rag.AMBER
    return shown


def days_overdue(due: date | None, today: date) -> int:
    """Whole days past the due date (0 when not overdue or there is no date)."""
    return 0 if due is None else max(0, (today - due).days)


def nudge_window(due: date | None, today: date, nudge_days: tuple[int, ...]) -> str | None:
    """Which reminder an open action is due today, as a stable name, or None.

    Before the due date: the smallest of NUDGE_DAYS that the days left have reached, so a
    sweep that was missed (weekend, downtime) still sends the latest reminder, once.
    After it: one reminder per overdue week, the first on the first working day overdue.
    No date (the plan said "Ongoing"): no reminder until one is set.
    """
    if due is None:
        return None
    left = (due - today).days
    if left >= 0:
        reached = [days for days in nudge_days if left <= days]
        return f"before-{min(reached)}" if reached else None
    return f"overdue-{(-left - 1) // 7}"


def escalation_period(due: date | None, today: date, escalate_after_days: int) -> int | None:
    """Which escalation to the chair is due: 0 once overdue by ESCALATE_AFTER_DAYS, 1 a period later, ..."""
    if due is None:
        return None
    overdue = (today - due).days
    if overdue < escalate_after_days:
        return None
    return (overdue - escalate_after_days) // escalate_after_days


def impact_check_due(signed_off_on: date, today: date, impact_months: tuple[int, ...]) -> int | None:
    """Which impact check is due after sign-off: the largest of IMPACT_MONTHS reached, or None."""
    reached = [months for months in impact_months if add_months(signed_off_on, months) <= today]
    return max(reached) if reached else None


def reminder_reason(due: date | None, today: date) -> str:
    """'due in 7 days', 'due today', '3 days overdue'."""
    if due is None:
        return "needs a date"
    left = (due - today).days
    if left > 1:
        return f"due in {left} days"
    if left == 1:
        return "due tomorrow"
    if left == 0:
        return "due today"
    return f"{-left} day{'s' if left != -1 else ''} overdue"


def week_start(day: date) -> date:
    """The Monday of a date's week."""
    return day - timedelta(days=day.weekday())


def progress_bar(done: int, total: int, width: int = 10) -> str:
    """'▓▓▓▓░░░░░░ 40%': how much of a plan is complete or signed off."""
    if total == 0:
        return "░" * width + " 0%"
    filled = round(width * done / total)
    return "▓" * filled + "░" * (width - filled) + f" {round(100 * done / total)}%"
