"""What a reader of the HTML, Markdown and XLSX sees: the three headings, escaped text, nothing left blank."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from bot.demo import load_demo
from bot.reporting.data import ReportData, ReviewInfo
from bot.reporting.figures import Period, Report, build_report, reporting_year
from bot.reporting.render import document, to_html, to_markdown
from bot.reporting.report import make_report, write_report
from bot.services import ActionService, Identity
from bot.views import Changed
from storage.models import ProtectedName, Review
from tests.helpers import say
from tests.reporting.year import AFTER, CHAIR, LLOYD, PRYCE, Year

HEADINGS = (
    "1. Actions taken or planned to implement each review's recommendations",
    "2. Improvements that resulted: evidence of impact",
    "3. Areas where there has been little or no progress",
)


def run(sessions: sessionmaker[Session], settings: Settings, today: date, *codes: str) -> Report:
    return make_report(
        sessions,
        reporting_year(today),
        now=datetime.combine(today, time(10), UTC),
        timezone=settings.timezone,
        amber_days=settings.amber_days,
        reviews=codes,
    )


def test_the_report_files_follow_the_three_headings_and_embed_the_charts(year: Year, tmp_path: Path) -> None:
    report = run(year.sessions, year.settings, AFTER)
    written = write_report(report, tmp_path)
    names = sorted(path.name for path in written)
    assert names == sorted(
        ["report.html", "report.md", "report.xlsx", "report-due-completed.png"]
        + [f"report-rag-{code}.png" for code in ("BM", "CC", "EX")]
    )
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    for heading in HEADINGS:
        assert heading.replace("'", "&#x27;") in page
        assert f"## {heading}" in markdown
    assert page.count('src="data:image/png;base64,') == 4
    assert "http://" not in page and "https://" not in page, "self-contained: nothing to fetch"
    for name in ("report-rag-CC.png", "report-rag-BM.png", "report-rag-EX.png", "report-due-completed.png"):
        assert f"]({name})" in markdown
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG")
    assert "Re-audit: injuries shared with the GP in 29 of 30 cases" in page


def test_the_workbook_holds_the_figures_as_numbers(year: Year, tmp_path: Path) -> None:
    report = run(year.sessions, year.settings, AFTER)
    write_report(report, tmp_path)
    book = load_workbook(tmp_path / "report.xlsx")
    assert book.sheetnames == [
        "About", "Reviews", "Agencies", "Actions", "Impact", "Little progress", "RAG by month", "Due and completed",
    ]  # fmt: skip
    reviews = list(book["Reviews"].iter_rows(values_only=True))
    headings, rows = reviews[0], {row[0]: row for row in reviews[1:]}
    cc = dict(zip(headings, rows["CC"], strict=True))
    counts = next(section.counts for section in report.reviews if section.code == "CC")
    assert (cc["Actions"], cc["Signed off"], cc["Extensions granted"], cc["Median days late"]) == (
        counts.total,
        counts.signed_off,
        counts.extensions_granted,
        counts.median_days_late,
    )
    assert cc["% by agreed date"] == pytest.approx(counts.pct_on_time_agreed)
    actions = list(book["Actions"].iter_rows(values_only=True))
    assert len(actions) - 1 == report.total.total
    assert len(list(book["RAG by month"].iter_rows())) - 1 == 12 * len(report.reviews)


def test_text_from_chat_is_escaped_everywhere(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings, tmp_path: Path
) -> None:
    clock.set(datetime(2025, 4, 1, 9, tzinfo=UTC))
    load_demo(db, today=date(2025, 4, 1), now=clock.now())
    service = ActionService(db, clock, settings)
    hostile = "<script>alert('x')</script> | *bold* [link](javascript:alert(1)) &amp;"
    reply = say(service, f"update CC-3 on-track {hostile}", Identity("console", email=PRYCE))
    assert isinstance(reply.view, Changed), reply.view
    formula = '=HYPERLINK("http://example.invalid","click")'
    reply = say(service, f"done BM-7 {formula}", Identity("console", email=LLOYD))
    assert isinstance(reply.view, Changed), reply.view
    report = run(db, settings, date(2026, 4, 1))
    write_report(report, tmp_path)

    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script" not in page and "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page
    assert "&amp;amp;" in page
    markdown = (tmp_path / "report.md").read_text(encoding="utf-8")
    assert r"\<script\>alert('x')\</script\> \| \*bold\* \[link\](javascript:alert(1)) \&amp;" in markdown
    assert not re.search(r"(?<!\\)<", markdown), "every < in the Markdown is escaped"
    sheet = load_workbook(tmp_path / "report.xlsx")["Actions"]
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value == formula]
    assert cells and all(cell.data_type == "s" for cell in cells), "text stays text, never a formula"


def test_text_that_names_a_protected_person_is_withheld(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    clock.set(datetime(2025, 4, 1, 9, tzinfo=UTC))
    load_demo(db, today=date(2025, 4, 1), now=clock.now())
    service = ActionService(db, clock, settings)
    reply = say(service, "update CC-3 on-track Met Jane Doe's health visitor", Identity("console", email=PRYCE))
    assert isinstance(reply.view, Changed), reply.view
    with db.begin() as session:  # registered after the note was stored
        review = session.scalars(select(Review).where(Review.code == "CC")).one()
        session.add(ProtectedName(review_id=review.id, name="Jane Doe"))
    page = to_html(document(run(db, settings, date(2026, 4, 1))))
    assert "Jane Doe" not in page
    assert "withheld from this report: the text looks like it contains a protected name" in page


def test_with_no_impact_evidence_the_section_says_so_and_lists_every_signed_off_action(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    clock.set(datetime(2025, 6, 1, 9, tzinfo=UTC))
    load_demo(db, today=date(2025, 6, 1), now=clock.now())
    service = ActionService(db, clock, settings)
    reply = say(service, "signoff CC-2", Identity("console", email=CHAIR))
    assert isinstance(reply.view, Changed), reply.view
    report = run(db, settings, date(2026, 4, 1))
    assert report.impact_notes == 0
    signed = ["CC-1", "CC-2", "CC-8", "BM-5", "CC-11", "CC-12", "BM-8", "EX-4"]  # the last four: the demo's last year
    assert sorted(line.ref for line in report.without_impact) == sorted(signed)

    markdown = to_markdown(document(report))
    impact = markdown.split("## 2. Improvements that resulted")[1].split("## 3.")[0]
    assert "**No evidence of impact has been recorded for any action of these reviews." in impact
    assert "the 8 signed-off actions listed below have no evidence yet" in impact
    for ref in signed:
        assert f"- **{ref}**" in impact
    page = to_html(document(report))
    impact_html = page.split('id="impact"')[1].split('id="little-progress"')[0]
    assert 'class="callout"' in impact_html
    assert all(f'<span class="ref">{ref}</span>' in impact_html for ref in signed)


def test_a_report_with_nothing_signed_off_still_says_why_there_is_no_impact() -> None:
    data = ReportData(
        reviews=(ReviewInfo(1, "NW", "New review", "scr"),),
        agencies={},
        people={},
        histories={},
        extensions=(),
        protected_names={},
    )
    report = build_report(
        data,
        Period(date(2025, 4, 1), date(2026, 3, 31)),
        generated_at=datetime(2026, 4, 1, tzinfo=UTC),
        timezone=ZoneInfo("Europe/London"),
        amber_days=14,
        today=date(2026, 4, 1),
    )
    markdown = to_markdown(document(report))
    assert "no action had been signed off by the end of the period, so none could show impact yet" in markdown
    assert "No action of this review had been signed off, so there is no impact to evidence yet." in markdown
    assert "No open action was overdue" in markdown


def test_a_period_not_over_yet_ends_today(year: Year) -> None:
    report = make_report(
        year.sessions,
        Period(date(2025, 4, 1), date(2026, 3, 31)),
        now=datetime(2025, 9, 30, 18, tzinfo=UTC),
        timezone=year.settings.timezone,
        amber_days=year.settings.amber_days,
    )
    assert (report.period.end, report.asked_end) == (date(2025, 9, 30), date(2026, 3, 31))
    assert "has not ended yet: these figures are to 30 September 2025" in to_markdown(document(report))
    assert len(report.reviews[0].rag_by_month) == 6
