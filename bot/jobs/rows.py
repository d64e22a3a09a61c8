"""The jobs read actions as column rows (Core SELECTs of what a reminder or the digest shows), not ORM objects."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import aliased

from bot.config import Settings
from bot.services.presentation import view_of
from bot.services.queries import Pending
from bot.views import ActionView
from storage.models import Action, Agency, Person, Review

OWNER = aliased(Person, name="owner")
ACTION_COLUMNS = (
    Action.id.label("action_id"), Action.ref, Action.text, Action.due, Action.original_due, Action.status,
    Action.rag, Action.progress, Action.evidence, Action.signed_off_on, Action.target, Action.lead_name,
    Action.last_update_at, Review.code.label("review_code"), Review.title.label("review_title"),
    Agency.name.label("agency_name"), Action.owner_id, OWNER.name.label("owner_name"), OWNER.email.label("owner_email"),
)  # fmt: skip


def action_rows(*extra: Any, start: Any = None) -> Select[Any]:
    """A SELECT of the columns an action's view needs (and ``extra`` ones), joined once.

    ``start``: a table and how it joins to the action (the ledger's rows), when the rows come from it.
    """
    query = select(*extra, *ACTION_COLUMNS)
    query = query.select_from(Action) if start is None else query.select_from(start[0]).join(Action, start[1])
    return (
        query.join(Review, Review.id == Action.review_id)
        .join(Agency, Agency.id == Action.agency_id)
        .outerjoin(OWNER, OWNER.id == Action.owner_id)
    )


def row_view(row: Any, today: date, settings: Settings, pending: Pending) -> ActionView:
    """An action's view from its row, as bot.services.presentation.action_view builds it from the object."""
    names = (row.review_code, row.review_title, row.agency_name, row.owner_name, row.owner_email)
    return view_of(row, names, today, settings, pending.get(row.action_id))
