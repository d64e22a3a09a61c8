"""The digest counted in SQL: the same facts as the Python rules over every action's view
(bot.digest.digest_facts), a fixed number of statements and no parameter list that grows with the board."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.digest import REVIEWS_SHOWN, SHOWN, DigestFacts, digest_facts
from bot.jobs.digest_queries import _days_before, counted_facts, delivery_problems, unanswered_impact_checks
from bot.services.presentation import action_view
from bot.services.queries import pending_extensions
from bot.views import UpdateLine
from storage.models import (
    Action,
    Agency,
    ExtensionRequest,
    ExtensionState,
    Person,
    Rag,
    Review,
    ReviewKind,
    Status,
    Update,
)
from tests.bot.test_listings_in_sql import recorded
from tests.helpers import seed_board

STATUSES = (Status.IN_PROGRESS, Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE, Status.SIGNED_OFF,
            Status.WITHDRAWN, Status.IN_PROGRESS)  # fmt: skip


def board(db: sessionmaker[Session], count: int, today: date, now: datetime) -> None:
    """``count`` actions over fourteen reviews: every status, colour and due-date kind, waiting extension
    requests (on open and on closed actions, and decided ones), and a week of updates from people, the
    system and an import."""
    with db.begin() as session:
        session.add_all(Review(code=f"R{n:02d}", title=f"CSPR {n}", kind=ReviewKind.SCR) for n in range(14))
    with db() as session:
        reviews = list(session.scalars(select(Review.id).order_by(Review.code)))
        agencies = list(session.scalars(select(Agency.id).order_by(Agency.code)))
        people = list(session.scalars(select(Person.id).order_by(Person.id)))
    recent, old = now - timedelta(days=1), datetime(2025, 1, 1, tzinfo=UTC)
    made = []
    for n in range(count):
        due = None if n % 13 == 0 else today + timedelta(days=n % 50 - 20)
        made.append({
            "ref": f"R{n % 14:02d}-{n}", "review_id": reviews[n % len(reviews)], "text": f"Action {n}",
            "agency_id": agencies[n % len(agencies)], "owner_id": people[n % len(people)] if n % 9 else None,
            "due": due, "original_due": due, "status": STATUSES[n % len(STATUSES)],
            "rag": (Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREEN, Rag.BLUE)[n % 5],
            "last_update_at": (None, recent, old)[n % 3], "version": 0,
        })  # fmt: skip
    if not made:
        return
    with db.begin() as session:
        session.execute(insert(Action), made)
        ids = list(session.scalars(select(Action.id).order_by(Action.id)))
        session.execute(insert(ExtensionRequest), [
            {"action_id": action_id, "requested_due": today + timedelta(days=90), "previous_due": today,
             "reason": f"Reason {n}", "requested_by_id": people[n % len(people)], "requested_at": recent,
             "state": ExtensionState.DECLINED if n % 8 == 5 else ExtensionState.PENDING}
            for n, action_id in enumerate(ids) if n % 4 == 1
        ])  # fmt: skip
        session.execute(insert(Update), [
            {"action_id": action_id, "version": 1, "person_id": people[n % len(people)] if n % 5 else None,
             "at": now - timedelta(days=n % 10, minutes=n), "source": "import" if n % 7 == 0 else "slack",
             "kind": "progress_update", "note": f"Note {n}", "changes": {}}
            for n, action_id in enumerate(ids) if n % 3 == 0
        ])  # fmt: skip


def python_facts(session: Session, today: date, settings: Settings) -> DigestFacts:
    """The digest's facts as the Python rules build them from every action and update."""
    actions = list(
        session.scalars(
            select(Action).options(joinedload(Action.review), joinedload(Action.agency), joinedload(Action.owner))
        ).unique()
    )
    pending = pending_extensions(session, None)
    views = [action_view(a, today, settings, pending.get(a.id)) for a in sorted(actions, key=lambda a: a.id)]
    refs = {a.id: a.ref for a in actions}
    updates = [
        UpdateLine(refs[u.action_id], u.person.name if u.person else "(system)", u.kind, u.note, u.at)
        for u in session.scalars(
            select(Update)
            .options(joinedload(Update.person))
            .where(Update.at >= _days_before(today, 7, settings), Update.source != "import")
            .order_by(Update.at)
        ).unique()
    ]
    problems = delivery_problems(session)
    return digest_facts(views, updates, problems, today, unanswered_impact_checks(session, today, settings))


@pytest.mark.parametrize("count", [0, 3, 400])
def test_the_digest_counted_in_sql_says_what_the_python_rules_say(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings, count: int
) -> None:
    today = local_today(clock, settings.timezone)
    seed_board(db, today)
    board(db, count, today, clock.now())
    with db() as session:
        expected = python_facts(session, today, settings)
        counted = counted_facts(session, today, settings)
    assert counted == expected
    if count == 400:  # every list was cut, and every colour, status and kind is in play
        assert len(counted.reviews.shown) == REVIEWS_SHOWN < counted.reviews.total
        for listed in (counted.overdue, counted.at_risk, counted.extensions, counted.waiting, counted.updates):
            assert len(listed.shown) == SHOWN < listed.total
        assert {a.rag for a in counted.at_risk.shown} == {Rag.RED}  # red before amber
        assert all(a.pending_extension for a in counted.extensions.shown)


def shape(engine: Engine, db: sessionmaker[Session], today: date, settings: Settings) -> tuple[int, int]:
    with recorded(engine) as seen, db() as session:
        counted_facts(session, today, settings)
    return len(seen), max(parameters for _, parameters in seen)


def test_the_digest_runs_the_same_statements_whatever_the_size_of_the_board(
    db: sessionmaker[Session], engine: Engine, clock: FrozenClock, settings: Settings
) -> None:
    today = local_today(clock, settings.timezone)
    seed_board(db, today)
    board(db, 60, today, clock.now())
    small = shape(engine, db, today, settings)
    extra: list[dict[str, Any]] = []
    with db() as session:
        review, agency = session.scalars(select(Review.id)).first(), session.scalars(select(Agency.id)).first()
    for n in range(3000):
        due = today - timedelta(days=n % 30)
        extra.append({"ref": f"ZZ-{n}", "review_id": review, "text": "x", "agency_id": agency, "due": due,
                      "original_due": due, "status": Status.IN_PROGRESS, "rag": Rag.AMBER, "version": 0})  # fmt: skip
    with db.begin() as session:
        session.execute(insert(Action), extra)
    assert shape(engine, db, today, settings) == small
