"""Working days in England and Wales: weekends and bank holidays are not working days."""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

# Holidays moved or added by proclamation; the regular rules below cannot know them.
MOVED = {
    2012: {"spring": date(2012, 6, 4)},
    2020: {"early_may": date(2020, 5, 8)},
    2022: {"spring": date(2022, 6, 2)},
}
EXTRA = {
    date(2011, 4, 29),  # royal wedding
    date(2012, 6, 5),  # diamond jubilee
    date(2022, 6, 3),  # platinum jubilee
    date(2022, 9, 19),  # state funeral of Queen Elizabeth II
    date(2023, 5, 8),  # coronation of King Charles III
}


def easter_sunday(year: int) -> date:
    """Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    g = (8 * b + 13) // 25
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    weekday = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 19 * weekday) // 433
    month = (h + weekday - 7 * m + 90) // 25
    day = (h + weekday - 7 * m + 33 * month + 19) % 32
    return date(year, month, day)


def _first_monday(year: int, month: int) -> date:
    first = date(year, month, 1)
    return first + timedelta(days=(7 - first.weekday()) % 7)


def _last_monday(year: int, month: int) -> date:
    last = (date(year, month + 1, 1) if month < 12 else date(year + 1, 1, 1)) - timedelta(days=1)
    return last - timedelta(days=last.weekday())


@cache
def bank_holidays(year: int) -> frozenset[date]:
    """England and Wales bank holidays of a year, substitute days included."""
    moved = MOVED.get(year, {})
    new_year = date(year, 1, 1)
    if new_year.weekday() >= 5:
        new_year += timedelta(days=7 - new_year.weekday())
    easter = easter_sunday(year)
    days = {
        new_year,
        easter - timedelta(days=2),
        easter + timedelta(days=1),
        moved.get("early_may", _first_monday(year, 5)),
        moved.get("spring", _last_monday(year, 5)),
        _last_monday(year, 8),
    }
    christmas, boxing = date(year, 12, 25), date(year, 12, 26)
    # A holiday on a weekend moves to the next weekday that is not already a holiday.
    for holiday in (christmas, boxing):
        while holiday in days or holiday.weekday() >= 5:
            holiday += timedelta(days=1)
        days.add(holiday)
    days |= {extra for extra in EXTRA if extra.year == year}
    return frozenset(days)


def is_working_day(day: date) -> bool:
    """Monday to Friday and not a bank holiday."""
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def next_working_day(day: date) -> date:
    """The first working day on or after a date."""
    while not is_working_day(day):
        day += timedelta(days=1)
    return day
