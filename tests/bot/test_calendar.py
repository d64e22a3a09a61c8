"""Working days in each UK nation: the special days checked by date, and every day of 2026-2028 against
the ``holidays`` package, so the bot's calendar is the package's, not a table typed in by hand."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import holidays
import pytest

from bot.calendar import Nation, bank_holidays, holiday_name, is_working_day, next_working_day
from bot.config import Settings
from bot.scheduler import make_scheduler

EW, SCOTLAND, NI = Nation.ENGLAND_AND_WALES, Nation.SCOTLAND, Nation.NORTHERN_IRELAND

# (day, nation, a working day?): the days where the nations differ, and the substitute days.
SPECIAL_DAYS = [
    (date(2026, 1, 2), SCOTLAND, False),  # 2 January, a Friday
    (date(2026, 1, 2), EW, True),
    (date(2026, 1, 2), NI, True),
    (date(2027, 1, 4), SCOTLAND, False),  # 2 January 2027 is a Saturday: Monday 4th instead
    (date(2027, 1, 4), EW, True),
    (date(2028, 1, 3), EW, False),  # New Year's Day 2028 is a Saturday: Monday 3rd
    (date(2028, 1, 3), SCOTLAND, False),
    (date(2028, 1, 4), SCOTLAND, False),  # ... and 2 January (Sunday) on Tuesday 4th
    (date(2028, 1, 4), EW, True),
    (date(2026, 3, 17), NI, False),  # St Patrick's Day
    (date(2026, 3, 17), EW, True),
    (date(2027, 3, 17), NI, False),
    (date(2028, 3, 17), NI, False),
    (date(2028, 3, 17), SCOTLAND, True),
    (date(2026, 4, 3), SCOTLAND, False),  # Good Friday, everywhere
    (date(2026, 4, 6), EW, False),  # Easter Monday
    (date(2026, 4, 6), NI, False),
    (date(2026, 4, 6), SCOTLAND, True),  # not a bank holiday in Scotland
    (date(2027, 3, 29), SCOTLAND, True),
    (date(2028, 4, 17), SCOTLAND, True),
    (date(2028, 4, 17), EW, False),
    (date(2026, 7, 13), NI, False),  # Battle of the Boyne: 12 July 2026 is a Sunday
    (date(2026, 7, 13), EW, True),
    (date(2027, 7, 12), NI, False),
    (date(2028, 7, 12), NI, False),
    (date(2028, 7, 12), SCOTLAND, True),
    (date(2026, 8, 3), SCOTLAND, False),  # Scotland's summer holiday: first Monday of August
    (date(2026, 8, 3), EW, True),
    (date(2026, 8, 31), EW, False),  # everyone else's: last Monday of August
    (date(2026, 8, 31), NI, False),
    (date(2026, 8, 31), SCOTLAND, True),
    (date(2026, 11, 30), SCOTLAND, False),  # St Andrew's Day
    (date(2026, 11, 30), EW, True),
    (date(2027, 11, 30), SCOTLAND, False),
    (date(2028, 11, 30), SCOTLAND, False),
    (date(2026, 12, 28), EW, False),  # Boxing Day 2026 is a Saturday: substitute Monday
    (date(2026, 12, 28), SCOTLAND, False),
    (date(2026, 12, 28), NI, False),
    (date(2027, 12, 27), EW, False),  # Christmas 2027 on a Saturday, Boxing Day on the Sunday
    (date(2027, 12, 28), NI, False),
    (date(2026, 12, 24), EW, True),
    (date(2026, 12, 29), SCOTLAND, True),
]


@pytest.mark.parametrize(("day", "nation", "working"), SPECIAL_DAYS)
def test_the_nations_special_days(day: date, nation: Nation, working: bool) -> None:
    assert is_working_day(day, nation) is working


@pytest.mark.parametrize("year", [2026, 2027, 2028])
@pytest.mark.parametrize(("nation", "subdivisions"), [(EW, ("ENG", "WLS")), (SCOTLAND, ("SCT",)), (NI, ("NIR",))])
def test_every_day_matches_the_package(year: int, nation: Nation, subdivisions: tuple[str, ...]) -> None:
    """Wales has England's bank holidays: both of the package's subdivisions give the same working days."""
    for subdivision in subdivisions:
        package = holidays.country_holidays("GB", subdiv=subdivision, years=year)
        day = date(year, 1, 1)
        while day.year == year:
            assert is_working_day(day, nation) is (day.weekday() < 5 and day not in package), (day, subdivision)
            day += timedelta(days=1)


def test_the_default_is_england_and_wales() -> None:
    assert is_working_day(date(2026, 11, 30)) and not is_working_day(date(2026, 4, 6))
    assert bank_holidays(2026) == bank_holidays(2026, EW)


def test_a_weekend_holiday_is_counted_once_as_its_substitute() -> None:
    assert [len(bank_holidays(year, EW)) for year in (2026, 2027, 2028)] == [8, 8, 8]
    assert holiday_name(date(2026, 12, 28), EW) == "Boxing Day (observed)"
    assert holiday_name(date(2026, 12, 26), EW) is None  # a Saturday: not a day off work


def test_next_working_day_skips_the_nations_holidays() -> None:
    assert next_working_day(date(2026, 12, 25), EW) == date(2026, 12, 29)
    assert next_working_day(date(2027, 1, 1), SCOTLAND) == date(2027, 1, 5)  # 2 January (a Saturday) on Mon 4th
    assert next_working_day(date(2026, 7, 13), NI) == date(2026, 7, 14)
    assert next_working_day(date(2026, 7, 13), EW) == date(2026, 7, 13)


class _RetryRecorder:
    """Just what the retry job reads: the local time, and a retry() to count."""

    def __init__(self, now: datetime) -> None:
        self.now, self.retries = now, 0

    def local_now(self) -> datetime:
        return self.now

    def retry(self) -> None:
        self.retries += 1

    def run_due(self) -> None:  # the sweep and digest jobs' target; not run here
        raise AssertionError("not expected")


@pytest.mark.parametrize(("nation", "retries"), [(SCOTLAND, 0), (EW, 1)])
def test_the_scheduler_uses_the_configured_nation(nation: Nation, retries: int) -> None:
    """St Andrew's Day: the retry pass runs in England and Wales, not in Scotland."""
    settings = Settings.from_env({"BANK_HOLIDAYS": nation.value})
    jobs = _RetryRecorder(datetime(2026, 11, 30, 10, 0, tzinfo=settings.timezone))
    scheduler = make_scheduler(jobs, settings, background=True)  # type: ignore[arg-type]
    scheduler.get_job("retry").func()
    assert jobs.retries == retries
