"""Load what a report needs in a handful of queries (never one per action), as plain data."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UsageError
from bot.reporting.history import FIELDS, ActionHistory, Change
from storage.models import Action, Agency, ExtensionRequest, ExtensionState, Person, ProtectedName, Review, Update


@dataclass(frozen=True)
class ReviewInfo:
    id: int
    code: str
    title: str
    kind: str


@dataclass(frozen=True)
class ExtensionInfo:
    """One extension request: asked when, decided how and when."""

    action_id: int
    requested_at: datetime
    state: ExtensionState
    decided_at: datetime | None
    reason: str


@dataclass(frozen=True)
class ReportData:
    """Every row a report reads, already loaded: reviews, names, each action's history, extension requests."""

    reviews: tuple[ReviewInfo, ...]
    agencies: dict[int, str]
    people: dict[int, str]
    histories: dict[int, ActionHistory]  # action id -> history
    extensions: tuple[ExtensionInfo, ...]
    protected_names: dict[int, tuple[str, ...]]  # review id -> real names never to be shown


def load(sessions: sessionmaker[Session], timezone: ZoneInfo, codes: Sequence[str] = ()) -> ReportData:
    """Reviews (all, or those with these codes) with their actions' logs; refuses unknown codes."""
    with sessions() as session:
        reviews = _reviews(session, codes)
        review_ids = [review.id for review in reviews]
        actions = session.execute(
            select(Action.id, Action.last_update_at, *(getattr(Action, name) for name in FIELDS)).where(
                Action.review_id.in_(review_ids)
            )
        ).all()
        changes = _changes(session, review_ids)
        extensions = _extensions(session, review_ids)
        agencies = {agency_id: name for agency_id, name in session.execute(select(Agency.id, Agency.name))}
        people = {person_id: name for person_id, name in session.execute(select(Person.id, Person.name))}
        every_name = tuple(session.scalars(select(ProtectedName.name).distinct()))  # any review's, in any review
    histories = {
        row.id: ActionHistory(
            {name: getattr(row, name) for name in FIELDS},
            changes.get(row.id, ()),
            timezone,
            last_update_at=row.last_update_at,
        )
        for row in actions
    }
    return ReportData(
        reviews=tuple(reviews),
        agencies=agencies,
        people=people,
        histories=histories,
        extensions=extensions,
        protected_names={review_id: every_name for review_id in review_ids},
    )


def _changes(session: Session, review_ids: list[int]) -> dict[int, list[Change]]:
    """Every logged change of the reviews' actions, by action id."""
    changes: dict[int, list[Change]] = defaultdict(list)
    for update in session.execute(
        select(Update.action_id, Update.at, Update.kind, Update.changes, Update.note, Update.person_id, Update.source)
        .join(Action, Action.id == Update.action_id)
        .where(Action.review_id.in_(review_ids))
    ):
        changes[update.action_id].append(
            Change(
                at=update.at,
                kind=update.kind,
                fields={name: (pair[0], pair[1]) for name, pair in (update.changes or {}).items()},
                note=update.note,
                person_id=update.person_id,
                source=update.source,
            )
        )
    return changes


def _extensions(session: Session, review_ids: list[int]) -> tuple[ExtensionInfo, ...]:
    """Every extension request of the reviews' actions."""
    extensions = tuple(
        ExtensionInfo(row.action_id, row.requested_at, row.state, row.decided_at, row.reason)
        for row in session.execute(
            select(
                ExtensionRequest.action_id,
                ExtensionRequest.requested_at,
                ExtensionRequest.state,
                ExtensionRequest.decided_at,
                ExtensionRequest.reason,
            )
            .join(Action, Action.id == ExtensionRequest.action_id)
            .where(Action.review_id.in_(review_ids))
        )
    )
    return extensions


def _reviews(session: Session, codes: Sequence[str]) -> list[ReviewInfo]:
    every = [
        ReviewInfo(review.id, review.code, review.title, review.kind.value)
        for review in session.scalars(select(Review).order_by(Review.id))
    ]
    if not codes:
        return every
    by_code = {review.code.upper(): review for review in every}
    wanted = list(dict.fromkeys(code.strip().upper() for code in codes))
    unknown = [code for code in wanted if code not in by_code]
    if unknown:
        known = ", ".join(by_code) or "none yet"
        raise UsageError(
            f"No review with code {', '.join(unknown)}.",
            f"Review codes are: {known}. Example: --review CC --review BM",
        )
    return [by_code[code] for code in wanted]
