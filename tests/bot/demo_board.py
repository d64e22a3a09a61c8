"""The demo board (bot.demo) grown to a board's real size: its actions copied, their dates spread out."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import count

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.demo import load_demo
from storage.models import Action


def _later(day: date | None, days: int) -> date | None:
    return None if day is None else day + timedelta(days=days)


def demo_board(db: sessionmaker[Session], today: date, size: int = 150) -> list[str]:
    """Load the demo on ``today``, then copy its actions (same owners, agencies, states) until there are ``size``.

    Each copy's dates move a few days on from the one before, so over weeks every kind of reminder
    comes due: reminders before the date, overdue weeks, escalations, impact checks. The refs, in order.
    """
    load_demo(db, today=today, now=datetime.combine(today, time(8), UTC))
    with db.begin() as session:
        originals = list(session.scalars(select(Action).order_by(Action.id)).unique())
        numbers = count(100)
        copies = [
            Action(
                ref=f"{action.ref.split('-')[0]}-{next(numbers)}",
                review_id=action.review_id,
                recommendation_id=action.recommendation_id,
                text=action.text,
                plan=action.plan,
                agency_id=action.agency_id,
                owner_id=action.owner_id,
                due=_later(action.due, 3 * shift),
                original_due=_later(action.original_due, 3 * shift),
                status=action.status,
                rag=action.rag,
                progress=action.progress,
                evidence=action.evidence,
                completed_on=_later(action.completed_on, 3 * shift),
                signed_off_on=_later(action.signed_off_on, 3 * shift),
                last_update_at=action.last_update_at,
                version=0,
            )  # fmt: skip
            for shift in range(1, size // len(originals) + 2)
            for action in originals
        ][: size - len(originals)]
        session.add_all(copies)
        return [action.ref for action in originals + copies]
