"""Action-plan spreadsheets: read messy CSV/XLSX sheets into rows, write the template layout.

Format work only: no database and no meaning. A cell comes back as a stripped string, or a
``date`` when the workbook stored a real date; deciding what a value means is the import
service's job (``bot/plans/``).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

Cell = str | date

HEADER_SEARCH_ROWS = 30  # title rows a board puts above the header row
XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")
CSV_DELIMITERS = (",", ";", "\t")
DATE_FORMAT = "DD/MM/YYYY"


@dataclass(frozen=True)
class Column:
    """A template column: its key, the heading we write, and the headings we accept for it."""

    key: str
    heading: str
    synonyms: tuple[str, ...] = ()


# The template's columns, in order. Synonyms are matched ignoring case, spaces, punctuation
# and anything in brackets ("Target date (dd/mm/yyyy)" is "Target Date").
COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", ("Action ref", "Reference", "Action reference", "Action no", "Action number", "Ref no")),
    Column("review", "Review", ("Review code", "Case review", "Review ref")),
    Column(
        "recommendation",
        "Recommendation",
        ("Rec", "Rec no", "Recommendation no", "Recommendation number", "Recommendation ref"),
    ),
    Column(
        "recommendation_text",
        "Recommendation Text",
        ("Recommendation detail", "Recommendation description", "Rec text"),
    ),
    Column(
        "action",
        "Action",
        (
            "Actions",
            "Action to be taken",
            "Actions to be taken",
            "Action required",
            "Actions required",
            "Action text",
            "Agreed action",
            "Action description",
        ),
    ),
    Column("plan", "Plan", ("Plan type", "Single or multi agency", "Single multi agency", "Single/multi")),
    Column(
        "agency",
        "Lead Agency",
        (
            "Agency",
            "Organisation",
            "Organization",
            "Lead organisation",
            "Responsible agency",
            "Lead agencies",
        ),
    ),
    Column(
        "officer",
        "Lead Officer",
        (
            "Owner",
            "Responsible officer",
            "Lead person",
            "Responsible person",
            "Action owner",
            "Named lead",
            "Lead",
            "Lead officer name",
        ),
    ),
    Column(
        "officer_email",
        "Officer Email",
        ("Email", "E-mail", "Email address", "Lead officer email", "Owner email", "Contact email"),
    ),
    Column(
        "due",
        "Target Date",
        (
            "Timescale",
            "Timescales",
            "By when",
            "Due",
            "Due date",
            "Deadline",
            "Target completion date",
            "Target",
            "Completion by",
        ),
    ),
    Column(
        "original_due",
        "Original Target Date",
        ("Original due date", "Original timescale", "Original deadline", "Original due", "Original target"),
    ),
    Column("status", "Status", ("Action status", "Current status", "Progress status")),
    Column("rag", "RAG", ("BRAG", "RAG status", "BRAG status", "RAG rating", "BRAG rating")),
    Column(
        "progress",
        "Progress",
        ("Progress update", "Update", "Updates", "Progress to date", "Latest update", "Progress notes"),
    ),
    Column(
        "evidence",
        "Evidence",
        ("Evidence of completion", "Evidence of impact", "Impact", "Evidence and impact", "Outcome"),
    ),
    Column("completed_on", "Completed On", ("Completed", "Date completed", "Completion date", "Completed date")),
    Column(
        "signed_off_on",
        "Signed Off On",
        ("Signed off", "Date signed off", "Sign off date", "Signed off date"),
    ),
)
COLUMN_BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
TEMPLATE_HEADINGS: tuple[str, ...] = tuple(column.heading for column in COLUMNS)


class SheetFormatError(ValueError):
    """The file cannot be read as an action plan (wrong type, no header row, unknown sheet)."""


@dataclass(frozen=True)
class SheetRow:
    """One data row: ``values`` maps every recognised column key to its cell ("" when blank)."""

    number: int  # the row number the user sees in Excel (CSV: the record number)
    values: Mapping[str, Cell]

    def get(self, key: str) -> Cell:
        return self.values.get(key, "")


@dataclass(frozen=True)
class Sheet:
    """The rows of an action-plan sheet, keyed by template column."""

    source: str  # "plan.xlsx, sheet 'Actions'" - for messages
    header_row: int
    columns: Mapping[str, str]  # column key -> the heading as written in the sheet
    rows: list[SheetRow]
    ignored: list[str] = field(default_factory=list)  # headings we did not recognise, with their letter


def normalise_heading(text: str) -> str:
    """The form headings are compared in: lower case, '&' as 'and', letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


_HEADINGS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.heading, _column.key, *_column.synonyms):
        _HEADINGS.setdefault(normalise_heading(_name), _column.key)


def match_heading(text: str) -> str | None:
    """The column key a heading means, or None when it is not one of ours."""
    without_brackets = re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text)
    for candidate in (without_brackets, text):
        key = _HEADINGS.get(normalise_heading(candidate))
        if key:
            return key
    return None


