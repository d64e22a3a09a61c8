"""An Excel workbook's sheets as grids: values, merged cells filled, fills as colours, hidden columns."""

from __future__ import annotations

import calendar
import colorsys
import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.cell.cell import Cell as XlsxCell
from openpyxl.utils import column_index_from_string
from openpyxl.worksheet.worksheet import Worksheet

from storage.sheet_layout import Grid
from storage.sheet_writing import SheetFormatError


def xlsx_grids(path: Path) -> list[tuple[str, Grid]]:
    """Every worksheet of the workbook as (name, grid), in the workbook's order."""
    try:
        workbook = load_workbook(path, data_only=True)  # data_only: a formula's last calculated value
    except Exception as error:  # noqa: BLE001 - openpyxl raises many kinds for a file it cannot open
        raise SheetFormatError(f"{path.name}: cannot open it as an Excel workbook ({error}).") from None
    try:
        return [(worksheet.title, _grid(worksheet)) for worksheet in workbook.worksheets]
    finally:
        workbook.close()


def _grid(worksheet: Worksheet) -> Grid:
    grid = Grid(values=[])
    for row in worksheet.iter_rows():
        values: list[Any] = []
        for cell in row:
            values.append(_value(cell))
            colour = fill_colour(cell) if cell.value is None or str(cell.value).strip() == "" else None
            if colour is not None and isinstance(cell, XlsxCell):
                grid.fills[(cell.row - 1, cell.column - 1)] = colour
        grid.values.append(values)
    # Action plans often merge a recommendation down across its actions, and a band across the table.
    for merged in worksheet.merged_cells.ranges:
        value = _value(worksheet.cell(merged.min_row, merged.min_col))
        if merged.max_col > merged.min_col:
            grid.merged_across.add(merged.min_row - 1)
        for row in range(merged.min_row, merged.max_row + 1):
            for column in range(merged.min_col, merged.max_col + 1):
                if row - 1 < len(grid.values):
                    cells = grid.values[row - 1]
                    cells.extend([None] * (column - len(cells)))
                    cells[column - 1] = value
    for key, dimension in worksheet.column_dimensions.items():
        if dimension.hidden:
            first = dimension.min or column_index_from_string(key)
            last = dimension.max or first
            grid.hidden.update(range(first - 1, last))
    return grid


def _value(cell: Any) -> Any:
    """A date cell shown without its day (``mmm-yy``: "Mar-20") means that month: its last day."""
    value = cell.value
    if isinstance(value, datetime | date) and not _shows_day(str(getattr(cell, "number_format", "") or "")):
        day = value.date() if isinstance(value, datetime) else value
        return day.replace(day=calendar.monthrange(day.year, day.month)[1])
    return value


def _shows_day(number_format: str) -> bool:
    plain = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.', "", number_format.lower())
    return "d" in plain or plain in ("general", "")


def fill_colour(cell: Any) -> str | None:
    """The RAG colour a cell's solid fill shows ("red", "amber", "green", "blue"), or None."""
    fill = getattr(cell, "fill", None)
    if fill is None or fill.fill_type != "solid":
        return None
    rgb = getattr(fill.fgColor, "rgb", None)
    if not isinstance(rgb, str) or not re.fullmatch(r"[0-9A-Fa-f]{6,8}", rgb):
        return None  # theme and indexed colours: not read
    red, green, blue = (int(rgb[-6:][i : i + 2], 16) / 255 for i in (0, 2, 4))
    hue, lightness, saturation = colorsys.rgb_to_hls(red, green, blue)
    if saturation < 0.25 or lightness > 0.93 or lightness < 0.08:
        return None  # white, grey, black: no colour meant
    degrees = hue * 360
    if degrees < 20 or degrees >= 330:
        return "red"
    if degrees < 65:
        return "amber"
    if degrees < 170:
        return "green"
    if degrees < 260:
        return "blue"
    return None
