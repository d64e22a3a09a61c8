"""The weekly digest's data: counted in SQL, a fixed handful of queries whatever the size of the board.

The counts come from one GROUP BY per review; each list's first lines from one LIMIT query; views are
built only for the lines shown. bot.digest.digest_facts states the same rules over every action's view
(a test holds the two to the same digest).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, or_, select
from sqlalchemy.orm import Session

from bot.anonymity import guard_digest
from bot.config import Settings
from bot.dates import format_date
from bot.digest import (
    DUE_SOON_DAYS,
    REVIEWS_SHOWN,
    SHOWN,
    DigestFacts,
    Listed,
    first,
    progress_of,
    sections,
    split_digest,
)
from bot.jobs.ledger import REPORTED
from bot.jobs.rows import action_rows, row_view
from bot.rules import week_start
from bot.services.paging import Urgency, bytewise
from bot.services.queries import OPEN, pending_extensions
from bot.views import DeliveryProblem, Digest, UpdateLine
from storage.models import (
    Action,
    DigestSent,
    ExtensionRequest,
    ExtensionState,
    NudgeSent,
    Person,
    ProtectedName,
    Rag,
    Review,
    SendState,
    Status,
    Update,
)


def build_digest(session: Session, today: date, settings: Settings) -> list[Digest]:
    """This week's digest as messages."""
    facts = counted_facts(session, today, settings)
    names = session.scalars(select(ProtectedName.name).distinct())  # a child's real name never reaches the channel
    return split_digest(guard_digest(sections(facts), names), week_start(today))


def counted_facts(session: Session, today: date, settings: Settings) -> DigestFacts:
    """The digest's counts and the first lines of each of its lists, from SQL."""
    urgency = Urgency.on(today, settings)
    is_open = Action.status.in_(OPEN)
    overdue = and_(is_open, urgency.overdue)
    at_risk = and_(is_open, ~urgency.overdue, or_(urgency.red, urgency.amber))
    due_soon = and_(is_open, ~urgency.overdue, Action.due <= today + timedelta(days=DUE_SOON_DAYS))
    waiting = Action.status == Status.COMPLETE
    asked = select(ExtensionRequest.action_id).where(ExtensionRequest.state == ExtensionState.PENDING)
    extensions = and_(is_open, Action.id.in_(asked))
    count = urgency.count
    by_review = session.execute(
        select(
            Review.code,
            Review.title,
            func.count(Action.id),
            count(is_open),
            count(and_(is_open, urgency.red)),
            count(and_(is_open, urgency.amber)),
            count(overdue),
            count(at_risk),
            count(due_soon),
            count(waiting),
            count(extensions),
            count(Action.status == Status.SIGNED_OFF),
        )
        .select_from(Action)
        .join(Review, Review.id == Action.review_id)
        .group_by(Review.id, Review.code, Review.title)
    ).all()
    reviews = sorted(
        (progress_of(code, title, red, amber, opened - red - amber, total - opened)
         for code, title, total, opened, red, amber, *_ in by_review),
        key=lambda review: review.code,
    )  # fmt: skip
    totals = [sum(int(row[n]) for row in by_review) for n in range(2, len(by_review[0]))] if by_review else [0] * 10
    actions, opened, _, _, overdue_n, at_risk_n, soon_n, waiting_n, extensions_n, signed_n = totals
    ref = bytewise(session, Action.ref)
    no_date_last = case((Action.due.is_(None), 1), else_=0)
    lists = {
        "overdue": (overdue, overdue_n, (Action.due, ref)),
        "at_risk": (at_risk, at_risk_n, (case((Action.rag == Rag.RED, 0), else_=1), no_date_last, Action.due, ref)),
        "extensions": (extensions, extensions_n, (ref,)),
        "waiting": (waiting, waiting_n, (no_date_last, Action.due, ref)),
    }
    rows = {name: _first_rows(session, where, order) for name, (where, _, order) in lists.items()}
    shown = [row.action_id for listed in rows.values() for row in listed]  # at most four times SHOWN
    pending = pending_extensions(session, shown)
    listed = {
        name: Listed(tuple(row_view(row, today, settings, pending) for row in rows[name]), lists[name][1])
        for name in lists
    }
    return DigestFacts(
        actions=actions,
        open=opened,
        due_soon=soon_n,
        signed=signed_n,
        reviews=first(reviews, REVIEWS_SHOWN),
        updates=latest_updates(session, today, settings),
        unanswered=first(unanswered_impact_checks(session, today, settings)),
        problems=tuple(delivery_problems(session)),
        **listed,
    )


