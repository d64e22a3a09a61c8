"""The report's figures as an XLSX workbook: one sheet per table, numbers as numbers, text never a formula."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from bot.reporting.blocks import MARKING, RAG_WORDS, STATUS_WORDS
from bot.reporting.figures import Counts, Report, long_date

COUNT_COLUMNS: tuple[tuple[str, str], ...] = (
    ("Actions", "total"),
    ("Completed", "completed"),
    ("Signed off", "signed_off"),
    ("Awaiting sign-off", "awaiting_sign_off"),
    ("Open", "open"),
    ("Overdue", "overdue"),
    ("Completed in period", "completed_in_period"),
    ("Signed off in period", "signed_off_in_period"),
    ("Due in period (original date)", "due_original"),
    ("Completed by original date", "on_time_original"),
    ("% by original date", "pct_on_time_original"),
    ("Due in period (agreed date)", "due_agreed"),
    ("Completed by agreed date", "on_time_agreed"),
    ("% by agreed date", "pct_on_time_agreed"),
    ("Completed late", "completed_late"),
    ("Median days late", "median_days_late"),
    ("Extensions asked", "extensions_asked"),
    ("Extensions granted", "extensions_granted"),
    ("Extensions declined", "extensions_declined"),
    ("Extensions waiting", "extensions_waiting"),
)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
DATE_FORMAT = "dd/mm/yyyy"


def write_workbook(report: Report, path: Path) -> None:
    """Write the report's figures and lists to ``path`` (.xlsx)."""
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = "About"
    _about(about, report)
    reviews = [((section.code, section.title), section.counts) for section in report.reviews]
    _counts_sheet(
        workbook.create_sheet("Reviews"), ("Review", "Title"), [*reviews, (("", "All reviews"), report.total)]
    )
    agencies = [((counts.label,), counts) for counts in report.agencies]
    _counts_sheet(workbook.create_sheet("Agencies"), ("Agency",), [*agencies, (("All agencies",), report.total)])
    _actions(workbook.create_sheet("Actions"), report)
    _impact(workbook.create_sheet("Impact"), report)
    _stalled(workbook.create_sheet("Little progress"), report)
    _monthly(workbook.create_sheet("RAG by month"), report)
    _table(
        workbook.create_sheet("Due and completed"),
        ("Month", "Due (original date)", "Due (agreed date)", "Completed"),
        [(flow.month.strftime("%b %Y"), flow.due_original, flow.due_agreed, flow.completed) for flow in report.flow],
    )
    workbook.save(path)


def _about(sheet: Worksheet, report: Report) -> None:
    rows: list[Sequence[Any]] = [
        (MARKING,),
        (),
        ("Report", "Case reviews: progress on action plans"),
        ("Period", report.period.describe()),
        ("From", report.period.start),
        ("To", report.period.end),
        ("Reviews", ", ".join(f"{section.code} ({section.title})" for section in report.reviews)),
        ("Figures as at", long_date(report.period.end)),
        ("Produced", report.generated_at.astimezone(UTC).strftime("%d/%m/%Y %H:%M UTC")),
        (),
        ("How the figures are counted", Counts.__doc__ and " ".join(Counts.__doc__.split())),
    ]
    for row in rows:
        _append(sheet, row)
    sheet["A1"].font = Font(bold=True, color="B71C1C")
    sheet.column_dimensions["A"].width = 26
    sheet.column_dimensions["B"].width = 110
    sheet.cell(sheet.max_row, 2).alignment = Alignment(wrap_text=True, vertical="top")


def _counts_sheet(sheet: Worksheet, first: tuple[str, ...], groups: Sequence[tuple[tuple[str, ...], Counts]]) -> None:
    headings = (*first, *(heading for heading, _ in COUNT_COLUMNS))
    rows = [(*labels, *(getattr(counts, name) for _, name in COUNT_COLUMNS)) for labels, counts in groups]
    _table(sheet, headings, rows, widths={"Title": 36, "Agency": 40})
    for position, (_heading, name) in enumerate(COUNT_COLUMNS, start=len(first) + 1):
        if name.startswith("pct_"):
            for row in range(2, len(rows) + 2):
                sheet.cell(row, position).number_format = "0%"


