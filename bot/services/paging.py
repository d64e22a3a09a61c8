"""Listings counted and paged in SQL: one statement for the counts, one for the page's rows.

The ordering is the one bot/services/listing.py states in Python (``urgency``, ``outstanding_groups``):
the same page and counts, without loading every matching action to show ten of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, contains_eager

from bot.config import Settings
from bot.services.queries import ACTION_VIEW
from storage.models import Action, Agency, Rag, Review

PAGE_SIZE = 10


@dataclass(frozen=True)
class GroupCount:
    review_code: str
    review_title: str
    agency: str
    actions: int
    overdue: int
    amber: int


def bytewise(session: Session, column: InstrumentedAttribute[str]) -> ColumnElement[str]:
    """Compare text as Python does (code points), whatever the database's default collation."""
    return column.collate("C") if session.get_bind().dialect.name == "postgresql" else column.expression


def clamp(asked: int, total: int, size: int = PAGE_SIZE) -> tuple[int, int]:
    """(page shown, pages): asked-for pages past the end show the last; an empty listing has one page."""
    pages = max(1, -(-total // size))
    return min(max(1, asked), pages), pages


@dataclass(frozen=True)
class Urgency:
    """The displayed-RAG facts of an open action as SQL expressions (bot.rules.rag, for open actions)."""

    overdue: ColumnElement[bool]
    red: ColumnElement[bool]
    amber: ColumnElement[bool]

    @classmethod
    def on(cls, today: date, settings: Settings) -> Urgency:
        overdue = and_(Action.due.is_not(None), Action.due < today)
        red = or_(overdue, Action.rag == Rag.RED)
        # Quiet: not updated since the local day amber_days before today began.
        since = datetime.combine(today - timedelta(days=settings.amber_days), datetime.min.time(), settings.timezone)
        quiet = or_(Action.last_update_at.is_(None), Action.last_update_at < since)
        soon = and_(Action.due.is_not(None), Action.due <= today + timedelta(days=settings.amber_days), quiet)
        amber = and_(~red, or_(Action.rag == Rag.AMBER, soon))
        return cls(overdue, red, amber)

    def count(self, condition: ColumnElement[bool]) -> ColumnElement[int]:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    def order(self) -> list[ColumnElement[Any]]:
        """Overdue first (most overdue first), then red, then amber, then the rest; soonest due within each."""
        rank = case((self.overdue, 0), (or_(self.red, self.amber), 1), else_=2)
        colour = case((self.overdue, 0), (self.red, -2), (self.amber, -1), else_=0)
        return [rank, colour, case((Action.due.is_(None), 1), else_=0), Action.due.expression]


def group_counts(session: Session, where: ColumnElement[bool], urgency: Urgency) -> list[GroupCount]:
    """Per review and agency: actions, overdue and amber among the actions ``where`` selects (one GROUP BY)."""
    rows = session.execute(
        select(
            Review.code,
            func.max(Review.title),
            Agency.name,
            func.count(Action.id),
            urgency.count(urgency.overdue),
            urgency.count(urgency.amber),
        )
        .select_from(Action)
        .join(Review, Review.id == Action.review_id)
        .join(Agency, Agency.id == Action.agency_id)
        .where(where)
        .group_by(Review.code, Agency.name)
    ).all()
    groups = [GroupCount(code, title, agency, n, overdue, amber) for code, title, agency, n, overdue, amber in rows]
    return sorted(groups, key=lambda group: (-group.overdue, group.review_code, group.agency))


def outstanding_page(
    session: Session, where: ColumnElement[bool], urgency: Urgency, page: int, size: int = PAGE_SIZE
) -> list[Action]:
    """The actions on one page of the outstanding view, in its order (one statement).

    The open actions are ordered as narrow rows (id and their group's overdue count) and cut to the page
    inside; only the page's rows are then joined to what their views show (owner, waiting extension).
    """
    group_overdue = func.sum(case((urgency.overdue, 1), else_=0)).over(partition_by=(Review.code, Agency.name))
    order = [
        bytewise(session, Review.code),
        bytewise(session, Agency.name),
        *urgency.order(),
        bytewise(session, Action.ref),
    ]
    shown = (
        select(Action.id, group_overdue.label("group_overdue"))
        .join(Review, Review.id == Action.review_id)
        .join(Agency, Agency.id == Action.agency_id)
        .where(where)
        .order_by(group_overdue.desc(), *order)
        .offset((page - 1) * size)
        .limit(size)
        .subquery()
    )
    query = (
        select(Action)
        .join(shown, shown.c.id == Action.id)
        .join(Review, Review.id == Action.review_id)
        .join(Agency, Agency.id == Action.agency_id)
        .options(contains_eager(Action.review), contains_eager(Action.agency), *ACTION_VIEW[2:])
        .order_by(shown.c.group_overdue.desc(), *order)  # the same keys, on the page's rows only
    )
    return list(session.scalars(query))


def count_of(session: Session, query: Select[Action]) -> int:
    """How many rows a listing's query selects (one COUNT, no rows loaded)."""
    # The listing queries select actions with joins and filters only (no GROUP BY, no DISTINCT): count them in place.
    return session.scalar(query.with_only_columns(func.count(Action.id)).order_by(None)) or 0


def page_rows(session: Session, query: Select[Action], page: int, size: int = PAGE_SIZE) -> list[Action]:
    """One page of a listing's (ordered) query."""
    # The page is cut from narrow rows (ids, in the query's order); only its rows are loaded whole.
    shown = query.with_only_columns(Action.id).offset((page - 1) * size).limit(size).subquery()
    return list(session.scalars(query.options(*ACTION_VIEW).join(shown, shown.c.id == Action.id)))
