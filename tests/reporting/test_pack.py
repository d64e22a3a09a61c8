"""The sub-group meeting pack: exceptions only, checked against the rows."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from bot.demo import load_demo
from bot.errors import BadDate
from bot.reporting.pack import Pack, build_pack, default_since, pack_document
from bot.reporting.render import to_html, to_markdown
from bot.services import ActionService, Identity
from bot.views import Changed
from storage.models import Action, Rag, Status
from tests.helpers import say
from tests.reporting.year import CHAIR, GREAVES, OKAFOR, PRYCE, WHITFIELD

LOADED = date(2026, 1, 5)
MEETING = date(2026, 3, 2)


@pytest.fixture
def sessions(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> sessionmaker[Session]:
    """The demo loaded on 5 January 2026, then a few weeks of chat before the March meeting."""
    clock.set(datetime(2026, 1, 5, 10, tzinfo=UTC))
    load_demo(db, today=LOADED, now=clock.now())
    service = ActionService(db, clock, settings)
    steps = (
        (date(2026, 1, 8), PRYCE, "extend CC-3 31/03/2026 Roll-out to the last two teams"),
        (date(2026, 1, 9), CHAIR, "approve CC-3"),  # before the last meeting (19 Jan)
        (date(2026, 1, 26), PRYCE, "extend CC-3 30/04/2026 Restructure"),
        (date(2026, 1, 27), CHAIR, "approve CC-3"),  # since the last meeting: CC-3 has slipped twice
        (date(2026, 2, 2), GREAVES, "update BM-6 off-track Trainer left; course cancelled"),
        (date(2026, 2, 10), OKAFOR, "extend CC-5 30/06/2026 Waiting for the new template"),
        (date(2026, 2, 12), WHITFIELD, "done EX-1 Dip sample of 10 strategy discussions: health present in 9"),
    )
    for day, email, text in steps:
        clock.set(datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=10))
        reply = say(service, text, Identity("console", email=email))
        assert isinstance(reply.view, Changed), (text, reply.view)
    return db


def test_the_pack_lists_exactly_the_exceptions_the_rows_show(sessions: sessionmaker[Session]) -> None:
    pack = build_pack(sessions, MEETING, date(2026, 1, 19))
    with sessions() as session:
        rows = session.scalars(select(Action)).unique().all()
        overdue = sorted(
            ((MEETING - a.due).days, a.ref) for a in rows if a.status.is_open and a.due < MEETING
        )  # fmt: skip
        red = {a.ref for a in rows if a.status.is_open and a.due >= MEETING and a.rag is Rag.RED}
        waiting = {a.ref for a in rows if a.status is Status.COMPLETE}
    assert [(a.days_overdue, a.ref) for a in pack.overdue] == sorted(overdue, key=lambda item: (-item[0], item[1]))
    assert {a.ref for a in pack.red} == red == {"BM-6"}
    assert {item.action.ref for item in pack.awaiting_sign_off} == waiting
    assert "EX-1" in waiting
    (redated,) = pack.redated
    assert (redated.action.ref, redated.previous_due, redated.new_due, redated.on, redated.action.slippage) == (
        "CC-3",
        date(2026, 3, 31),
        date(2026, 4, 30),
        date(2026, 1, 27),
        2,
    )
    (request,) = pack.extension_requests
    assert (request.action.ref, request.requested_due, request.requested_by, request.days_waiting) == (
        "CC-5",
        date(2026, 6, 30),
        "Tom Okafor",
        20,
    )
    assert not pack.empty


def test_only_changes_since_the_last_meeting_count_as_re_dated(sessions: sessionmaker[Session]) -> None:
    assert build_pack(sessions, MEETING, date(2026, 1, 28)).redated == ()
    earlier = build_pack(sessions, MEETING, date(2026, 1, 6)).redated
    assert [(item.previous_due, item.new_due) for item in earlier] == [(date(2026, 1, 15), date(2026, 4, 30))]


def test_without_since_the_pack_covers_six_weeks(sessions: sessionmaker[Session]) -> None:
    assert default_since(MEETING) == date(2026, 1, 19)
    assert build_pack(sessions, MEETING).since == date(2026, 1, 19)
    with pytest.raises(BadDate):
        build_pack(sessions, MEETING, MEETING + timedelta(days=1))


def test_the_paper_has_every_section_in_markdown_and_html(sessions: sessionmaker[Session]) -> None:
    document = pack_document(build_pack(sessions, MEETING, date(2026, 1, 19)))
    markdown = to_markdown(document)
    for heading in (
        "## Overdue (",
        "## Off track, not yet overdue (1)",
        "## Re-dated since 19 January 2026 (1)",
        "## Waiting for sign-off (",
        "## Extension requests waiting for a decision (1)",
    ):
        assert heading in markdown
    assert "Slippage: 2 approved extensions in all; originally due 15 January 2026." in markdown
    assert "Tom Okafor asked on 10 February 2026 (20 days ago)" in markdown
    page = to_html(document)
    assert page.startswith("<!DOCTYPE html>") and '<h2 id="redated">' in page


def test_an_empty_pack_says_so() -> None:
    pack = Pack(MEETING, date(2026, 1, 19), (), (), (), (), ())
    markdown = to_markdown(pack_document(pack))
    assert "Nothing to report" in markdown and markdown.count("*None.*") == 5
