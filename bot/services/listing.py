"""Listings: pages of actions and the chair's outstanding groups. Pure: views in, pages out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import TypeVar

from bot.rules import RAG_ORDER
from bot.views import ActionView, OutstandingGroup
from storage.models import Rag

T = TypeVar("T")

PAGE_SIZE = 10  # actions per page: keeps a Slack reply well inside 50 blocks


@dataclass(frozen=True)
class Page:
    """Which page is shown (asked-for pages past the end show the last), of how many."""

    number: int
    pages: int

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def page_of(items: Sequence[T], asked: int, size: int = PAGE_SIZE) -> tuple[list[T], Page]:
    """The items on page ``asked`` (clamped to 1..last; an empty listing has one empty page)."""
    pages = max(1, -(-len(items) // size))
    number = min(max(1, asked), pages)
    return list(items[(number - 1) * size : number * size]), Page(number, pages)


def urgency(view: ActionView) -> tuple[int, int, object, str]:
    """Overdue first (most overdue first), then red and amber, then the rest; soonest due within each."""
    if view.days_overdue:
        return (0, -view.days_overdue, view.due or date.max, view.ref)
    if view.rag is Rag.AMBER or view.rag is Rag.RED:
        return (1, -RAG_ORDER.get(view.rag, 0), view.due or date.max, view.ref)
    return (2, 0, view.due or date.max, view.ref)


def outstanding_groups(views: Sequence[ActionView]) -> list[OutstandingGroup]:
    """Open actions by review and agency, the group with most overdue first; most urgent first within."""
    grouped: dict[tuple[str, str], list[ActionView]] = {}
    titles: dict[str, str] = {}
    for view in sorted(views, key=urgency):
        grouped.setdefault((view.review_code, view.agency), []).append(view)
        titles[view.review_code] = view.review_title
    return [
        OutstandingGroup(
            review_code=code,
            review_title=titles[code],
            agency=agency,
            actions=tuple(members),
            overdue=sum(1 for member in members if member.days_overdue),
            amber=sum(1 for member in members if member.rag is Rag.AMBER),
        )
        for (code, agency), members in sorted(
            grouped.items(), key=lambda item: (-sum(1 for v in item[1] if v.days_overdue), item[0])
        )
    ]


def paginate_groups(groups: Sequence[OutstandingGroup], size: int = PAGE_SIZE) -> list[list[OutstandingGroup]]:
    """Split groups into pages of about ``size`` actions; a large group is split, never cut."""
    pages: list[list[OutstandingGroup]] = [[]]
    room = size
    for group in groups:
        remaining = list(group.actions)
        while remaining:
            if room == 0:
                pages.append([])
                room = size
            part, remaining = remaining[:room], remaining[room:]
            pages[-1].append(
                OutstandingGroup(
                    group.review_code, group.review_title, group.agency, tuple(part), group.overdue, group.amber
                )
            )
            room -= len(part)
    return pages
