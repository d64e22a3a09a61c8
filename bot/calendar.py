"""Working days: weekends and the board's bank holidays (from the maintained ``holidays`` package) are not.

The UK has three sets of bank holidays: England and Wales share one; Scotland (2 January, St Andrew's
Day, the first Monday of August, no Easter Monday) and Northern Ireland (St Patrick's Day, 12 July)
have their own. ``BANK_HOLIDAYS`` in the settings picks one; every function here takes it as
``nation`` and defaults to England and Wales. Days moved or added by proclamation (jubilees, a
coronation, a state funeral) come with the package's releases, so nobody types them in by hand.
"""

from __future__ import annotations

from datetime import date, timedelta
from enum import StrEnum
from functools import cache


class Nation(StrEnum):
    """Whose bank holidays: the values of ``BANK_HOLIDAYS``."""

    ENGLAND_AND_WALES = "england-and-wales"
    SCOTLAND = "scotland"
    NORTHERN_IRELAND = "northern-ireland"

    @property
    def label(self) -> str:
        """England and Wales, Scotland, Northern Ireland."""
        return {"england-and-wales": "England and Wales"}.get(self.value, self.value.replace("-", " ").title())


DEFAULT = Nation.ENGLAND_AND_WALES
# The package's subdivisions of GB; Wales ("WLS") has the same bank holidays as England ("ENG").
SUBDIVISION = {Nation.ENGLAND_AND_WALES: "ENG", Nation.SCOTLAND: "SCT", Nation.NORTHERN_IRELAND: "NIR"}


@cache
def _holidays(year: int, nation: Nation) -> dict[date, str]:
    import holidays  # imported on first use: most commands never ask what day it is

    days = holidays.country_holidays("GB", subdiv=SUBDIVISION[Nation(nation)], years=year)
    return {day: str(name) for day, name in sorted(days.items())}


@cache
def bank_holidays(year: int, nation: Nation = DEFAULT) -> frozenset[date]:
    """The bank holidays of a year that are days off work: a holiday at a weekend counts as its substitute day."""
    return frozenset(day for day in _holidays(year, nation) if day.weekday() < 5)


def holiday_name(day: date, nation: Nation = DEFAULT) -> str | None:
    """The name of the bank holiday on a weekday (``Boxing Day (observed)``), or None."""
    return _holidays(day.year, nation).get(day) if day in bank_holidays(day.year, nation) else None


def is_working_day(day: date, nation: Nation = DEFAULT) -> bool:
    """Monday to Friday and not one of the nation's bank holidays."""
    return day.weekday() < 5 and day not in bank_holidays(day.year, nation)


def next_working_day(day: date, nation: Nation = DEFAULT) -> date:
    """The first working day on or after a date."""
    while not is_working_day(day, nation):
        day += timedelta(days=1)
    return day


def parse_nation(raw: str) -> Nation:
    """``BANK_HOLIDAYS``'s value as a Nation; anything else is refused with the accepted values."""
    try:
        return Nation(raw.strip().lower())
    except ValueError:
        accepted = ", ".join(nation.value for nation in Nation)
        raise ValueError(f"expected one of {accepted} (Wales uses england-and-wales)") from None
