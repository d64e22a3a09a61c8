"""The report's figures after a year of history, checked against the rows as they stood on each day."""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, date, datetime, time
from typing import Any

import pytest
from sqlalchemy import event

from bot.reporting.figures import Counts, Period, Report, reporting_year
from bot.reporting.pack import build_pack
from bot.reporting.report import make_report
from storage.models import ExtensionState, Rag, Status
from tests.reporting.year import AFTER, PERIOD_END, START, Row, Snapshot, Year

DONE = (Status.COMPLETE, Status.SIGNED_OFF)
FIELDS = (
    "total", "completed", "signed_off", "awaiting_sign_off", "open", "overdue", "completed_in_period",
    "signed_off_in_period", "due_original", "on_time_original", "due_agreed", "on_time_agreed", "completed_late",
    "median_days_late", "extensions_asked", "extensions_granted", "extensions_declined", "extensions_waiting",
)  # fmt: skip


def report_for(year: Year, period: Period | None = None, reviews: tuple[str, ...] = ()) -> Report:
    settings = year.settings
    return make_report(
        year.sessions,
        period or reporting_year(AFTER),
        now=datetime.combine(AFTER, time(10), UTC),
        timezone=settings.timezone,
        amber_days=settings.amber_days,
        reviews=reviews,
    )


def expected_counts(snapshot: Snapshot, start: date, key: Callable[[Any], str]) -> dict[str, dict[str, Any]]:
    """The figures, counted straight from the rows of the snapshot day (the period's last day)."""
    end = snapshot.day

    def within(day: date | None) -> bool:
        return day is not None and start <= day <= end

    rows: dict[str, list[Row]] = defaultdict(list)
    for row in snapshot.rows:
        rows[key(row)].append(row)
    found: dict[str, dict[str, Any]] = {}
    for group, members in rows.items():
        done = [r for r in members if r.status in DONE]
        late = [
            (r.completed_on - r.original_due).days
            for r in done
            if r.completed_on and within(r.completed_on) and r.completed_on > r.original_due
        ]
        requests = [q for q in snapshot.requests if key(q) == group]
        found[group] = {
            "total": len(members),
            "completed": len(done),
            "signed_off": sum(r.status is Status.SIGNED_OFF for r in members),
            "awaiting_sign_off": sum(r.status is Status.COMPLETE for r in members),
            "open": sum(r.status in (Status.NOT_STARTED, Status.IN_PROGRESS) for r in members),
            "overdue": sum(r.status in (Status.NOT_STARTED, Status.IN_PROGRESS) and r.due < end for r in members),
            "completed_in_period": sum(within(r.completed_on) for r in done),
            "signed_off_in_period": sum(r.status is Status.SIGNED_OFF and within(r.signed_off_on) for r in members),
            "due_original": sum(within(r.original_due) for r in members),
            "on_time_original": sum(
                within(r.original_due) and r.completed_on is not None and r.completed_on <= r.original_due for r in done
            ),
            "due_agreed": sum(within(r.due) for r in members),
            "on_time_agreed": sum(
                within(r.due) and r.completed_on is not None and r.completed_on <= r.due for r in done
            ),
            "completed_late": len(late),
            "median_days_late": float(statistics.median(late)) if late else None,
            "extensions_asked": sum(within(q.asked) for q in requests),
            "extensions_granted": sum(q.state is ExtensionState.APPROVED and within(q.decided) for q in requests),
            "extensions_declined": sum(q.state is ExtensionState.DECLINED and within(q.decided) for q in requests),
            "extensions_waiting": sum(q.state is ExtensionState.PENDING for q in requests),
        }
    return found


def as_dict(counts: Counts) -> dict[str, Any]:
    return {name: getattr(counts, name) for name in FIELDS}


