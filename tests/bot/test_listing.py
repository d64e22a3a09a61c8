"""Paging and the chair's outstanding groups: pure table tests."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from bot.services.listing import Page, outstanding_groups, page_of, paginate_groups, urgency
from bot.views import ActionView, OutstandingGroup
from storage.models import Rag, Status

DUE = date(2026, 4, 30)
BASE = ActionView(
    ref="CC-1", text="Audit", review_code="CC", review_title="SCR Child C", agency="Police", owner="Pat",
    owner_email="pat@police.example.org", due=DUE, original_due=DUE, status=Status.IN_PROGRESS, rag=Rag.GREEN,
    owner_rag=Rag.GREEN, days_overdue=0, progress=None, evidence=None,
)  # fmt: skip


def action(ref: str, *, agency: str = "Police", rag: Rag = Rag.GREEN, overdue: int = 0, day: int = 30) -> ActionView:
    code = ref.split("-")[0]
    return replace(BASE, ref=ref, review_code=code, review_title=f"Review {code}", agency=agency, rag=rag,
                   days_overdue=overdue, due=date(2026, 4, day))  # fmt: skip


@pytest.mark.parametrize(
    ("count", "asked", "shown", "page"),
    [
        (0, 1, [], Page(1, 1)),  # an empty listing has one empty page
        (3, 1, [0, 1, 2], Page(1, 1)),
        (10, 1, list(range(10)), Page(1, 1)),
        (11, 1, list(range(10)), Page(1, 2)),
        (11, 2, [10], Page(2, 2)),
        (11, 9, [10], Page(2, 2)),  # past the end: the last page
        (11, 0, list(range(10)), Page(1, 2)),
        (25, 3, list(range(20, 25)), Page(3, 3)),
    ],
)
def test_page_of(count: int, asked: int, shown: list[int], page: Page) -> None:
    assert page_of(list(range(count)), asked) == (shown, page)
    assert page.has_next == (page.number < page.pages)


def test_urgency_puts_the_most_overdue_first_then_red_and_amber_then_soonest_due() -> None:
    views = [
        action("CC-1", day=10),
        action("CC-2", rag=Rag.AMBER, day=20),
        action("CC-3", overdue=2),
        action("CC-4", rag=Rag.RED, day=25),
        action("CC-5", overdue=9),
        action("CC-6", day=5),
    ]
    assert [v.ref for v in sorted(views, key=urgency)] == ["CC-5", "CC-3", "CC-4", "CC-2", "CC-6", "CC-1"]


def test_groups_by_review_and_agency_with_most_overdue_first() -> None:
    views = [
        action("AA-1", agency="Health"),
        action("BB-1", agency="Police", overdue=1),
        action("BB-2", agency="Police", rag=Rag.AMBER),
        action("AA-2", agency="Police", overdue=3),
        action("BB-3", agency="Police", overdue=5),
    ]
    groups = outstanding_groups(views)
    assert [(g.review_code, g.agency, [v.ref for v in g.actions], g.overdue, g.amber) for g in groups] == [
        ("BB", "Police", ["BB-3", "BB-1", "BB-2"], 2, 1),
        ("AA", "Police", ["AA-2"], 1, 0),
        ("AA", "Health", ["AA-1"], 0, 0),
    ]


def group(code: str, size: int) -> OutstandingGroup:
    return OutstandingGroup(code, f"Review {code}", "Police", tuple(action(f"{code}-{n}") for n in range(size)), 0, 0)


@pytest.mark.parametrize(
    ("sizes", "pages"),
    [
        ([], [[]]),
        ([3, 4], [[("A", 3), ("B", 4)]]),
        ([10, 1], [[("A", 10)], [("B", 1)]]),
        ([7, 7], [[("A", 7), ("B", 3)], [("B", 4)]]),  # a large group is split across pages, never cut
        ([23], [[("A", 10)], [("A", 10)], [("A", 3)]]),
    ],
)
def test_paginate_groups(sizes: list[int], pages: list[list[tuple[str, int]]]) -> None:
    groups = [group("AB"[index], size) for index, size in enumerate(sizes)]
    paged = paginate_groups(groups, size=10)
    assert [[(g.review_code, len(g.actions)) for g in page] for page in paged] == pages
    assert [v.ref for page in paged for g in page for v in g.actions] == [v.ref for g in groups for v in g.actions]
