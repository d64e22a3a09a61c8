"""Rows become what people see: pure functions, no session, no clock (today is passed in)."""

from __future__ import annotations

from datetime import date
from typing import Any
from zoneinfo import ZoneInfo

from bot.config import Settings
from bot.rules import days_overdue, rag
from bot.views import ActionView, ExtensionView, HistoryEntry
from storage.models import Action, ExtensionRequest, Update

Names = tuple[str, str, str, str | None, str | None]  # review code and title, agency, owner's name and e-mail


def action_view(
    action: Action, today: date, settings: Settings, pending: tuple[ExtensionRequest, str] | None = None
) -> ActionView:
    """An action as people see it on ``today``, with its waiting extension request (and who asked) if any."""
    owner = action.owner
    names = (action.review.code, action.review.title, action.agency.name, owner.name if owner else None,
             owner.email if owner else None)  # fmt: skip
    return view_of(action, names, today, settings, pending)


def view_of(
    action: Any, names: Names, today: date, settings: Settings, pending: tuple[ExtensionRequest, str] | None
) -> ActionView:
    """The view of an Action, or of a column row with the same names (bot.jobs.rows): ``names`` are the
    related rows' names, read from the relationships or from the row's joined columns."""
    extension = None
    if pending is not None:
        request, name = pending
        extension = ExtensionView(request.requested_due, request.reason, name, request.requested_at)
    review_code, review_title, agency, owner, owner_email = names
    return ActionView(
        ref=action.ref,
        text=action.text,
        review_code=review_code,
        review_title=review_title,
        agency=agency,
        owner=owner,
        owner_email=owner_email,
        due=action.due,
        original_due=action.original_due,
        status=action.status,
        rag=rag(action, today, settings.amber_days, settings.timezone),
        owner_rag=action.rag,
        days_overdue=days_overdue(action.due, today) if action.status.is_open else 0,
        progress=action.progress,
        evidence=action.evidence,
        pending_extension=extension,
        signed_off_on=action.signed_off_on,
        target=action.target,
        lead_name=action.lead_name,
    )


def history_entry(update: Update, timezone: ZoneInfo) -> HistoryEntry:
    """One change-log row: who (or the import, or the system), when in local time, what."""
    who = update.person.name if update.person else "(import)" if update.source == "import" else "(system)"
    return HistoryEntry(
        update.at.astimezone(timezone), who, update.source, update.kind, dict(update.changes or {}), update.note
    )
