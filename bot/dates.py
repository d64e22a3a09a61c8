"""Reading and echoing the dates people type. The only module in the project that knows dateutil.

What is accepted, tried in this order (the first form that matches decides):

1. ISO, year first: ``2026-03-31`` (also ``2026/03/31``). Never read day-first.
2. UK numeric, day first: ``31/03/2026``, ``31/3/26``, ``31.3.26``, ``31-03-2026``.
   Two-digit years are 20xx.
3. Written: ``31 Mar``, ``31 March 2026``, ``31st of March 2026``, ``March 31 2026``,
   ``Tue 31 Mar 2026``. A weekday that contradicts the date is refused.
4. Phrases: ``today``, ``tomorrow``, ``friday``/``fri``, ``next friday``, ``this friday``,
   ``in 10 days``, ``in 2 weeks``, ``in 3 months``, ``14d``, ``2w``, ``3m``, ``end of week``,
   ``end of next week``, ``end of month``, ``end of next month``, ``end of March [2026]``,
   ``next month``, ``in a fortnight`` (``in 2 fortnights``), ``mid-March [2027]``, ``the 14th``.

Decisions a user sees:

- A date without a year (``31/03``, ``31 Mar``) is the next one on or after today.
- ``friday`` and ``next friday`` both mean the first Friday strictly after today: on a
  Friday they mean a week today, never today. ``this friday`` is on or after today.
- ``end of week`` is the Friday of this working week (on a Saturday or Sunday, the
  coming Friday); ``end of month`` is the month's last day.
- ``next month`` is next month's last day (a due date "next month" is met by its end);
  ``in a month`` is the same day a month on.
- ``mid-March`` is 15 March, the next one on or after today.
- ``the 14th`` is the next 14th on or after today; ``the 31st`` skips months without one.
- ``in 1 month`` from 31 January is 28 (or 29) February: months are calendar months,
  clamped to the last day of a shorter month.
- Years outside 1900-2199 are refused as typing mistakes.

We use dateutil's ``relativedelta`` for the arithmetic but not ``dateutil.parser``: with
``dayfirst=True`` it reads ISO ``2024-11-06`` as 11 June, and its fuzzy mode finds a date in
almost any sentence. Small regular grammars are deterministic and easy to test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from dateutil.relativedelta import FR, relativedelta, weekday

from bot.errors import BadDate

MIN_YEAR = 1900
MAX_YEAR = 2199

MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTH_WORDS = {name.lower(): number for number, name in enumerate(MONTHS, start=1)}
_MONTH_WORDS.update({name[:3].lower(): number for number, name in enumerate(MONTHS, start=1)})
_MONTH_WORDS["sept"] = 9
_WEEKDAY_WORDS = {name.lower(): number for number, name in enumerate(WEEKDAYS)}
_WEEKDAY_WORDS.update({name[:3].lower(): number for number, name in enumerate(WEEKDAYS)})
_WEEKDAY_WORDS.update({"tues": 1, "weds": 2, "thur": 3, "thurs": 3})
_RD_WEEKDAYS: tuple[weekday, ...] = tuple(weekday(number) for number in range(7))

CHAT_HINT = (
    "Dates are UK dates, day first: 31/03/2026, 31 Mar 2026, 2026-03-31, tomorrow, friday, "
    "next friday, in 2 weeks, 14d, end of month."
)
SHEET_HINT = (
    "Spreadsheet dates: 31/03/2026, 31.3.26, 2026-03-31, 31 Mar 2026, 31-Mar-26, "
    "or a month (March 2026, Mar-26, 03/2026) meaning its last day."
)

_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})", re.ASCII)
_ISO_TIME = re.compile(
    r"(\d{4}-\d{1,2}-\d{1,2})(?:[t ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:z|[+-]\d{2}:?\d{2})?)?", re.ASCII
)
_NUMERIC = re.compile(r"(\d{1,2})([-/.])(\d{1,2})(?:\2(\d{2}|\d{4}))?", re.ASCII)
_NUMERIC_MONTH_YEAR = re.compile(r"(\d{1,2})[-/.](\d{4})", re.ASCII)
_TRAILING_TIME = re.compile(r"\s+\d{1,2}:\d{2}(?::\d{2})?$", re.ASCII)
_DAY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?", re.ASCII)
_YEAR = re.compile(r"\d{2}|\d{4}", re.ASCII)
_IN_SPAN = re.compile(r"in (\d{1,5}|a|an|one) (day|week|fortnight|month)s?", re.ASCII)
_SHORT_SPAN = re.compile(r"(\d{1,5}) ?([dwm])", re.ASCII)
_WEEKDAY_PHRASE = re.compile(r"(?:(next|this|on) )?([a-z]+)", re.ASCII)
_END_OF = re.compile(r"end of (?:the )?(this |next )?(week|month)", re.ASCII)
_END_OF_MONTH_NAMED = re.compile(r"end of ([a-z]+)(?: (\d{4}))?", re.ASCII)
_MID_MONTH = re.compile(r"(?:the )?(?:mid|middle of)[- ]?([a-z]+)(?: (\d{4}))?", re.ASCII)
_THE_DAY = re.compile(r"(?:on )?the (\d{1,2})(?:st|nd|rd|th)?", re.ASCII)
# Words a date may be made of: a refused date is quoted up to the first word that is not one.
_DATE_WORDS = frozenset(
    {"today", "tomorrow", "next", "this", "on", "the", "in", "of", "end", "mid", "middle", "a", "an", "one"}
    | {"day", "days", "week", "weeks", "fortnight", "fortnights", "month", "months", "year"}
)
_LEADING_WORDS = frozenset({"next", "this", "on", "the", "in", "of", "mid", "end", "a", "an"})
_DATE_WORD = re.compile(r"[0-9./-]+|\d{1,2}(?:st|nd|rd|th)|\d+[dwm]|mid-[a-z]+", re.ASCII)


class NotADate(BadDate):
    """The text does not look like a date at all (as opposed to an impossible or refused one)."""


def format_date(d: date | None) -> str:
    """The unambiguous form every accepted date is echoed in, e.g. ``Tue 31 Mar 2015``.

    An action loaded from a plan that names no date (``Ongoing``) has none: it shows as
    "needs a date" wherever a due date is shown.
    """
    if d is None:
        return "needs a date"
    return f"{WEEKDAYS[d.weekday()][:3]} {d.day} {MONTHS[d.month - 1][:3]} {d.year:04d}"


def parse_date(text: str, today: date) -> date:
    """Read a date typed in chat; raise BadDate saying what was wrong."""
    cleaned = _clean(text)
    if not cleaned:
        raise NotADate("No date was given.", CHAT_HINT)
    for reader in (_read_absolute, _read_phrase):
        found = reader(cleaned, today)
        if found is not None:
            return _in_range(found)
    raise NotADate(f"I can't read '{_shown(text)}' as a date.", CHAT_HINT)


def parse_future_date(text: str, today: date) -> date:
    """As parse_date, but refuse a date before today."""
    found = parse_date(text, today)
    if found < today:
        raise BadDate(f"{format_date(found)} is in the past.", f"Give today or a later date. {CHAT_HINT}")
    return found


def parse_sheet_date(value: str) -> date:
    """Read a spreadsheet cell's date: a year is required, and a month alone means its last day."""
    cleaned = _TRAILING_TIME.sub("", _clean(value))
    iso = _ISO_TIME.fullmatch(cleaned)
    if iso:
        cleaned = iso.group(1)  # a cell read as a date-time, e.g. "2015-03-31 00:00:00"
    try:
        found = (_read_month_year(cleaned) or _read_absolute(cleaned, None)) if cleaned else None
        if found is None:
            raise NotADate(f"I can't read '{_shown(value)}' as a date." if cleaned else "The date is empty.")
        return _in_range(found)
    except BadDate as error:
        # The same readers serve chat; a spreadsheet's reader wants the spreadsheet's forms.
        raise type(error)(error.message, SHEET_HINT) from None


