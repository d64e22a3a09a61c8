"""The demo data: idempotent, loaded through the import service, and showing every RAG colour."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.demo import load_demo
from bot.errors import UserError
from bot.reporting.figures import reporting_year
from bot.reporting.report import make_report
from bot.rules import rag
from storage.models import Action, Agency, Person, Rag, Review, ReviewKind, Role, Status, Update
from tests.bot.test_plans import dump

LONDON = ZoneInfo("Europe/London")
TODAY = date(2026, 4, 1)
NOW = datetime(2026, 4, 1, 9, 0, tzinfo=UTC)


def test_loading_twice_gives_the_same_counts(db: sessionmaker[Session]) -> None:
    first = load_demo(db, today=TODAY, now=NOW)
    second = load_demo(db, today=TODAY, now=NOW + timedelta(hours=1))

    assert (first.reviews, first.agencies, first.actions) == (3, 6, 24)
    assert first.updates > first.actions  # the plans' own dates are in the history too
    assert first.added == 24
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
        created = list(session.scalars(select(Update).options(joinedload(Update.person))))
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
    # Every action came in through the import service, recorded as created by the coordinator; what the
    # plan dates (completed, signed off, a moved target) is in the history on its own date, marked "plan".
    assert {(update.kind, update.source, update.person.name if update.person else None) for update in created} == {
        ("created", "import", "Mark Ellison"),
        ("created", "plan", "Mark Ellison"),
        ("done", "plan", "Mark Ellison"),
        ("signoff", "plan", "Mark Ellison"),
        ("extension_approved", "plan", "Mark Ellison"),
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

    assert (later.actions, later.added, later.changed) == (24, 0, 20)  # the last year's four stay put
    with db.begin() as session:
        cc6 = session.scalars(select(Action).where(Action.ref == "CC-6")).one()
    assert cc6.due == TODAY + timedelta(days=7 + 75)


def test_the_summary_says_what_was_loaded_and_whom_to_try(db: sessionmaker[Session]) -> None:
    summary = load_demo(db, today=TODAY, now=NOW)

    text = summary.render()
    assert text.startswith("Demo data: 3 reviews, 24 actions, 6 agencies,")
    with db.begin() as session:
        roles = {person.email: person.role for person in session.scalars(select(Person))}
    assert roles[summary.first_email] is Role.COORDINATOR
    for email in ("helen.ashworth@lscb.example.org", "tom.okafor@csc.example.org", summary.first_email):
        assert email in text


def test_the_default_report_on_the_demo_shows_a_real_year(db: sessionmaker[Session]) -> None:
    today = date(2026, 12, 1)  # the demo's recent actions fall in this reporting year, not the last
    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    load_demo(db, today=today, now=now)

    report = make_report(db, reporting_year(today), now=now, timezone=LONDON, amber_days=14)

    assert (report.period.start, report.period.end) == (date(2025, 4, 1), date(2026, 3, 31))
    total = report.total
    assert (total.completed_in_period, total.signed_off_in_period) == (4, 4)  # CC-11, CC-12, BM-8, EX-4
    assert total.total >= 4 and total.due_original >= 4
    assert total.completed_late == 2  # CC-12 (after its original date), EX-4
    assert sum(month.completed for month in report.flow) == 4  # the monthly chart has bars
    assert sum(month.due_original for month in report.flow) >= 4


def test_the_demo_refuses_a_database_with_a_real_review_and_changes_nothing(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        session.add(Review(code="CC", title="SCR Child C (the board's real one)", kind=ReviewKind.SCR))
    before = dump(db)

    with pytest.raises(UserError, match=r"reviews the demo did not create \(CC\).*nothing was changed"):
        load_demo(db, today=TODAY, now=NOW)

    assert dump(db) == before


def test_the_demo_reloads_into_its_own_database(db: sessionmaker[Session]) -> None:
    load_demo(db, today=TODAY, now=NOW)

    assert load_demo(db, today=TODAY, now=NOW).added == 0  # its own reviews are not "real" ones
