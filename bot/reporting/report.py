"""The yearly report end to end: load the rows, compute the figures, write HTML, Markdown, charts and XLSX."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session, sessionmaker

from bot.reporting import data as report_data
from bot.reporting.figures import Period, Report, build_report
from bot.reporting.render import document, to_html, to_markdown
from bot.reporting.workbook import write_workbook


def make_report(
    sessions: sessionmaker[Session],
    period: Period,
    *,
    now: datetime,
    timezone: ZoneInfo,
    amber_days: int,
    reviews: Sequence[str] = (),
) -> Report:
    """The report for a period and some reviews (all when none are named); a period not over yet ends today."""
    loaded = report_data.load(sessions, timezone, reviews)
    today = now.astimezone(timezone).date()
    return build_report(loaded, period, generated_at=now, timezone=timezone, amber_days=amber_days, today=today)


def write_report(report: Report, folder: Path) -> list[Path]:
    """Write report.html (self-contained), report.md with its chart PNGs beside it, and report.xlsx."""
    folder.mkdir(parents=True, exist_ok=True)
    doc = document(report)
    written = []
    html_path = folder / "report.html"
    html_path.write_text(to_html(doc), encoding="utf-8")
    written.append(html_path)
    markdown_path = folder / "report.md"
    markdown_path.write_text(to_markdown(doc), encoding="utf-8")
    written.append(markdown_path)
    for image in doc.images:
        path = folder / image.name
        path.write_bytes(image.png)
        written.append(path)
    workbook_path = folder / "report.xlsx"
    write_workbook(report, workbook_path)
    written.append(workbook_path)
    return written