def _clean(text: str) -> str:
    """Lower case, plain dashes, no commas, single spaces; a full stop after a word (``Apr.``) dropped."""
    text = _INVISIBLE.sub("", _DASHES.sub("-", text)).lower().replace(",", " ")
    text = re.sub(r"(?<=[a-z])\.", " ", text)
    return " ".join(text.split())


def _shown(text: str) -> str:
    """The user's text, trimmed and shortened, for quoting in a message."""
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


def _in_range(found: date) -> date:
    if not MIN_YEAR <= found.year <= MAX_YEAR:
        raise BadDate(f"{format_date(found)} is outside {MIN_YEAR}-{MAX_YEAR}; check the year.", CHAT_HINT)
    return found


def _read_absolute(cleaned: str, today: date | None) -> date | None:
    """ISO, UK numeric or written, with an optional leading weekday that must agree."""
    words = cleaned.split(" ")
    named_weekday = _WEEKDAY_WORDS.get(words[0])
    if named_weekday is not None and len(words) > 1:
        found = _read_date_only(" ".join(words[1:]), today)
        if found is not None and found.weekday() != named_weekday:
            raise BadDate(
                f"{_long(found)} is a {WEEKDAYS[found.weekday()]}, not a {WEEKDAYS[named_weekday]}.",
                CHAT_HINT if today else SHEET_HINT,
            )
        return found
    return _read_date_only(cleaned, today)


