"""Action-plan spreadsheets as boards lay them out: find the table in each sheet and read its rows.

Format work only: no database and no meaning. A cell comes back as a stripped string, or a
``date`` when the workbook stored a real date; deciding what a value means is the import
service's job (``bot/plans/``). Layout is this module's job: title rows above the header,
section bands, notes and key rows, blank rows, merged cells, hidden columns, fills.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from storage.sheet_columns import COLUMN_BY_KEY, COLUMNS, TEMPLATE_HEADINGS, Column, match_heading, normalise_heading
from storage.sheet_layout import HEADER_SEARCH_ROWS, Grid, find_header, read_rows
from storage.sheet_writing import (
    CSV_SUFFIXES,
    DATE_FORMAT,
    XLSX_SUFFIXES,
    Cell,
    SheetFormatError,
    write_sheet,
    write_table,
)
from storage.sheet_xlsx import xlsx_grids

__all__ = [
    "COLUMNS",
    "COLUMN_BY_KEY",
    "CSV_SUFFIXES",
    "DATE_FORMAT",
    "HEADER_SEARCH_ROWS",
    "TEMPLATE_HEADINGS",
    "XLSX_SUFFIXES",
    "Cell",
    "Column",
    "PlanFile",
    "Sheet",
    "SheetFormatError",
    "SheetRow",
    "match_heading",
    "normalise_heading",
    "parse_table",
    "read_plan",
    "read_sheet",
    "write_sheet",
    "write_table",
]
CSV_DELIMITERS = (",", ";", "\t")


@dataclass(frozen=True)
class SheetRow:
    """One data row: ``values`` maps every recognised column key to its cell ("" when blank)."""

    number: int  # the row number the user sees in Excel (CSV: the record number)
    values: Mapping[str, Cell]
    fills: Mapping[str, str] = field(default_factory=dict)  # key -> colour of a blank cell's fill ("red")

    def get(self, key: str) -> Cell:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Sheet:
    """The action rows of one sheet, keyed by template column, and what was skipped and why."""

    source: str  # "plan.xlsx, sheet 'Actions'" - for messages
    header_row: int
    columns: Mapping[str, str]  # column key -> the heading as written in the sheet
    rows: list[SheetRow]
    ignored: list[str] = field(default_factory=list)  # headings not read, with their letter
    letters: Mapping[str, str] = field(default_factory=dict)  # column key -> its letter ("I")
    name: str = ""  # the sheet's name in the workbook ("" for a CSV file)
    skipped: list[str] = field(default_factory=list)  # rows not read as actions, and why
    notes: list[str] = field(default_factory=list)  # hidden columns and such, said once
    plan: str | None = None  # "single" / "multi" when the sheet's name says which

    def cell(self, key: str, row: int) -> str:
        """The cell a value came from, as Excel names it (``I13``)."""
        letter = self.letters.get(key)
        return f"{letter}{row}" if letter else f"row {row}"

    def heading(self, key: str) -> str:
        """The sheet's own heading for a column, else the template's."""
        return self.columns.get(key) or COLUMN_BY_KEY[key].heading


@dataclass(frozen=True)
class PlanFile:
    """Every sheet of a file that holds actions, and the sheets that were skipped, with why."""

    name: str
    sheets: list[Sheet]
    skipped_sheets: list[str] = field(default_factory=list)


def read_plan(path: Path, sheet: str | None = None) -> PlanFile:
    """Read every sheet holding actions from .csv or .xlsx (or only the named sheet)."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise SheetFormatError(f"{path.name} is a CSV file: it has no sheet called '{sheet}'.")
        return PlanFile(path.name, [_read_csv(path)])
    if suffix in (".xls", ".ods", ".numbers"):
        raise SheetFormatError(f"{path.name}: save it as .xlsx (Excel Workbook) or .csv and try again.")
    raise SheetFormatError(f"{path.name}: expected a .csv or .xlsx file.")


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """The first sheet holding actions (or the named one) of a .csv or .xlsx file."""
    return read_plan(path, sheet).sheets[0]


