"""Pure rules: the displayed RAG and the progress bar, as table tests."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.rules import days_overdue, progress_bar, rag, reminder_reason
from storage.models import Rag, Status

TODAY = date(2026, 4, 1)
LONDON = ZoneInfo("Europe/London")


@dataclass
class Facts:
    status: Status
    rag: Rag
    due: date
    last_update_at: datetime | None


def updated(days_ago: int) -> datetime:
    return datetime.combine(TODAY - timedelta(days=days_ago), datetime.min.time(), UTC).replace(hour=12)


@pytest.mark.parametrize(
    ("status", "owner", "due_in", "last_update", "shown"),
    [
        (Status.COMPLETE, Rag.RED, -30, None, Rag.BLUE),  # done is blue, even late
        (Status.SIGNED_OFF, Rag.GREEN, 5, None, Rag.BLUE),
        (Status.IN_PROGRESS, Rag.GREEN, -1, updated(0), Rag.RED),  # overdue is red whatever the owner says
        (Status.NOT_STARTED, Rag.GREEN, 30, None, Rag.GREEN),  # far off
        (Status.IN_PROGRESS, Rag.GREEN, 14, None, Rag.AMBER),  # due within 14 days, never updated
        (Status.IN_PROGRESS, Rag.GREEN, 14, updated(20), Rag.AMBER),  # due soon, quiet for longer than 14 days
        (Status.IN_PROGRESS, Rag.GREEN, 14, updated(3), Rag.GREEN),  # due soon but recently updated
        (Status.IN_PROGRESS, Rag.GREEN, 15, None, Rag.GREEN),  # just outside the window
        (Status.IN_PROGRESS, Rag.RED, 30, updated(1), Rag.RED),  # the owner's red stands
        (Status.IN_PROGRESS, Rag.RED, 3, None, Rag.RED),  # red is worse than the quiet amber
        (Status.IN_PROGRESS, Rag.AMBER, 40, updated(1), Rag.AMBER),
        (Status.IN_PROGRESS, Rag.GREEN, 0, updated(1), Rag.GREEN),  # due today is not overdue
    ],
)
def test_displayed_rag(status: Status, owner: Rag, due_in: int, last_update: datetime | None, shown: Rag) -> None:
    action = Facts(status, owner, TODAY + timedelta(days=due_in), last_update)
    assert rag(action, TODAY, 14, LONDON) is shown


@pytest.mark.parametrize(
    ("done", "total", "bar"),
    [(0, 0, "░░░░░░░░░░ 0%"), (0, 5, "░░░░░░░░░░ 0%"), (2, 5, "▓▓▓▓░░░░░░ 40%"), (5, 5, "▓▓▓▓▓▓▓▓▓▓ 100%")],
)
def test_progress_bar(done: int, total: int, bar: str) -> None:
    assert progress_bar(done, total) == bar


@pytest.mark.parametrize(
    ("due_in", "words"),
    [(7, "due in 7 days"), (1, "due tomorrow"), (0, "due today"), (-1, "1 day overdue"), (-9, "9 days overdue")],
)
def test_reminder_reason(due_in: int, words: str) -> None:
    assert reminder_reason(TODAY + timedelta(days=due_in), TODAY) == words
    assert days_overdue(TODAY + timedelta(days=due_in), TODAY) == max(0, -due_in)