@pytest.mark.parametrize("last_day", [PERIOD_END, date(2025, 9, 30)], ids=["year", "half-year"])
def test_figures_match_the_rows_as_they_stood_on_the_last_day(year: Year, last_day: date) -> None:
    report = report_for(year, Period(START, last_day))
    snapshot = year.snapshots[last_day]

    by_review = expected_counts(snapshot, START, lambda row: row.review)
    assert {section.code: as_dict(section.counts) for section in report.reviews} == by_review
    by_agency = expected_counts(snapshot, START, lambda row: row.agency)
    assert {counts.label: as_dict(counts) for counts in report.agencies} == by_agency
    everything = expected_counts(snapshot, START, lambda row: "all")["all"]
    assert as_dict(report.total) == everything


def test_the_year_in_numbers_a_reader_can_check(year: Year) -> None:
    """The scenario's own bookkeeping: what EVENTS did to Child C's plan in 2025-26."""
    report = report_for(year)  # run on 10 April 2026: the default is 1 April 2025 to 31 March 2026
    assert (report.period.start, report.period.end) == (START, PERIOD_END)
    cc = next(section for section in report.reviews if section.code == "CC").counts
    # CC-3 and CC-5 (twice) were extended and approved; CC-10's request of January waited past 31 March.
    assert (cc.extensions_asked, cc.extensions_granted, cc.extensions_declined, cc.extensions_waiting) == (4, 3, 0, 1)
    # Signed off: CC-1, CC-8 and the demo's previous year's CC-11, CC-12 before the year; CC-2, CC-3, CC-4,
    # CC-5 in it. CC-7 waits for sign-off.
    assert (cc.total, cc.signed_off, cc.signed_off_in_period, cc.awaiting_sign_off) == (12, 8, 4, 1)
    # Completed in the year: CC-3 (20 May, 39 days after 11 Apr), CC-4 (1 Jul, 140 days after 11 Feb: its
    # original date), CC-5 (20 Nov, 188 days after 16 May). None of them by the original date.
    assert (cc.completed_in_period, cc.completed_late, cc.median_days_late) == (3, 3, 140.0)
    # Due in the year by the original date: CC-3 (late), CC-5 (late), CC-6, CC-10 (open).
    assert (cc.due_original, cc.on_time_original) == (4, 0)
    # By the agreed date: CC-3 (31 May: done 20 May), CC-5 (30 Nov: done 20 Nov), CC-6, CC-10 (open).
    assert (cc.due_agreed, cc.on_time_agreed) == (4, 2)
    bm = next(section for section in report.reviews if section.code == "BM").counts
    assert (bm.extensions_asked, bm.extensions_declined, bm.completed_in_period, bm.on_time_original) == (1, 1, 4, 2)


def test_a_past_year_ignores_what_happened_after_it(year: Year) -> None:
    report = report_for(year)
    ex = next(section for section in report.reviews if section.code == "EX")
    # EX-3 was signed off on 2 April 2026: after the period, so it is still waiting in this report.
    assert [line.ref for line in ex.awaiting_sign_off] == ["EX-2", "EX-3"]
    cc = next(section for section in report.reviews if section.code == "CC")
    cc10 = next(line for line in cc.open if line.ref == "CC-10")
    assert (cc10.due, cc10.waiting_extension) == (date(2025, 7, 30), "Waiting for the health visiting restructure")
    bm = next(section for section in report.reviews if section.code == "BM")
    assert not bm.impact, "BM-6's impact note of 3 April 2026 is after the period"


def test_rag_per_review_each_month_is_what_the_rows_showed_that_day(year: Year) -> None:
    report = report_for(year)
    for section in report.reviews:
        assert len(section.rag_by_month) == 12
        for month in section.rag_by_month:
            shown = [row.rag for row in year.snapshots[month.on].rows if row.review == section.code]
            expected = (shown.count(Rag.BLUE), shown.count(Rag.GREEN), shown.count(Rag.AMBER), shown.count(Rag.RED))
            assert (month.blue, month.green, month.amber, month.red) == expected, (section.code, month.on)
    cc = next(section for section in report.reviews if section.code == "CC").rag_by_month
    assert [month.blue for month in cc] == [6, 7, 7, 8, 8, 8, 8, 9, 9, 9, 9, 9], "CC completes over the year"
    ex = next(section for section in report.reviews if section.code == "EX").rag_by_month
    october, november = ex[6], ex[7]
    assert (october.green, october.amber, november.red) == (1, 0, 2), "EX-1: due soon but recently updated, then late"