def _actions(sheet: Worksheet, report: Report) -> None:
    headings = (
        "Review", "Ref", "Action", "Agency", "Owner", "Status", "RAG", "Original target", "Agreed date",
        "Completed on", "Signed off on", "Days overdue", "Times re-dated", "Evidence", "Latest update",
        "Latest update on", "Extension waiting",
    )  # fmt: skip
    rows = [
        (
            section.code,
            line.ref,
            line.text,
            line.agency,
            line.owner,
            STATUS_WORDS[line.status],
            RAG_WORDS[line.rag],
            line.original_due,
            line.due,
            line.completed_on,
            line.signed_off_on,
            line.days_overdue,
            line.approved_extensions,
            line.evidence,
            line.progress,
            line.progress_on,
            line.waiting_extension,
        )  # fmt: skip
        for section in report.reviews
        for line in (*section.signed_off, *section.awaiting_sign_off, *section.open)
    ]
    _table(sheet, headings, rows, widths={"Action": 60, "Evidence": 45, "Latest update": 45, "Agency": 30})


def _impact(sheet: Worksheet, report: Report) -> None:
    rows: list[Sequence[Any]] = []
    for section in report.reviews:
        signed = {line.ref: line for line in section.signed_off}
        for note in section.impact:
            line = signed.get(note.ref)
            rows.append(
                (section.code, note.ref, line.text if line else "", line.signed_off_on if line else None, note.on,
                 note.who, note.note)
            )  # fmt: skip
        for line in section.without_impact:
            rows.append(
                (section.code, line.ref, line.text, line.signed_off_on, None, None, "No evidence of impact yet")
            )
    headings = ("Review", "Ref", "Action", "Signed off on", "Impact recorded on", "By", "Evidence of impact")
    _table(sheet, headings, rows, widths={"Action": 60, "Evidence of impact": 60})


def _stalled(sheet: Worksheet, report: Report) -> None:
    headings = ("Review", "Ref", "Action", "Agency", "Owner", "Why", "Agreed date", "Days overdue", "Latest update")
    rows = [
        (
            item.action.review_code,
            item.action.ref,
            item.action.text,
            item.action.agency,
            item.action.owner,
            "; ".join(item.reasons),
            item.action.due,
            item.action.days_overdue,
            item.action.progress,
        )  # fmt: skip
        for item in report.stalled
    ]
    _table(sheet, headings, rows, widths={"Action": 60, "Why": 45, "Latest update": 45, "Agency": 30})


def _monthly(sheet: Worksheet, report: Report) -> None:
    headings = ("Review", "Month end", "Blue (complete)", "Green", "Amber", "Red", "On the plan")
    rows = [
        (section.code, month.on, month.blue, month.green, month.amber, month.red, month.total)
        for section in report.reviews
        for month in section.rag_by_month
    ]
    _table(sheet, headings, rows)


def _table(
    sheet: Worksheet,
    headings: Sequence[str],
    rows: Sequence[Sequence[Any]],
    widths: dict[str, int] | None = None,
) -> None:
    _append(sheet, headings)
    for position, heading in enumerate(headings, start=1):
        cell = sheet.cell(1, position)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
        width = (widths or {}).get(heading, max(12, min(len(heading) + 2, 22)))
        sheet.column_dimensions[get_column_letter(position)].width = width
    for row in rows:
        _append(sheet, row)
    sheet.freeze_panes = "A2"


def _append(sheet: Worksheet, values: Sequence[Any]) -> None:
    sheet.append([None if value == "" else value for value in values])
    for cell in sheet[sheet.max_row]:
        if cell.data_type == "f":
            cell.data_type = "s"  # text typed in chat that starts with '=' stays text, never a formula
        if isinstance(cell.value, date):
            cell.number_format = DATE_FORMAT
