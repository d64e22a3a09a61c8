"""The weekly digest's data: a fixed handful of queries, whatever the size of the board."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from bot.anonymity import guard_digest
from bot.config import Settings
from bot.dates import format_date
from bot.digest import digest_sections, split_digest
from bot.jobs.ledger import REPORTED
from bot.jobs.rows import action_rows, row_view
from bot.rules import week_start
from bot.services.queries import pending_extensions
from bot.views import DeliveryProblem, Digest, UpdateLine
from storage.models import Action, DigestSent, NudgeSent, Person, ProtectedName, SendState, Update


def build_digest(session: Session, today: date, settings: Settings) -> list[Digest]:
    """This week's digest as messages."""
    actions = session.execute(action_rows().order_by(Action.id)).all()  # column rows, not ORM objects
    pending = pending_extensions(session, None)
    views = [row_view(action, today, settings, pending) for action in actions]
    since = _days_before(today, 7, settings)
    refs = {action.action_id: action.ref for action in actions}
    updates = [
        UpdateLine(refs[u.action_id], u.person.name if u.person else "(system)", u.kind, u.note, u.at)
        for u in session.scalars(
            select(Update)
            .options(joinedload(Update.person))
            .where(Update.at >= since, Update.source != "import")
            .order_by(Update.at)
        ).unique()
    ]
    problems = delivery_problems(session, refs)
    unanswered = unanswered_impact_checks(session, refs, today, settings)
    sections = digest_sections(views, updates, problems, today, unanswered)
    names = session.scalars(select(ProtectedName.name).distinct())  # a child's real name never reaches the channel
    return split_digest(guard_digest(sections, names), week_start(today))


def _days_before(today: date, days: int, settings: Settings) -> datetime:
    return datetime.combine(today - timedelta(days=days), datetime.min.time(), settings.timezone)


def unanswered_impact_checks(
    session: Session, refs: dict[int, str], today: date, settings: Settings
) -> list[DeliveryProblem]:
    """Impact questions sent over a week ago that nobody has answered since."""
    answered = (
        select(Update.id)
        .where(Update.action_id == NudgeSent.action_id, Update.kind == "impact", Update.at >= NudgeSent.sent_at)
        .exists()
    )
    cutoff = _days_before(today, 7, settings)
    rows = session.execute(
        select(NudgeSent, Person.name)
        .join(Person, Person.id == NudgeSent.person_id)
        .where(NudgeSent.kind == "impact", NudgeSent.state == SendState.SENT, NudgeSent.sent_at < cutoff, ~answered)
        .order_by(NudgeSent.sent_at)
    ).all()
    zone = settings.timezone
    return [
        DeliveryProblem(
            name,
            f"impact check on {refs.get(row.action_id or 0, '?')} ({row.key.split(':')[-1]} months)",
            "unanswered",
            f"asked {format_date(row.sent_at.astimezone(zone).date())}",
        )
        for row, name in rows
        if row.sent_at is not None
    ]


def delivery_problems(session: Session, refs: dict[int, str]) -> list[DeliveryProblem]:
    """Messages that did not arrive (or may not have), people nobody can reach, and digests in trouble."""
    rows = session.execute(
        select(NudgeSent, Person.name)
        .join(Person, Person.id == NudgeSent.person_id)
        .where(NudgeSent.state.in_(REPORTED))
        .order_by(NudgeSent.claimed_at)
    ).all()
    problems = [
        DeliveryProblem(name, f"{row.kind} about {refs.get(row.action_id or 0, '?')}", row.state.value, row.last_error)
        for row, name in rows
    ]
    unreachable = session.execute(select(Person.name, Person.unreachable).where(Person.unreachable.is_not(None)))
    problems += [DeliveryProblem(name, "any message", "unreachable", why) for name, why in unreachable]
    for digest in session.scalars(select(DigestSent).where(DigestSent.state.in_(REPORTED))):
        problems.append(DeliveryProblem(digest.channel, f"digest of {digest.week}", digest.state.value,
                                        digest.last_error))  # fmt: skip
    return problems
