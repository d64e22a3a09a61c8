"""Export: actions in the import template's layout, and the change log, to .csv or .xlsx."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, selectinload, sessionmaker

from bot.errors import UsageError, UserError
from bot.plans.vocabulary import CHOICES, PLAN_LABELS, RAG_LABELS, STATUS_LABELS, ref_order
from storage.models import Action, Agency, Person, Recommendation, Review, Update
from storage.spreadsheet import CSV_SUFFIXES, XLSX_SUFFIXES, Cell, write_sheet, write_table


def export_plan(sessions: sessionmaker[Session], path: Path, *, reviews: list[str] | None = None) -> int:
    """Write actions (all, or those of the given review codes) to .csv or .xlsx in the template layout."""
    if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise UsageError(f"{path.name}: export to a .csv or .xlsx file.")
    codes = sorted({code.strip().upper() for code in reviews or [] if code.strip()})
    with sessions.begin() as session:
        query = select(Action).join(Review, Action.review_id == Review.id)
        if reviews is not None:
            known = set(session.scalars(select(func.upper(Review.code)).where(func.upper(Review.code).in_(codes))))
            unknown = [code for code in codes if code not in known]
            if unknown:
                raise UserError(f"No review with code {', '.join(unknown)}.")
            query = query.where(func.upper(Review.code).in_(codes))
        query = query.options(
            joinedload(Action.review, innerjoin=True),
            joinedload(Action.agency, innerjoin=True),
            joinedload(Action.owner),
            joinedload(Action.recommendation),
            selectinload(Action.supporting_agencies),
            selectinload(Action.supporting_owners),
        )
        actions = sorted(session.scalars(query).unique(), key=lambda action: ref_order(action.ref))
        rows = [_export_row(action) for action in actions]
    return write_sheet(path, rows, choices=CHOICES)


UPDATE_HEADINGS = ("At", "Ref", "Review", "Kind", "Source", "By", "By Email", "Changes", "Note")
LONDON = ZoneInfo("Europe/London")  # the default BOT_TIMEZONE
_ID_FIELDS = {"agency_id", "owner_id", "completed_by_id", "signed_off_by_id", "recommendation_id"}


def export_updates(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    reviews: list[str] | None = None,
    timezone: ZoneInfo = LONDON,
) -> int:
    """Write every recorded change (oldest first) to .csv or .xlsx: who, when, from where, what."""
    if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise UsageError(f"{path.name}: export to a .csv or .xlsx file.")
    with sessions.begin() as session:
        query = (
            select(Update, Action.ref, Review.code)
            .join(Action, Update.action_id == Action.id)
            .join(Review, Action.review_id == Review.id)
            .order_by(Update.at, Update.id)
        )
        if reviews is not None:
            query = query.where(func.upper(Review.code).in_([code.strip().upper() for code in reviews]))
        entries = session.execute(query).all()
        # Ids in the change log are shown as names: one query per kind, not one per change.
        names: dict[str, dict[int, str]] = {
            "agency": {row.id: row.name for row in session.execute(select(Agency.id, Agency.name))},
            "person": {row.id: row.name for row in session.execute(select(Person.id, Person.name))},
            "recommendation": {
                row.id: row.number for row in session.execute(select(Recommendation.id, Recommendation.number))
            },
        }
        records: list[list[Cell | None]] = [
            [
                update.at.astimezone(timezone).isoformat(timespec="seconds"),
                ref,
                code,
                update.kind,
                update.source,
                update.person.name if update.person else None,
                update.person.email if update.person else None,
                "; ".join(
                    _change_text(name, old, new, names)
                    for name, (old, new) in update.changes.items()
                    if name != "review_id"  # the Review column says it
                ),
                update.note,
            ]
            for update, ref, code in entries
        ]
    return write_table(path, UPDATE_HEADINGS, records, title="Changes")


def _change_text(name: str, old: Any, new: Any, names: dict[str, dict[int, str]]) -> str:
    if name in _ID_FIELDS:
        table = names[
            "agency" if name == "agency_id" else "recommendation" if name == "recommendation_id" else "person"
        ]
        name = name.removesuffix("_id")
        old, new = (table.get(value, value) if isinstance(value, int) else value for value in (old, new))
    return f"{name}: {'(blank)' if old is None else old} -> {'(blank)' if new is None else new}"


def _export_row(action: Action) -> dict[str, Cell | None]:
    """One action as a row that, imported into an empty database, gives the same action back."""
    recommendation = action.recommendation
    review = action.review
    owners = [action.owner, *action.supporting_owners] if action.owner else list(action.supporting_owners)
    return {
        "ref": action.ref,
        "review": action.review.code,
        "recommendation": recommendation.number if recommendation else None,
        "recommendation_text": recommendation.text if recommendation else None,
        "action": action.text,
        "plan": PLAN_LABELS[action.plan],
        "agency": action.agency.name,
        "officer": " / ".join(owner.name for owner in owners) if owners else action.lead_name,
        "officer_email": "; ".join(owner.email for owner in owners) or None,
        "due": action.due if action.due is not None else action.target,
        "original_due": action.original_due if action.original_due != action.due else None,
        "status": STATUS_LABELS[action.status],
        "rag": RAG_LABELS[action.rag],
        "progress": action.progress,
        "evidence": action.evidence,
        "completed_on": action.completed_on,
        "signed_off_on": action.signed_off_on,
        "supporting": "; ".join(agency.name for agency in action.supporting_agencies) or None,
        "review_title": review.title,
        "review_kind": review.kind.value,
        "review_started": review.started,
        "review_published": review.published,
    }
