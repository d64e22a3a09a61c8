"""A plan's target cell: a date, a timescale boards write (Q3 2019/20, End of March 2020), or wording.

Pure: no I/O, no clock. Wording that names no date (Ongoing, Immediate, Within 6 months,
Quarterly, Summer term 2020) is kept as it is, with no due date: never guessed, never refused.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from bot.dates import parse_sheet_date
from bot.errors import BadDate

_LEAD_IN = re.compile(r"^(?:by|before|no later than|complete by|to be completed by|deadline)\s*[:\-]?\s*", re.I)
_END_OF = re.compile(r"^(?:the\s+)?end\s+(?:of\s+)?(?:the\s+)?", re.I)
_QUARTER = re.compile(
    r"^(?:q|qtr|quarter)\s*([1-4])\s*(?:of\s*)?(?:fy\s*)?(\d{4})\s*[/\-\u2013]\s*(\d{2}|\d{4})$", re.I
)
_FINANCIAL_YEAR = re.compile(r"^(?:fy\s*|financial year\s*)?(\d{4})\s*[/\-\u2013]\s*(\d{2}|\d{4})$", re.I)
_NUMERIC = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
_DATE_LIKE = re.compile(r"\d{1,4}\s*[/.\-]\s*\d{1,2}|\d{1,2}(st|nd|rd|th)\b", re.I)
QUARTER_ENDS = {1: (6, 30), 2: (9, 30), 3: (12, 31), 4: (3, 31)}  # April-March financial year


@dataclass(frozen=True)
class Target:
    """What a target cell says: a due date, or the board's wording when it names no date."""

    due: date | None
    wording: str | None = None


def read_target(value: str | date) -> Target:
    """The due date a target cell means; BadDate says why when it looks like a date but is not one."""
    if isinstance(value, date):
        return Target(value)
    text = " ".join(value.split())
    if not text:
        return Target(None)
    plain = _END_OF.sub("", _LEAD_IN.sub("", text))
    found = _quarter(plain) or _financial_year(plain)
    if found is not None:
        return Target(found)
    _refuse_month_first(plain)
    try:
        return Target(parse_sheet_date(plain))
    except BadDate:
        if _DATE_LIKE.search(plain):
            raise
    return Target(None, text[:200])


def _quarter(text: str) -> date | None:
    match = _QUARTER.match(text)
    if match is None:
        return None
    quarter, first = int(match.group(1)), int(match.group(2))
    _check_years(text, first, match.group(3))
    month, day = QUARTER_ENDS[quarter]
    return date(first + 1 if quarter == 4 else first, month, day)


def _financial_year(text: str) -> date | None:
    match = _FINANCIAL_YEAR.match(text)
    if match is None:
        return None
    first = int(match.group(1))
    _check_years(text, first, match.group(2))
    return date(first + 1, 3, 31)


def _check_years(text: str, first: int, second: str) -> None:
    if int(second) % 100 != (first + 1) % 100:
        raise BadDate(
            f"'{text}' is not a financial year: the second year must follow the first (e.g. 2019/20).",
            "Financial quarters: Q1 2019/20 ends 30 Jun 2019, Q2 30 Sep, Q3 31 Dec, Q4 31 Mar 2020.",
        )


def _refuse_month_first(text: str) -> None:
    match = _NUMERIC.match(text)
    if match is None:
        return
    first, second, year = (int(part) for part in match.groups())
    if second > 12 and 1 <= first <= 12:
        full = year + 2000 if year < 100 else year
        if second <= calendar.monthrange(full, first)[1]:
            meant = date(full, first, second)
            raise BadDate(
                f"'{text}' has no month {second}: it looks month-first ({meant.strftime('%-d %B %Y')}?). "
                f"Dates are read day first: write {meant.strftime('%d/%m/%Y')}.",
                "Spreadsheet dates are UK dates, day first: 31/03/2020, 31 March 2020, Q4 2019/20.",
            )
