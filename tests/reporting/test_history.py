"""Rebuilding an action's state at a past date from its change log: table tests on plain data."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.reporting.history import ActionHistory, Change
from storage.models import Rag, Status

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


CREATED = {
    "ref": "CC-3", "review_id": 1, "text": "Record injuries", "agency_id": 7, "owner_id": 5, "status": "not_started",
    "rag": "green", "due": "2025-06-30", "original_due": "2025-06-30", "progress": None, "evidence": None,
    "completed_on": None, "signed_off_on": None,
}  # fmt: skip
LOG = (
    Change(at("2025-04-01T09:00"), "created", {name: (None, value) for name, value in CREATED.items()}),
    Change(
        at("2025-05-10T09:00"),
        "update",
        {"status": ("not_started", "in_progress"), "rag": ("green", "amber"), "progress": (None, "Started")},
    ),
    Change(at("2025-06-01T09:00"), "extension_requested", {"requested_due": ("2025-06-30", "2025-08-31")}),
    Change(at("2025-06-03T09:00"), "extension_approved", {"due": ("2025-06-30", "2025-08-31")}),
    # 23:30 UTC on 30 June is 00:30 on 1 July in London (summer time): it belongs to 1 July.
    Change(
        at("2025-06-30T23:30"),
        "done",
        {"status": ("in_progress", "complete"), "evidence": (None, "Audit done"), "completed_on": (None, "2025-07-01")},
    ),
    Change(
        at("2025-07-10T09:00"),
        "signoff",
        {"status": ("complete", "signed_off"), "signed_off_on": (None, "2025-07-10")},
    ),
)
NOW: dict[str, Any] = {
    **CREATED, "status": Status.SIGNED_OFF, "rag": Rag.AMBER, "due": date(2025, 8, 31), "progress": "Started",
    "evidence": "Audit done", "completed_on": date(2025, 7, 1), "signed_off_on": date(2025, 7, 10),
}  # fmt: skip


@pytest.mark.parametrize(
    ("day", "status", "rag", "due", "progress", "approved", "touched"),
    [
        (date(2025, 3, 31), None, None, None, None, None, None),  # not on a plan yet
        (date(2025, 4, 1), Status.NOT_STARTED, Rag.GREEN, date(2025, 6, 30), None, 0, None),
        (date(2025, 5, 9), Status.NOT_STARTED, Rag.GREEN, date(2025, 6, 30), None, 0, None),
        (date(2025, 5, 10), Status.IN_PROGRESS, Rag.AMBER, date(2025, 6, 30), "Started", 0, "2025-05-10T09:00"),
        # Asking for an extension is news from the owner; the due date stays until the chair decides.
        (date(2025, 6, 2), Status.IN_PROGRESS, Rag.AMBER, date(2025, 6, 30), "Started", 0, "2025-06-01T09:00"),
        # The chair's approval moves the date but is not news from the owner.
        (date(2025, 6, 3), Status.IN_PROGRESS, Rag.AMBER, date(2025, 8, 31), "Started", 1, "2025-06-01T09:00"),
        (date(2025, 6, 30), Status.IN_PROGRESS, Rag.AMBER, date(2025, 8, 31), "Started", 1, "2025-06-01T09:00"),
        (date(2025, 7, 1), Status.COMPLETE, Rag.AMBER, date(2025, 8, 31), "Started", 1, "2025-06-30T23:30"),
        (date(2025, 7, 10), Status.SIGNED_OFF, Rag.AMBER, date(2025, 8, 31), "Started", 1, "2025-06-30T23:30"),
        (date(2026, 1, 1), Status.SIGNED_OFF, Rag.AMBER, date(2025, 8, 31), "Started", 1, "2025-06-30T23:30"),
    ],
)
def test_state_at_the_end_of_a_day(
    day: date,
    status: Status | None,
    rag: Rag | None,
    due: date | None,
    progress: str | None,
    approved: int | None,
    touched: str | None,
) -> None:
    state = ActionHistory(NOW, reversed(LOG), LONDON).at(day)  # any order in: the log is sorted by time
    if status is None:
        assert state is None
        return
    assert state is not None
    assert (state.status, state.rag, state.due, state.progress, state.approved_extensions) == (
        status,
        rag,
        due,
        progress,
        approved,
    )
    assert state.last_update_at == (at(touched) if touched else None)
    assert state.original_due == date(2025, 6, 30)
    assert (state.ref, state.agency_id, state.owner_id) == ("CC-3", 7, 5)


def test_completion_and_sign_off_dates_appear_on_their_days() -> None:
    history = ActionHistory(NOW, LOG, LONDON)
    before, done, signed = history.states([date(2025, 6, 30), date(2025, 7, 1), date(2025, 7, 10)])
    assert before is not None and (before.completed_on, before.evidence) == (None, None)
    assert done is not None and (done.completed_on, done.evidence, done.signed_off_on) == (
        date(2025, 7, 1),
        "Audit done",
        None,
    )
    assert signed is not None and signed.signed_off_on == date(2025, 7, 10)
    assert history.created_on == date(2025, 4, 1)
    assert history.at(date(2025, 5, 20)).progress_on == date(2025, 5, 10)  # type: ignore[union-attr]


def test_states_for_many_days_in_any_order_match_one_day_at_a_time() -> None:
    history = ActionHistory(NOW, LOG, LONDON)
    days = [date(2025, 7, 1), date(2025, 3, 1), date(2025, 6, 3), date(2025, 5, 10)]
    assert history.states(days) == [history.at(day) for day in days]


def test_an_action_with_no_creation_on_record_existed_before_its_first_change() -> None:
    """Rows made without a log (old data): the log read backwards from the row gives the earlier state."""
    row = {**CREATED, "status": "in_progress", "progress": "Second note"}
    log = [
        Change(
            at("2025-05-01T09:00"),
            "update",
            {"status": ("not_started", "in_progress"), "progress": ("First note", "Second note")},
        )
    ]
    history = ActionHistory(row, log, LONDON)
    early = history.at(date(2020, 1, 1))
    assert early is not None and (early.status, early.progress, early.progress_on) == (
        Status.NOT_STARTED,
        "First note",
        None,
    )
    assert history.created_on is None
    untouched = ActionHistory(row, [], LONDON, last_update_at=at("2025-02-01T12:00")).states(
        [date(2025, 1, 31), date(2025, 2, 1)]
    )
    assert [state.last_update_at if state else "missing" for state in untouched] == [None, at("2025-02-01T12:00")]


@pytest.mark.parametrize(
    ("kind", "fields", "touches"),
    [
        ("update", {"progress": ("a", "b")}, True),
        ("done", {"status": ("in_progress", "complete")}, True),
        ("extension_requested", {"requested_due": ("2025-01-01", "2025-02-01")}, True),
        ("extension_approved", {"due": ("2025-01-01", "2025-02-01")}, False),
        ("extension_declined", {"requested_due": ("2025-02-01", None)}, False),
        ("signoff", {"status": ("complete", "signed_off")}, False),
        ("impact", {}, False),
        ("import", {"due": ("2025-01-01", "2025-02-01")}, False),  # the board moved a date: not the owner's news
        ("import", {"progress": ("a", "b")}, True),
    ],
)
def test_which_changes_count_as_news_from_the_owner(kind: str, fields: dict[str, Any], touches: bool) -> None:
    assert Change(at("2025-01-01T09:00"), kind, fields).touches() is touches