def _read_date_only(cleaned: str, today: date | None) -> date | None:
    for reader in (_read_iso, _read_numeric, _read_written):
        found = reader(cleaned, today)
        if found is not None:
            return found
    return None


def _read_iso(cleaned: str, today: date | None) -> date | None:
    match = _ISO.fullmatch(cleaned)
    if not match:
        return None
    return _build(int(match.group(1)), int(match.group(3)), int(match.group(4)), cleaned)


def _read_numeric(cleaned: str, today: date | None) -> date | None:
    match = _NUMERIC.fullmatch(cleaned)
    if not match:
        return None
    day, month, year = int(match.group(1)), int(match.group(3)), match.group(4)
    if year is not None:
        return _build(_full_year(year), month, day, cleaned)
    return _next_occurrence(month, day, today, cleaned)


def _read_written(cleaned: str, today: date | None) -> date | None:
    words = [word for word in re.split(r"[ /-]+", cleaned) if word and word != "of"]
    if len(words) not in (2, 3):
        return None
    parts = _day_month(words[0], words[1]) or _day_month(words[1], words[0])
    if parts is None:
        return None
    day, month = parts
    if len(words) == 3:
        if not _YEAR.fullmatch(words[2]):
            return None
        return _build(_full_year(words[2]), month, day, cleaned)
    return _next_occurrence(month, day, today, cleaned)


def _day_month(day_word: str, month_word: str) -> tuple[int, int] | None:
    month = _MONTH_WORDS.get(month_word)
    day = _DAY.fullmatch(day_word)
    if month is None or day is None:
        return None
    return int(day.group(1)), month


def _read_month_year(cleaned: str) -> date | None:
    """A month alone (spreadsheets only): ``March 2015``, ``Mar-15``, ``03/2015`` mean its last day."""
    numeric = _NUMERIC_MONTH_YEAR.fullmatch(cleaned)
    if numeric:
        month, year = int(numeric.group(1)), int(numeric.group(2))
    else:
        written = re.fullmatch(r"([a-z]+)(?:[ /-](\d{4})|-(\d{2}))", cleaned, re.ASCII)
        if not written or written.group(1) not in _MONTH_WORDS:
            return None
        month = _MONTH_WORDS[written.group(1)]
        year = int(written.group(2)) if written.group(2) else 2000 + int(written.group(3))
    if not 1 <= month <= 12:
        raise BadDate(f"'{cleaned}' has no month {month}.", SHEET_HINT)
    return _month_end(year, month)


def _read_phrase(cleaned: str, today: date) -> date | None:
    try:
        for reader in (_read_named_day, _read_span, _read_end_of, _read_mid_or_day):
            found = reader(cleaned, today)
            if found is not None:
                return found
    except (OverflowError, ValueError):  # past the last date Python can hold
        raise BadDate(f"'{cleaned}' is too far ahead.", CHAT_HINT) from None
    return None


def _read_named_day(cleaned: str, today: date) -> date | None:
    if cleaned == "today":
        return today
    if cleaned in ("tomorrow", "tmrw", "tmw"):
        return today + timedelta(days=1)
    match = _WEEKDAY_PHRASE.fullmatch(cleaned)
    if not match or match.group(2) not in _WEEKDAY_WORDS:
        return None
    target = _RD_WEEKDAYS[_WEEKDAY_WORDS[match.group(2)]]
    if match.group(1) == "this":
        return today + relativedelta(weekday=target)
    # relativedelta(weekday=FR) on a Friday is that same Friday; start from tomorrow so
    # "friday" and "next friday" always move forward.
    return today + relativedelta(days=+1, weekday=target)


def _read_span(cleaned: str, today: date) -> date | None:
    spoken = _IN_SPAN.fullmatch(cleaned)
    short = _SHORT_SPAN.fullmatch(cleaned)
    if spoken:
        count = {"a": 1, "an": 1, "one": 1}.get(spoken.group(1)) or int(spoken.group(1))
        unit = spoken.group(2)[0]
    elif short:
        count, unit = int(short.group(1)), short.group(2)
    else:
        return None
    if unit == "d":
        return today + timedelta(days=count)
    if unit == "w":
        return today + timedelta(weeks=count)
    if unit == "f":
        return today + timedelta(weeks=2 * count)
    return today + relativedelta(months=count)


