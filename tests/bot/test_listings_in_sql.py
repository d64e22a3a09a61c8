"""Listings counted and paged in SQL: the same pages and counts as the Python ordering, a fixed
number of statements whatever the board's size, and no parameter list that grows with the data."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import Engine, event, insert, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.services import ActionService, Identity, queries
from bot.services.listing import outstanding_groups, paginate_groups
from bot.services.presentation import action_view
from bot.views import ActionList, Outstanding
from storage.models import Action, Agency, Person, Rag, Review, ReviewKind, Status
from tests.bot.scheduling import RecordingMessenger, make_jobs
from tests.helpers import CHAIR, POLICE_LEAD, seed_board
from tests.helpers import say as typed


@pytest.fixture
def service(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> ActionService:
    seed_board(db, local_today(clock, settings.timezone))
    return ActionService(db, clock, settings)


def rows(db: sessionmaker[Session], count: int, today: date, *, start: int = 100) -> list[dict[str, Any]]:
    """``count`` open actions spread over both reviews, both agencies, every colour and due date kind."""
    with db.begin() as session:
        if session.scalar(select(Review).where(Review.code == "AA")) is None:
            session.add(Review(code="AA", title="CSPR Adult A", kind=ReviewKind.SCR))
        reviews = list(session.scalars(select(Review.id).order_by(Review.code)))
        agencies = list(session.scalars(select(Agency.id).order_by(Agency.code)))
        owners = list(session.scalars(select(Person.id).order_by(Person.id)))
    recent, old = datetime.now(UTC) - timedelta(days=1), datetime(2025, 1, 1, tzinfo=UTC)
    out = []
    for n in range(start, start + count):
        due = None if n % 11 == 0 else today + timedelta(days=n % 40 - 12)
        out.append({
            "ref": f"{'AA' if n % 2 else 'CC'}-{n}", "review_id": reviews[n % 2], "text": f"Action {n}",
            "agency_id": agencies[n % 3 % 2], "owner_id": owners[n % len(owners)], "due": due, "original_due": due,
            "status": Status.IN_PROGRESS if n % 5 else Status.NOT_STARTED,
            "rag": (Rag.GREEN, Rag.AMBER, Rag.RED, Rag.GREEN)[n % 4],
            "last_update_at": (None, recent, old)[n % 3], "version": 0,
        })  # fmt: skip
    return out


def add(db: sessionmaker[Session], count: int, today: date, *, start: int = 100) -> None:
    made = rows(db, count, today, start=start)
    with db.begin() as session:
        for batch in range(0, len(made), 5000):
            session.execute(insert(Action), made[batch : batch + 5000])


def reference_pages(
    db: sessionmaker[Session], service: ActionService
) -> list[list[tuple[str, str, tuple[str, ...], int, int]]]:
    """The outstanding pages as the Python ordering builds them from every open action."""
    with db() as session:
        actions = list(session.scalars(select(Action).where(Action.status.in_(queries.OPEN))).unique())
        pending = queries.pending_extensions(session, None)
        views = [action_view(a, service.today(), service.settings, pending.get(a.id)) for a in actions]
    return [
        [(g.review_code, g.agency, tuple(v.ref for v in g.actions), g.overdue, g.amber) for g in page]
        for page in paginate_groups(outstanding_groups(views))
    ]


def test_outstanding_pages_and_counts_match_the_python_ordering(
    service: ActionService, db: sessionmaker[Session]
) -> None:
    add(db, 137, service.today())
    expected = reference_pages(db, service)
    assert len(expected) > 10
    for number, page in enumerate(expected, start=1):
        reply = typed(service, f"outstanding page:{number}", Identity("console", email=CHAIR))
        view = reply.view
        assert isinstance(view, Outstanding)
        shown = [(g.review_code, g.agency, tuple(v.ref for v in g.actions), g.overdue, g.amber) for g in view.groups]
        assert shown == page, f"page {number}"
        assert view.pages == len(expected) and view.page == number
        assert view.total == sum(len(g[2]) for p in expected for g in p)
    assert view.next_command is None


def test_list_and_mine_pages_match_the_whole_query(service: ActionService, db: sessionmaker[Session]) -> None:
    add(db, 57, service.today())
    with db() as session:
        lead = session.scalars(select(Person).where(Person.email == POLICE_LEAD)).one()
        every = [a.ref for a in queries.filtered_actions(session, None, _list_all(), service.today())]
        theirs = [a.ref for a in session.scalars(queries.owned_open_query(lead.id)).unique()]
    for text, email, expected in (("list", CHAIR, every), ("mine", POLICE_LEAD, theirs)):
        seen: list[str] = []
        for number in range(1, len(expected) // 10 + 2):
            view = typed(service, f"{text} page:{number}", Identity("console", email=email)).view
            assert isinstance(view, ActionList) and view.total == len(expected)
            seen += [v.ref for v in view.actions]
        assert seen == expected


def _list_all() -> Any:
    from bot import commands as cmd

    return cmd.ListActions()


@contextmanager
def recorded(engine: Engine) -> Iterator[list[tuple[str, int]]]:
    """Every statement the engine runs in the block, with how many parameters it was sent."""
    seen: list[tuple[str, int]] = []

    def record(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        seen.append((statement, len(parameters) if parameters else 0))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


COMMANDS = (("outstanding", CHAIR), ("outstanding page:2", CHAIR), ("list", CHAIR), ("list page:3", CHAIR),
            ("mine", POLICE_LEAD), ("mine page:2", POLICE_LEAD))  # fmt: skip


def shape(service: ActionService, engine: Engine) -> list[tuple[int, int]]:
    """Per command: statements run, and the most parameters any one of them was sent."""
    out = []
    for text, email in COMMANDS:
        with recorded(engine) as seen:
            typed(service, text, Identity("console", email=email))
        out.append((len(seen), max(count for _, count in seen)))
    return out


def test_listings_run_the_same_statements_with_the_same_parameters_at_any_size(
    service: ActionService, db: sessionmaker[Session], engine: Engine
) -> None:
    add(db, 130, service.today())  # every page asked for is full: a page's ids are bounded by its size
    small = shape(service, engine)
    add(db, 600, service.today(), start=1000)
    assert shape(service, engine) == small


def test_more_open_actions_than_postgresql_takes_parameters(
    db: sessionmaker[Session], engine: Engine, clock: FrozenClock, settings: Settings
) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("psycopg's 65,535-parameter bound is PostgreSQL's; SQLite runs the same statements above")
    today = local_today(clock, settings.timezone)
    seed_board(db, today)
    made = rows(db, 66_000, today)
    for row in made:  # every one due in a week: the sweep claims and sends 66,000 reminders
        row.update(due=today + timedelta(days=7), original_due=today + timedelta(days=7), status=Status.IN_PROGRESS)
    with db.begin() as session:
        for batch in range(0, len(made), 5000):
            session.execute(insert(Action), made[batch : batch + 5000])
    service = ActionService(db, clock, settings)
    for text, email in COMMANDS:
        view = typed(service, text, Identity("console", email=email)).view
        assert isinstance(view, Outstanding | ActionList), (text, view)
    outstanding = typed(service, "outstanding", Identity("console", email=CHAIR)).view
    assert isinstance(outstanding, Outstanding) and outstanding.total > 65_535
    messenger = RecordingMessenger(clock)
    summary = make_jobs(db, clock, settings, messenger).sweep()
    assert summary.sent > 0 and summary.failed == 0
    assert sum(len(message.view.reminders) for message in messenger.sent) >= 66_000  # type: ignore[attr-defined]
