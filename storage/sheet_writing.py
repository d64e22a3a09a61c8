"""Writing sheets: the import template's layout (and any table) to .csv or .xlsx."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from storage.sheet_columns import COLUMN_BY_KEY, COLUMNS, TEMPLATE_HEADINGS

Cell = str | date

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
DATE_FORMAT = "DD/MM/YYYY"


class SheetFormatError(ValueError):
    """The file cannot be read as an action plan (wrong type, no header row, unknown sheet)."""


def write_sheet(
    path: Path,
    rows: Iterable[Mapping[str, Cell | None]],
    *,
    choices: Mapping[str, Sequence[str]] | None = None,
    instructions: Sequence[tuple[str, str]] | None = None,
) -> int:
    """Write rows (column key -> value) in the template layout to .csv or .xlsx; return rows written.

    ``choices`` offers drop-down values for columns of a workbook; ``instructions`` adds a
    second sheet of (heading, guidance) pairs.
    """
    return write_table(
        path,
        TEMPLATE_HEADINGS,
        ([row.get(column.key) for column in COLUMNS] for row in rows),
        title="Action plan",
        widths={column.heading: WIDTHS[column.key] for column in COLUMNS if column.key in WIDTHS},
        choices={COLUMN_BY_KEY[key].heading: values for key, values in (choices or {}).items()},
        instructions=instructions,
    )


def write_table(
    path: Path,
    headings: Sequence[str],
    records: Iterable[Sequence[Cell | None]],
    *,
    title: str = "Sheet1",
    widths: Mapping[str, int] | None = None,
    choices: Mapping[str, Sequence[str]] | None = None,
    instructions: Sequence[tuple[str, str]] | None = None,
) -> int:
    """Write a header row and records to .csv or .xlsx; ``widths`` (by heading) also wrap text in a workbook."""
    rows = [list(record) for record in records]
    suffix = path.suffix.lower()
    if suffix in CSV_SUFFIXES:
        _write_csv(path, headings, rows)
    elif suffix in XLSX_SUFFIXES:
        _write_xlsx(path, headings, rows, title, widths or {}, choices or {}, instructions)
    else:
        raise SheetFormatError(f"{path.name}: expected a .csv or .xlsx file name.")
    return len(rows)


def _write_csv(path: Path, headings: Sequence[str], records: list[list[Cell | None]]) -> None:
    # With a byte-order mark Excel opens UTF-8 correctly; dates are UK, day first.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headings)
        for record in records:
            writer.writerow([_csv_value(value) for value in record])


def _csv_value(value: Cell | None) -> str:
    if value is None:
        return ""
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if FORMULA_LIKE.match(value):
        # Spreadsheet programs run a cell starting '=' as a formula (CSV injection); a leading
        # apostrophe keeps it text, and reading takes the apostrophe off again.
        return "'" + value
    return value


FORMULA_LIKE = re.compile(r"[=+@]|-[^\s\d]")
WIDTHS = {"action": 60, "recommendation_text": 45, "progress": 45, "evidence": 40, "agency": 28, "officer": 22}


def _write_xlsx(
    path: Path,
    headings: Sequence[str],
    records: list[list[Cell | None]],
    title: str,
    widths: Mapping[str, int],
    choices: Mapping[str, Sequence[str]],
    instructions: Sequence[tuple[str, str]] | None,
) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title
    sheet.append(list(headings))
    for record in records:
        sheet.append([value if value not in (None, "") else None for value in record])
        for cell in sheet[sheet.max_row]:
            if cell.data_type == "f":
                cell.data_type = "s"  # text that starts with '=' stays text, never a formula
    header_fill = PatternFill("solid", fgColor="DDE4EE")
    last_row = max(len(records) + 1, 2)
    for position, heading in enumerate(headings, start=1):
        letter = get_column_letter(position)
        top = sheet.cell(1, position)
        top.font = Font(bold=True)
        top.fill = header_fill
        sheet.column_dimensions[letter].width = widths.get(heading, max(14, len(heading) + 2))
        for row in range(2, len(records) + 2):
            cell = sheet.cell(row, position)
            if isinstance(cell.value, date):
                cell.number_format = DATE_FORMAT
            elif heading in widths:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
        if heading in choices:
            # A drop-down that warns but still lets a board type its own word ("Ongoing").
            listed = ",".join(choices[heading])
            validation = DataValidation(type="list", formula1=f'"{listed}"', allow_blank=True)
            validation.errorStyle = "warning"
            validation.add(f"{letter}2:{letter}{last_row + 500}")
            sheet.add_data_validation(validation)
    sheet.freeze_panes = "A2"
    sheet.auto_filter.ref = f"A1:{get_column_letter(len(headings))}{last_row}"
    if instructions:
        guide = workbook.create_sheet("How to fill this in")
        guide.append(["Column", "What to put in it"])
        for heading, text in instructions:
            guide.append([heading, text])
        guide.column_dimensions["A"].width = 24
        guide.column_dimensions["B"].width = 110
        for cell in guide[1]:
            cell.font = Font(bold=True)
        for row in guide.iter_rows(min_row=2):
            row[1].alignment = Alignment(wrap_text=True, vertical="top")
    workbook.save(path)
