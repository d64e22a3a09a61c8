"""Where the table is in a sheet and which rows are actions: the header, bands, notes, blank rows."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from openpyxl.utils import get_column_letter

from storage.sheet_columns import match_heading

HEADER_SEARCH_ROWS = 30  # title rows a board puts above the header row
Cell = str | date

# A row whose first words say it explains the table rather than being part of it.
_NOTE = re.compile(r"^\s*(\*|†|key\b|notes?\b|n\.?b\.?\b|source\b|b?rag key\b|rag rating\b|please\b|guidance\b)", re.I)
_BAND_WORDS = re.compile(
    r"^\s*(section|part|theme|strand|area|priority|recommendations?|single|multi|[a-z]\s*[.:)-])", re.I
)
_REC_BAND = re.compile(
    r"^\s*recommendation\s+(?:no\.?\s*)?([0-9a-z][0-9a-z.]{0,9})\s*[:.\-\u2013\u2014)]?\s+(.+)$", re.I | re.S
)


@dataclass
class Grid:
    """A sheet's cell values (merged cells filled), with the fills and hidden columns that matter."""

    values: list[list[Any]]
    fills: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, column) from 0 -> colour
    hidden: set[int] = field(default_factory=set)  # column positions from 0
    merged_across: set[int] = field(default_factory=set)  # rows (from 0) with a cell merged over columns


@dataclass
class Header:
    """The header row: which column is which field, and the headings not read."""

    index: int  # from 0
    positions: dict[str, int]  # key -> column position
    headings: dict[str, str]  # key -> heading as written
    letters: dict[str, str]  # key -> column letter
    ignored: list[str]
    notes: list[str]


@dataclass
class ReadRows:
    rows: list[tuple[int, dict[str, Cell], dict[str, str]]]
    skipped: list[str]


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def find_header(table: Sequence[Sequence[Any]], hidden: set[int] | None = None, least: int = 2) -> Header | None:
    """The row among the first few with an Action heading and the most other headings we know (``least`` in all)."""
    best: tuple[int, int] | None = None  # (known count, index)
    for index, cells in enumerate(table[:HEADER_SEARCH_ROWS]):
        keys = {match_heading(text(cell)) for cell in cells if text(cell) and len(text(cell)) <= 80}
        keys.discard(None)
        if "action" in keys and len(keys) >= least and (best is None or len(keys) > best[0]):
            best = (len(keys), index)
    if best is None:
        return None
    return _header(table[best[1]], best[1], hidden or set())


def _header(cells: Sequence[Any], index: int, hidden: set[int]) -> Header:
    header = Header(index, {}, {}, {}, [], [])
    # Visible columns first, so a hidden older copy of a column never wins over the one people see.
    order = sorted(range(len(cells)), key=lambda position: (position in hidden, position))
    for position in order:
        heading = text(cells[position])
        letter = get_column_letter(position + 1)
        key = match_heading(heading) if heading and len(heading) <= 80 else None
        if key is None:
            if heading:
                header.ignored.append(f"'{heading}' (column {letter})")
        elif key in header.positions:
            first = header.headings[key]
            why = "hidden, and " if position in hidden else ""
            header.ignored.append(f"'{heading}' (column {letter}: {why}'{first}' is already read as {key})")
        else:
            header.positions[key] = position
            header.headings[key] = heading
            header.letters[key] = letter
            if position in hidden:
                header.notes.append(f"Column {letter} '{heading}' is hidden; it is read as {key}.")
    return header


def read_rows(grid: Grid, header: Header) -> ReadRows:
    """The action rows under the header; bands, notes and blank rows are skipped and listed."""
    found = ReadRows([], [])
    blank: list[int] = []
    context: dict[str, str] = {}  # what a band says about the rows under it (plan, recommendation)
    for index in range(header.index + 1, len(grid.values)):
        cells = grid.values[index]
        number = index + 1
        texts = [text(cell) for cell in cells]
        filled = [value for value in texts if value]
        if not filled:
            blank.append(number)
            continue
        kind = _kind(texts, filled, header, index in grid.merged_across)
        if kind is not None:
            found.skipped.append(f"row {number}: {kind} '{_short(filled[0])}'")
            if kind == "section band":
                _band_context(filled[0], context)
            continue
        values = {
            key: cell_value(cells[position]) if position < len(cells) else ""
            for key, position in header.positions.items()
        }
        for key, value in context.items():
            if values.get(key, "") == "":
                values[key] = value
        fills = {
            key: colour
            for key, position in header.positions.items()
            if values[key] == "" and (colour := grid.fills.get((index, position)))
        }
        found.rows.append((number, values, fills))
    if blank:
        found.skipped.append(f"{_count(len(blank), 'blank row')}: {_ranges(blank)}")
    return found


def _kind(texts: list[str], filled: list[str], header: Header, merged: bool) -> str | None:
    """'section band' or 'notes row' when a row is not an action, else None."""
    if _NOTE.match(filled[0]) and len(set(filled)) <= 3:
        return "notes row"
    if len(set(filled)) != 1:
        return None
    action_at = header.positions.get("action")
    only_action = action_at is not None and len(filled) == 1 and action_at < len(texts) and texts[action_at] != ""
    if merged or len(filled) > 1 or _BAND_WORDS.match(filled[0]) or filled[0].isupper():
        return "section band"
    if only_action:
        return None  # an action with nothing else filled in: checked, and its gaps reported
    return "notes row"


def _band_context(band: str, context: dict[str, str]) -> None:
    lowered = band.lower()
    if "multi" in lowered:
        context["plan"] = "multi"
    elif "single" in lowered:
        context["plan"] = "single"
    recommendation = _REC_BAND.match(band)
    if recommendation:
        context["recommendation"] = recommendation.group(1).rstrip(".")
        context["recommendation_text"] = " ".join(recommendation.group(2).split())
    elif band.lower().startswith("section") or band.lower().startswith("part"):
        context.pop("recommendation", None)
        context.pop("recommendation_text", None)


def cell_value(value: Any) -> Cell:
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


def _short(value: str) -> str:
    value = " ".join(value.split())
    return value if len(value) <= 60 else value[:59] + "…"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def _ranges(numbers: list[int]) -> str:
    spans: list[list[int]] = []
    for number in numbers:
        if spans and number == spans[-1][1] + 1:
            spans[-1][1] = number
        else:
            spans.append([number, number])
    return ", ".join(f"{a}" if a == b else f"{a}-{b}" for a, b in spans)