def _read_mid_or_day(cleaned: str, today: date) -> date | None:
    """``mid-March`` (the 15th) and ``the 14th``: the next one on or after today."""
    mid = _MID_MONTH.fullmatch(cleaned)
    if mid and mid.group(1) in _MONTH_WORDS:
        month = _MONTH_WORDS[mid.group(1)]
        if mid.group(2):
            return _build(int(mid.group(2)), month, 15, cleaned)
        return _next_occurrence(month, 15, today, cleaned)
    the_day = _THE_DAY.fullmatch(cleaned)
    if not the_day:
        return None
    day = int(the_day.group(1))
    if not 1 <= day <= 31:
        raise BadDate(f"No month has a day {day}.", CHAT_HINT)
    for ahead in range(0, 13):
        start = today + relativedelta(months=ahead, day=1)
        if day <= (start + relativedelta(day=31)).day and start.replace(day=day) >= today:
            return start.replace(day=day)
    return None  # unreachable: some month in the next year has the day


def date_phrase(words: list[str]) -> str:
    """The leading words that look like part of a date, for quoting a refused one whole
    (``next blursday`` rather than ``next``); at least the first word."""
    count = 1
    while count < len(words) and count < 6:
        word, before = _clean(words[count]), _clean(words[count - 1])
        known = word in _DATE_WORDS or word in _MONTH_WORDS or word in _WEEKDAY_WORDS or _DATE_WORD.fullmatch(word)
        if not (known or before in _LEADING_WORDS):  # "next blursday": the word after "next" is the date's
            break
        count += 1
    return " ".join(words[:count])


def _read_end_of(cleaned: str, today: date) -> date | None:
    if cleaned == "next month":
        return today + relativedelta(months=1, day=31)
    match = _END_OF.fullmatch(cleaned)
    if match:
        later = match.group(1) == "next "
        if match.group(2) == "week":
            return today + relativedelta(weekday=FR) + timedelta(weeks=1 if later else 0)
        return today + relativedelta(months=1 if later else 0, day=31)
    named = _END_OF_MONTH_NAMED.fullmatch(cleaned)
    if not named or named.group(1) not in _MONTH_WORDS:
        return None
    month = _MONTH_WORDS[named.group(1)]
    if named.group(2):
        return _month_end(int(named.group(2)), month)
    end = _month_end(today.year, month)
    return end if end >= today else _month_end(today.year + 1, month)


def _full_year(text: str) -> int:
    return 2000 + int(text) if len(text) == 2 else int(text)


def _build(year: int, month: int, day: int, cleaned: str) -> date:
    """A date from its parts, or a BadDate naming the impossibility."""
    if not 1 <= month <= 12:
        raise BadDate(f"'{cleaned}' has no month {month}: dates are read day first.", CHAT_HINT)
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadDate(f"The year {year:04d} in '{cleaned}' is outside {MIN_YEAR}-{MAX_YEAR}.", CHAT_HINT)
    try:
        return date(year, month, day)
    except ValueError:
        raise BadDate(f"{day} {MONTHS[month - 1]} {year} does not exist.", CHAT_HINT) from None


def _next_occurrence(month: int, day: int, today: date | None, cleaned: str) -> date:
    """The first day/month on or after today; a leap day may be a few years off."""
    if today is None:
        raise BadDate(f"'{cleaned}' needs a year.", SHEET_HINT)
    if not 1 <= month <= 12:
        raise BadDate(f"'{cleaned}' has no month {month}: dates are read day first.", CHAT_HINT)
    for year in range(today.year, today.year + 9):
        try:
            candidate = date(year, month, day)
        except ValueError:
            continue
        if candidate >= today:
            return candidate
    raise BadDate(f"{day} {MONTHS[month - 1]} does not exist.", CHAT_HINT)


def _month_end(year: int, month: int) -> date:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise BadDate(f"The year {year:04d} is outside {MIN_YEAR}-{MAX_YEAR}.", SHEET_HINT)
    return date(year, month, 1) + relativedelta(day=31)


def _long(d: date) -> str:
    return f"{d.day} {MONTHS[d.month - 1]} {d.year}"


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later, clamped to the month's end (31 Jan + 1 month = 28 or 29 Feb)."""
    return day + relativedelta(months=+months)
