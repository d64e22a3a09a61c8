"""Dates as people type them in chat and as spreadsheets hold them."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.dates import NotADate, format_date, parse_date, parse_future_date, parse_sheet_date
from bot.errors import BadDate

WEDNESDAY = date(2026, 4, 1)
FRIDAY = date(2026, 4, 3)
SATURDAY = date(2026, 4, 4)
SUPPORTED = st.dates(min_value=date(1900, 1, 1), max_value=date(2199, 12, 31))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # ISO is year first, never day first (dateutil's dayfirst=True reads this as 11 June).
        ("2024-11-06", date(2024, 11, 6)),
        ("2025-04-03", date(2025, 4, 3)),
        ("2025/04/03", date(2025, 4, 3)),
        # UK numeric, day first; two-digit years are 20xx
        ("03/04/2025", date(2025, 4, 3)),
        ("3/4/25", date(2025, 4, 3)),
        ("3.4.25", date(2025, 4, 3)),
        ("03-04-2025", date(2025, 4, 3)),
        ("31/03/2015", date(2015, 3, 31)),
        ("06/11/2024", date(2024, 11, 6)),
        # written
        ("3 Apr 2025", date(2025, 4, 3)),
        ("3 April 2025", date(2025, 4, 3)),
        ("3rd April 2025", date(2025, 4, 3)),
        ("3rd of April 2025", date(2025, 4, 3)),
        ("April 3 2025", date(2025, 4, 3)),
        ("April 3rd, 2025", date(2025, 4, 3)),
        ("Thu 3 Apr 2025", date(2025, 4, 3)),
        ("Thursday, 3 April 2025", date(2025, 4, 3)),
        ("3-Apr-2025", date(2025, 4, 3)),
        ("22nd Sept 2026", date(2026, 9, 22)),
        ("1 Jan 27", date(2027, 1, 1)),
        ("Tue 31 Mar 2015", date(2015, 3, 31)),
        # case, stray spaces, a full stop after an abbreviation, a phone's non-breaking space
        ("  3   APR   2025 ", date(2025, 4, 3)),
        ("3 Apr. 2025", date(2025, 4, 3)),
        ("3\u00a0April\u00a02025", date(2025, 4, 3)),
    ],
)
def test_absolute_dates(text: str, expected: date) -> None:
    assert parse_date(text, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # no year: the next one on or after today
        ("03/04", WEDNESDAY, date(2026, 4, 3)),
        ("1/4", WEDNESDAY, date(2026, 4, 1)),
        ("31/03", WEDNESDAY, date(2027, 3, 31)),
        ("3 Apr", WEDNESDAY, date(2026, 4, 3)),
        ("april 3", WEDNESDAY, date(2026, 4, 3)),
        ("1 Apr", WEDNESDAY, WEDNESDAY),
        ("31 Mar", WEDNESDAY, date(2027, 3, 31)),
        ("Fri 3 Apr", WEDNESDAY, date(2026, 4, 3)),
        ("29/02", WEDNESDAY, date(2028, 2, 29)),
    ],
)
def test_dates_without_a_year_are_the_next_occurrence(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("today", WEDNESDAY, WEDNESDAY),
        ("Today", FRIDAY, FRIDAY),
        ("tomorrow", WEDNESDAY, date(2026, 4, 2)),
        ("tomorrow", date(2026, 12, 31), date(2027, 1, 1)),
        # a weekday is the first one strictly after today...
        ("friday", WEDNESDAY, date(2026, 4, 3)),
        ("fri", WEDNESDAY, date(2026, 4, 3)),
        ("next friday", WEDNESDAY, date(2026, 4, 3)),
        ("on friday", WEDNESDAY, date(2026, 4, 3)),
        ("wednesday", WEDNESDAY, date(2026, 4, 8)),
        ("monday", WEDNESDAY, date(2026, 4, 6)),
        # ...so on a Friday it is a week today: relativedelta(weekday=FR) alone would give today
        ("friday", FRIDAY, date(2026, 4, 10)),
        ("next friday", FRIDAY, date(2026, 4, 10)),
        ("Next Fri", FRIDAY, date(2026, 4, 10)),
        # "this" includes today
        ("this friday", FRIDAY, FRIDAY),
        ("this friday", WEDNESDAY, date(2026, 4, 3)),
        # spans: a fuzzy dateutil would read "in 2 weeks" as the 2nd of this month
        ("in 10 days", WEDNESDAY, date(2026, 4, 11)),
        ("in 2 weeks", WEDNESDAY, date(2026, 4, 15)),
        ("in a week", WEDNESDAY, date(2026, 4, 8)),
        ("in 1 day", WEDNESDAY, date(2026, 4, 2)),
        ("in 3 months", WEDNESDAY, date(2026, 7, 1)),
        ("in 1 month", date(2026, 1, 31), date(2026, 2, 28)),
        ("14d", WEDNESDAY, date(2026, 4, 15)),
        ("2w", WEDNESDAY, date(2026, 4, 15)),
        ("3m", WEDNESDAY, date(2026, 7, 1)),
        ("0d", WEDNESDAY, WEDNESDAY),
        # ends of weeks and months
        ("end of month", WEDNESDAY, date(2026, 4, 30)),
        ("end of the month", date(2026, 4, 30), date(2026, 4, 30)),
        ("end of month", date(2028, 2, 3), date(2028, 2, 29)),
        ("end of next month", WEDNESDAY, date(2026, 5, 31)),
        ("end of next month", date(2026, 1, 31), date(2026, 2, 28)),
        ("end of week", WEDNESDAY, date(2026, 4, 3)),
        ("end of week", FRIDAY, FRIDAY),
        ("end of week", SATURDAY, date(2026, 4, 10)),
        ("end of next week", WEDNESDAY, date(2026, 4, 10)),
        ("end of march", WEDNESDAY, date(2027, 3, 31)),
        ("end of April", WEDNESDAY, date(2026, 4, 30)),
        ("end of June 2026", WEDNESDAY, date(2026, 6, 30)),
    ],
)
def test_phrases(text: str, today: date, expected: date) -> None:
    assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("31/02/2025", "31 February 2025 does not exist"),
        ("31 Feb 2025", "31 February 2025 does not exist"),
        ("29/02/2025", "29 February 2025 does not exist"),
        ("32/01/2026", "32 January 2026 does not exist"),
        ("31 April", "31 April does not exist"),
        ("0/4/2026", "0 April 2026 does not exist"),
        ("03/13/2026", "has no month 13: dates are read day first"),
        ("Fri 3 Apr 2025", "3 April 2025 is a Thursday, not a Friday"),
        ("01/01/0215", "outside 1900-2199"),
        ("in 99999 months", "too far ahead"),
        ("in 99999 weeks", "outside 1900-2199"),
    ],
)
def test_impossible_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(BadDate) as raised:
        parse_date(text, WEDNESDAY)
    assert message in raised.value.message
    assert not isinstance(raised.value, NotADate)
    assert raised.value.hint and "31/03/2026" in raised.value.hint


@pytest.mark.parametrize(
    "text",
    ["", "   ", "soon", "next week", "friday week", "3", "April", "2025", "3 April 2025 2026",
     "1/1/202", "monday 3", "in two weeks", "in two fortnights", "end of", "31/03/2026 is fine"],
)  # fmt: skip
def test_unreadable_text_is_not_a_date(text: str) -> None:
    with pytest.raises(NotADate) as raised:
        parse_date(text, WEDNESDAY)
    assert raised.value.hint and "in 2 weeks" in raised.value.hint


def test_unreadable_text_is_quoted_back() -> None:
    with pytest.raises(BadDate, match="I can't read 'Soon-ish' as a date"):
        parse_date("Soon-ish", WEDNESDAY)


def test_future_dates_allow_today_and_later() -> None:
    assert parse_future_date("today", WEDNESDAY) == WEDNESDAY
    assert parse_future_date("next friday", WEDNESDAY) == FRIDAY


@pytest.mark.parametrize("text", ["31/03/2026", "2026-03-31", "31 Mar 2026", "31/03/26"])
def test_future_dates_refuse_the_past(text: str) -> None:
    with pytest.raises(BadDate, match=r"Tue 31 Mar 2026 is in the past"):
        parse_future_date(text, WEDNESDAY)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("31/03/2015", date(2015, 3, 31)),
        ("31.3.15", date(2015, 3, 31)),
        ("31-03-2015", date(2015, 3, 31)),
        ("2015-03-31", date(2015, 3, 31)),
        ("2015-03-31 00:00:00", date(2015, 3, 31)),
        ("2015-03-31T00:00:00", date(2015, 3, 31)),
        ("31/03/2015 00:00", date(2015, 3, 31)),
        ("31 March 2015", date(2015, 3, 31)),
        ("31st Mar 2015", date(2015, 3, 31)),
        ("Tue 31 Mar 2015", date(2015, 3, 31)),
        ("31-Mar-15", date(2015, 3, 31)),
        ("06/11/2024", date(2024, 11, 6)),
        # a month alone is its last day
        ("March 2015", date(2015, 3, 31)),
        ("Mar 2015", date(2015, 3, 31)),
        ("Mar-15", date(2015, 3, 31)),
        ("Feb-16", date(2016, 2, 29)),
        ("03/2015", date(2015, 3, 31)),
        ("3/2015", date(2015, 3, 31)),
        ("  september 2015 ", date(2015, 9, 30)),
    ],
)
def test_sheet_dates(value: str, expected: date) -> None:
    assert parse_sheet_date(value) == expected


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("", "empty"),
        ("TBC", "I can't read 'TBC'"),
        ("ongoing", "I can't read"),
        ("31/03", "needs a year"),
        ("31 March", "needs a year"),
        ("tomorrow", "I can't read"),
        ("31/02/2015", "31 February 2015 does not exist"),
        ("13/2015", "no month 13"),
    ],
)
def test_bad_sheet_dates(value: str, message: str) -> None:
    with pytest.raises(BadDate) as raised:
        parse_sheet_date(value)
    assert message in raised.value.message
    assert raised.value.hint and "Spreadsheet dates" in raised.value.hint


@pytest.mark.parametrize(
    ("day", "shown"),
    [
        (date(2015, 3, 31), "Tue 31 Mar 2015"),
        (date(2026, 4, 3), "Fri 3 Apr 2026"),
        (date(2024, 11, 6), "Wed 6 Nov 2024"),
    ],
)
def test_format_date(day: date, shown: str) -> None:
    assert format_date(day) == shown


@given(day=SUPPORTED)
def test_every_date_round_trips(day: date) -> None:
    assert parse_date(format_date(day), WEDNESDAY) == day
    assert parse_date(day.isoformat(), WEDNESDAY) == day
    assert parse_date(day.strftime("%d/%m/%Y"), WEDNESDAY) == day
    assert parse_sheet_date(format_date(day)) == day
    assert parse_sheet_date(day.strftime("%d/%m/%Y")) == day


@given(text=st.text(max_size=40), today=SUPPORTED)
def test_any_text_is_a_date_or_bad_date(text: str, today: date) -> None:
    try:
        found = parse_date(text, today)
    except BadDate as error:
        assert error.message and error.hint
    else:
        assert isinstance(found, date)


@given(
    text=st.text(alphabet=st.sampled_from(list("0123456789/.- adefhiklmnorstuwxy")), max_size=25),
    today=SUPPORTED,
)
def test_date_like_text_is_a_date_or_bad_date(text: str, today: date) -> None:
    with contextlib.suppress(BadDate):
        assert isinstance(parse_date(text, today), date)
    with contextlib.suppress(BadDate):
        assert isinstance(parse_sheet_date(text), date)


@given(offset=st.integers(min_value=0, max_value=3650), today=SUPPORTED)
def test_spans_count_days_from_today(offset: int, today: date) -> None:
    if (today + timedelta(days=offset)).year <= 2199:
        assert parse_date(f"in {offset} days", today) == today + timedelta(days=offset)
        assert parse_date(f"{offset}d", today) == today + timedelta(days=offset)