def read_sheet(path: Path, sheet: str | None = None) -> Sheet:
    """Read an action plan from .csv or .xlsx: a workbook's first sheet with a header row, unless named."""
    suffix = path.suffix.lower()
    if suffix in XLSX_SUFFIXES:
        return _read_xlsx(path, sheet)
    if suffix in CSV_SUFFIXES:
        if sheet is not None:
            raise SheetFormatError(f"{path.name} is a CSV file: it has no sheet called '{sheet}'.")
        return _read_csv(path)
    if suffix in (".xls", ".ods", ".numbers"):
        raise SheetFormatError(f"{path.name}: save it as .xlsx (Excel Workbook) or .csv and try again.")
    raise SheetFormatError(f"{path.name}: expected a .csv or .xlsx file.")


def parse_table(table: Sequence[Sequence[Any]], source: str) -> Sheet:
    """Find the header row in a grid of cells and return its data rows (row numbers count from 1)."""
    header_index, mapping, ignored = _find_header(table, source)
    rows: list[SheetRow] = []
    for index in range(header_index + 1, len(table)):
        cells = table[index]
        values = {key: _cell(cells[position]) if position < len(cells) else "" for position, key in mapping}
        if any(value != "" for value in values.values()):
            rows.append(SheetRow(number=index + 1, values=values))
    header = table[header_index]
    columns = {key: _text(header[position]) for position, key in mapping}
    return Sheet(source=source, header_row=header_index + 1, columns=columns, rows=rows, ignored=ignored)


def _find_header(table: Sequence[Sequence[Any]], source: str) -> tuple[int, list[tuple[int, str]], list[str]]:
    """The first row with an Action heading and at least one other heading we know."""
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        keys = [match_heading(_text(cell)) if _text(cell) else None for cell in cells]
        known = {key for key in keys if key}
        if "action" not in known or len(known) < 2:
            continue
        mapping: list[tuple[int, str]] = []
        ignored: list[str] = []
        for position, key in enumerate(keys):
            heading = _text(cells[position])
            letter = get_column_letter(position + 1)
            if key is None:
                if heading:
                    ignored.append(f"'{heading}' (column {letter})")
            elif any(seen == key for _, seen in mapping):
                first = next(_text(cells[p]) for p, seen in mapping if seen == key)
                ignored.append(f"'{heading}' (column {letter}: '{first}' is already read as {key})")
            else:
                mapping.append((position, key))
        return index, mapping, ignored
    raise SheetFormatError(
        f"{source}: no header row found in the first {HEADER_SEARCH_ROWS} rows. The header row needs an "
        f"'Action' column and the template's other headings ({', '.join(TEMPLATE_HEADINGS)})."
    )


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _cell(value: Any) -> Cell:
    """A cell as the import sees it: a date for date cells, else stripped text with plain line ends."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # Excel stores 3 as 3.0
    if isinstance(value, time):
        return value.isoformat()
    return str(value).replace("\r\n", "\n").replace("\r", "\n").strip()


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
    """Undo the apostrophe ``_csv_value`` puts before text that looks like a formula."""
    return cell[1:] if cell.startswith("'") and _FORMULA_LIKE.match(cell[1:]) else cell


def _read_xlsx(path: Path, sheet_name: str | None) -> Sheet:
    try:
        workbook = load_workbook(path, data_only=True)  # data_only: a formula's last calculated value
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a file it cannot open
        raise SheetFormatError(f"{path.name}: cannot open it as an Excel workbook ({error}).") from None
    try:
        if sheet_name is not None:
            found = [ws for ws in workbook.worksheets if ws.title.strip().lower() == sheet_name.strip().lower()]
            if not found:
                names = ", ".join(f"'{ws.title}'" for ws in workbook.worksheets)
                raise SheetFormatError(f"{path.name} has no sheet called '{sheet_name}' (it has {names}).")
            return parse_table(_grid(found[0]), f"{path.name}, sheet '{found[0].title}'")
        for worksheet in workbook.worksheets:
            try:
                return parse_table(_grid(worksheet), f"{path.name}, sheet '{worksheet.title}'")
            except SheetFormatError:
                continue
        first = workbook.worksheets[0]
        return parse_table(_grid(first), f"{path.name}, sheet '{first.title}'")  # raises, saying why
    finally:
        workbook.close()


def _grid(worksheet: Worksheet) -> list[list[Any]]:
    """The sheet's values, with a merged cell's value copied into every cell it covers."""
    grid = [list(row) for row in worksheet.iter_rows(values_only=True)]
    # Action plans often merge a recommendation down across its actions.
    for merged in worksheet.merged_cells.ranges:
        value = worksheet.cell(merged.min_row, merged.min_col).value
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                if row - 1 < len(grid):
                    cells = grid[row - 1]
                    cells.extend([None] * (column - len(cells)))
                    cells[column - 1] = value
    return grid


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
    if _FORMULA_LIKE.match(value):
        # Spreadsheet programs run a cell starting '=' as a formula (CSV injection); a leading
        # apostrophe keeps it text, and _read_csv takes the apostrophe off again.
        return "'" + value
    return value


_FORMULA_LIKE = re.compile(r"[=+@]|-[^\s\d]")
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
