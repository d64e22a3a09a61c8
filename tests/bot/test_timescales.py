"""Table tests for a plan's target cell: dates, boards' timescales, and wording kept with no date."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import BadDate
from bot.plans.timescales import Target, read_target
from bot.plans.vocabulary import ref_order


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Q3 2019/20", Target(date(2019, 12, 31))),  # April-March: Q3 is October to December
        ("Q4 2019/20", Target(date(2020, 3, 31))),
        ("Q1 2020-21", Target(date(2020, 6, 30))),
        ("End of Q1 2020/21", Target(date(2020, 6, 30))),
        ("by end of Q2 2020/2021", Target(date(2020, 9, 30))),
        ("2019/20", Target(date(2020, 3, 31))),
        ("March 2020", Target(date(2020, 3, 31))),
        ("End of March 2020", Target(date(2020, 3, 31))),
        ("31st March 2020", Target(date(2020, 3, 31))),
        ("By 30/06/2020", Target(date(2020, 6, 30))),
        (date(2020, 5, 1), Target(date(2020, 5, 1))),
        ("Ongoing", Target(None, "Ongoing")),
        ("Immediate", Target(None, "Immediate")),
        ("Within 6 months", Target(None, "Within 6 months")),
        ("Quarterly", Target(None, "Quarterly")),
        ("Summer term 2020", Target(None, "Summer term 2020")),
        ("", Target(None)),
    ],
)
def test_targets(cell: str | date, expected: Target) -> None:
    assert read_target(cell) == expected


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("03/13/2020", "it looks month-first (13 March 2020?)"),
        ("31/02/2020", "does not exist"),
        ("Q3 2019/21", "not a financial year"),
    ],
)
def test_a_date_that_cannot_be_read_says_why(cell: str, message: str) -> None:
    with pytest.raises(BadDate, match=message.replace("(", r"\(").replace(")", r"\)").replace("?", r"\?")):
        read_target(cell)


def test_refs_sort_in_the_plans_order() -> None:
    refs = ["CR-1.10", "CR-CSC1", "CR-1.2", "CC-10", "CC-2", "CR-2"]
    assert sorted(refs, key=ref_order) == ["CC-2", "CC-10", "CR-1.2", "CR-1.10", "CR-2", "CR-CSC1"]