def test_completed_and_due_each_month_match_the_rows(year: Year) -> None:
    report = report_for(year)
    rows = year.snapshots[PERIOD_END].rows
    for flow in report.flow:

        def same_month(day: date | None, first: date = flow.month) -> bool:
            return day is not None and (day.year, day.month) == (first.year, first.month)

        assert flow.due_original == sum(same_month(row.original_due) for row in rows)
        assert flow.due_agreed == sum(same_month(row.due) for row in rows)
        assert flow.completed == sum(same_month(row.completed_on) for row in rows if row.status in DONE)
    assert sum(flow.completed for flow in report.flow) == report.total.completed_in_period == 8


def test_lists_show_evidence_for_signed_off_and_the_latest_note_for_open_actions(year: Year) -> None:
    report = report_for(year, reviews=("CC",))
    assert [section.code for section in report.reviews] == ["CC"]
    (cc,) = report.reviews
    rows = {row.ref: row for row in year.snapshots[PERIOD_END].rows if row.review == "CC"}
    assert {line.ref: line.evidence for line in cc.signed_off} == {
        ref: row.evidence for ref, row in rows.items() if row.status is Status.SIGNED_OFF
    }
    assert {line.ref: line.progress for line in cc.open} == {
        ref: row.progress for ref, row in rows.items() if row.status.is_open
    }
    cc10 = next(line for line in cc.open if line.ref == "CC-10")
    assert (cc10.progress, cc10.progress_on) == ("Chronology template drafted", date(2025, 8, 5))


def test_little_or_no_progress_lists_every_overdue_open_action_with_its_reasons(year: Year) -> None:
    report = report_for(year)
    overdue = {
        row.ref: (PERIOD_END - row.due).days
        for row in year.snapshots[PERIOD_END].rows
        if row.status.is_open and row.due < PERIOD_END
    }
    listed = {item.action.ref: item for item in report.stalled}
    assert overdue and set(overdue) <= set(listed)
    for ref, days in overdue.items():
        assert f"overdue by {days} days" in listed[ref].reasons
    assert listed["CC-6"].reasons[-1].startswith("not started and no update from its owner for 364 days")


def test_the_impact_section_lists_signed_off_actions_without_evidence_of_impact(year: Year) -> None:
    report = report_for(year)
    cc = next(section for section in report.reviews if section.code == "CC")
    assert [(note.ref, note.on, note.who) for note in cc.impact] == [("CC-3", date(2025, 12, 10), "Joanne Pryce")]
    signed = {row.ref for row in year.snapshots[PERIOD_END].rows if row.status is Status.SIGNED_OFF}
    assert {line.ref for line in report.without_impact} == signed - {"CC-3"}
    assert report.impact_notes == 1


@pytest.mark.parametrize(
    ("today", "start", "end"),
    [
        (date(2026, 4, 1), date(2025, 4, 1), date(2026, 3, 31)),
        (date(2026, 3, 31), date(2024, 4, 1), date(2025, 3, 31)),
        (date(2026, 1, 15), date(2024, 4, 1), date(2025, 3, 31)),
        (date(2026, 12, 31), date(2025, 4, 1), date(2026, 3, 31)),
    ],
)
def test_the_default_period_is_the_last_complete_april_to_march_year(today: date, start: date, end: date) -> None:
    assert reporting_year(today) == Period(start, end)


def test_month_ends_stop_at_the_period_end() -> None:
    assert Period(date(2025, 1, 15), date(2025, 3, 10)).month_ends() == [
        date(2025, 1, 31),
        date(2025, 2, 28),
        date(2025, 3, 10),
    ]


def test_the_report_reads_its_rows_in_a_handful_of_queries(year: Year) -> None:
    """Bounded SQL: the same few statements whether a plan has ten actions or a thousand."""
    engine = year.sessions.kw["bind"]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", count)
    try:
        report_for(year)
        build_pack(year.sessions, AFTER, timezone=year.settings.timezone)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    selects = [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 7 + 5, selects  # report: 7 (reviews, actions, log, extensions, names x3); pack: 5