def _first_rows(session: Session, where: ColumnElement[bool], order: tuple[Any, ...]) -> list[Any]:
    return list(session.execute(action_rows().where(where).order_by(*order).limit(SHOWN)).all())


def latest_updates(session: Session, today: date, settings: Settings) -> Listed[UpdateLine]:
    """The week's newest updates (oldest of them first) and how many were posted (one statement)."""
    rows = session.execute(
        select(Action.ref, Person.name, Update.kind, Update.note, Update.at, func.count().over())
        .join(Action, Action.id == Update.action_id)
        .outerjoin(Person, Person.id == Update.person_id)
        .where(Update.at >= _days_before(today, 7, settings), Update.source != "import")
        .order_by(Update.at.desc(), Update.id.desc())
        .limit(SHOWN)
    ).all()
    lines = [UpdateLine(ref, name or "(system)", kind, note, at) for ref, name, kind, note, at, _ in reversed(rows)]
    return Listed(tuple(lines), rows[0][-1] if rows else 0)


def _days_before(today: date, days: int, settings: Settings) -> datetime:
    return datetime.combine(today - timedelta(days=days), datetime.min.time(), settings.timezone)


def unanswered_impact_checks(session: Session, today: date, settings: Settings) -> list[DeliveryProblem]:
    """Impact questions sent over a week ago that nobody has answered since."""
    answered = (
        select(Update.id)
        .where(Update.action_id == NudgeSent.action_id, Update.kind == "impact", Update.at >= NudgeSent.sent_at)
        .exists()
    )
    cutoff = _days_before(today, 7, settings)
    rows = session.execute(
        select(NudgeSent, Person.name, Action.ref)
        .join(Person, Person.id == NudgeSent.person_id)
        .outerjoin(Action, Action.id == NudgeSent.action_id)
        .where(NudgeSent.kind == "impact", NudgeSent.state == SendState.SENT, NudgeSent.sent_at < cutoff, ~answered)
        .order_by(NudgeSent.sent_at)
    ).all()
    zone = settings.timezone
    return [
        DeliveryProblem(
            name,
            f"impact check on {ref or '?'} ({row.key.split(':')[-1]} months)",
            "unanswered",
            f"asked {format_date(row.sent_at.astimezone(zone).date())}",
        )
        for row, name, ref in rows
        if row.sent_at is not None
    ]


def delivery_problems(session: Session) -> list[DeliveryProblem]:
    """Messages that did not arrive (or may not have), people nobody can reach, and digests in trouble."""
    rows = session.execute(
        select(NudgeSent, Person.name, Action.ref)
        .join(Person, Person.id == NudgeSent.person_id)
        .outerjoin(Action, Action.id == NudgeSent.action_id)
        .where(NudgeSent.state.in_(REPORTED))
        .order_by(NudgeSent.claimed_at)
    ).all()
    problems = [
        DeliveryProblem(name, f"{row.kind} about {ref or '?'}", row.state.value, row.last_error)
        for row, name, ref in rows
    ]
    unreachable = session.execute(select(Person.name, Person.unreachable).where(Person.unreachable.is_not(None)))
    problems += [DeliveryProblem(name, "any message", "unreachable", why) for name, why in unreachable]
    for digest in session.scalars(select(DigestSent).where(DigestSent.state.in_(REPORTED))):
        problems.append(DeliveryProblem(digest.channel, f"digest of {digest.week}", digest.state.value,
                                        digest.last_error))  # fmt: skip
    return problems