def parse_table(
    table: Sequence[Sequence[Any]], source: str, *, grid: Grid | None = None, name: str = "", least: int = 2
) -> Sheet:
    """Find the header row in a grid of cells and read the action rows under it (rows count from 1)."""
    grid = grid or Grid(values=[list(row) for row in table])
    header = find_header(grid.values, grid.hidden, least)
    if header is None:
        raise SheetFormatError(
            f"{source}: no header row found in the first {HEADER_SEARCH_ROWS} rows. The header row needs an "
            f"'Action' column and some of the template's other headings ({', '.join(TEMPLATE_HEADINGS)})."
        )
    read = read_rows(grid, header)
    return Sheet(
        source=source,
        header_row=header.index + 1,
        columns=header.headings,
        rows=[SheetRow(number, values, fills) for number, values, fills in read.rows],
        ignored=header.ignored,
        letters=header.letters,
        name=name,
        skipped=read.skipped,
        notes=header.notes,
        plan=_plan_of(name),
    )


def _plan_of(name: str) -> str | None:
    words = normalise_heading(name)
    if "multi" in words or "partnership" in words:
        return "multi"
    if "single" in words:
        return "single"
    return None


def _decode(raw: bytes, name: str) -> str:
    # Excel writes "CSV UTF-8" with a byte-order mark and plain "CSV" in the Windows code page.
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise SheetFormatError(f"{name}: cannot read the text: save it as 'CSV UTF-8' and try again.")


def _read_csv(path: Path) -> Sheet:
    text = _decode(path.read_bytes(), path.name)
    best: Sheet | None = None
    for delimiter in CSV_DELIMITERS:  # Excel in some locales writes ';'; some exports use tabs
        table = [
            [_unescape(cell) for cell in record]
            for record in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
        ]
        try:
            found = parse_table(table, path.name)
        except SheetFormatError:
            continue
        if best is None or len(found.columns) > len(best.columns):
            best = found
    if best is None:
        return parse_table(list(csv.reader(io.StringIO(text, newline=""))), path.name)  # raises, saying why
    return best


def _unescape(cell: str) -> str:
    """Undo the apostrophe ``write_sheet`` puts before text that looks like a formula."""
    from storage.sheet_writing import FORMULA_LIKE

    return cell[1:] if cell.startswith("'") and FORMULA_LIKE.match(cell[1:]) else cell


def _read_xlsx(path: Path, sheet_name: str | None) -> PlanFile:
    grids = xlsx_grids(path)
    if sheet_name is not None:
        wanted = [item for item in grids if item[0].strip().lower() == sheet_name.strip().lower()]
        if not wanted:
            names = ", ".join(f"'{title}'" for title, _grid in grids)
            raise SheetFormatError(f"{path.name} has no sheet called '{sheet_name}' (it has {names}).")
        title, grid = wanted[0]
        return PlanFile(path.name, [parse_table(grid.values, f"{path.name}, sheet '{title}'", grid=grid, name=title)])
    sheets: list[Sheet] = []
    skipped: list[str] = []
    least = 3 if len(grids) > 1 else 2  # a guide sheet ("Column | What to put in it") is no plan
    for title, grid in grids:
        try:
            sheets.append(parse_table(grid.values, f"{path.name}, sheet '{title}'", grid=grid, name=title, least=least))
        except SheetFormatError:
            skipped.append(f"'{title}' (no header row with an Action column: a key, notes or cover sheet)")
    if not sheets:
        title, grid = grids[0]
        parse_table(grid.values, f"{path.name}, sheet '{title}'", grid=grid, name=title)  # raises, saying why
    return PlanFile(path.name, sheets, skipped)


def plain_date(value: date) -> str:
    """A date as the import's messages show it."""
    return value.strftime("%d/%m/%Y")
