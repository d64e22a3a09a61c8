"""The demo data: idempotent, loaded through the import service, and showing every RAG colour."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.demo import load_demo
from bot.rules import rag
from storage.models import Action, Agency, Person, Rag, Review, ReviewKind, Role, Status, Update

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 4, 1)
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_loading_twice_gives_the_same_counts(db: sessionmaker[Session]) -> None:
    first = load_demo(db, today=TODAY, now=NOW)
    second = load_demo(db, today=TODAY, now=NOW + timedelta(hours=1))

    assert (first.reviews, first.agencies, first.actions, first.updates) == (3, 6, 20, 20)
    assert first.added == 20
    assert (second.added, second.changed) == (0, 0)
    assert (second.reviews, second.agencies, second.people, second.actions, second.updates) == (
        first.reviews,
        first.agencies,
        first.people,
        first.actions,
        first.updates,
    )


def test_the_demo_has_the_board_reviews_and_agencies(db: sessionmaker[Session]) -> None:
    summary = load_demo(db, today=TODAY, now=NOW)

    with db.begin() as session:
        reviews = {review.code: (review.title, review.kind) for review in session.scalars(select(Review))}
        people = list(session.scalars(select(Person)))
        agencies = {agency.code for agency in session.scalars(select(Agency))}
        statuses = {action.status for action in session.scalars(select(Action))}
        created = list(session.scalars(select(Update)))
    assert reviews == {
        "CC": ("SCR Child C", ReviewKind.SCR),
        "BM": ("Case review Baby M", ReviewKind.CASE_REVIEW),
        "EX": ("External SCR: Family W (another LSCB)", ReviewKind.EXTERNAL),
    }
    assert agencies == {"police", "csc", "nbt", "sirona", "probation", "das"}
    roles = {person.name: person.role for person in people}
    assert roles["Dr Helen Ashworth"] is Role.CHAIR
    assert roles["Mark Ellison"] is Role.COORDINATOR
    assert list(roles.values()).count(Role.MEMBER) == 1
    assert list(roles.values()).count(Role.AGENCY_LEAD) == summary.people - 3 >= 6
    assert all(person.email.endswith(".example.org") for person in people)
    assert statuses == {Status.NOT_STARTED, Status.IN_PROGRESS, Status.COMPLETE, Status.SIGNED_OFF}
    # Every action came in through the import service, recorded as created by the coordinator.
    assert {(update.kind, update.source, update.person.name if update.person else None) for update in created} == {
        ("created", "import", "Mark Ellison")
    }


@pytest.mark.parametrize(
    "today", [date(2026, 4, 1), date(2025, 12, 25), date(2027, 2, 28), date(2026, 3, 29), date(2030, 7, 15)]
)
def test_any_day_shows_every_rag_colour(db: sessionmaker[Session], today: date) -> None:
    load_demo(db, today=today, now=datetime.combine(today, datetime.min.time(), tzinfo=UTC))

    with db.begin() as session:
        shown = [rag(action, today, amber_days=14, timezone=LONDON) for action in session.scalars(select(Action))]
    assert set(shown) == {Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE}
    assert min(shown.count(colour) for colour in Rag) >= 3


def test_a_later_day_moves_the_dates_in_place(db: sessionmaker[Session]) -> None:
    load_demo(db, today=TODAY, now=NOW)

    later = load_demo(db, today=TODAY + timedelta(days=7), now=NOW + timedelta(days=7))

    assert (later.actions, later.added, later.changed) == (20, 0, 20)
    with db.begin() as session:
        cc6 = session.scalars(select(Action).where(Action.ref == "CC-6")).one()
    assert cc6.due == TODAY + timedelta(days=7 + 75)


def test_the_summary_says_what_was_loaded_and_whom_to_try(db: sessionmaker[Session]) -> None:
    summary = load_demo(db, today=TODAY, now=NOW)

    text = summary.render()
    assert text.startswith("Demo data: 3 reviews, 20 actions, 6 agencies,")
    with db.begin() as session:
        roles = {person.email: person.role for person in session.scalars(select(Person))}
    assert roles[summary.first_email] is Role.COORDINATOR
    for email in ("helen.ashworth@lscb.example.org", "tom.okafor@csc.example.org", summary.first_email):
        assert email in text
