"""The clock is passed in, never read inside a rule, so tests can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, time-zone aware."""
        ...


class SystemClock:
    """The real clock."""

    def now(self) -> datetime:
        return datetime.now(UTC)


class FrozenClock:
    """A clock that stands still until moved: for tests and the console's ``/tick``."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FrozenClock needs a time-zone aware instant")
        self._at = at

    def now(self) -> datetime:
        return self._at

    def set(self, at: datetime) -> None:
        """Move the clock to an instant."""
        self._at = at

    def advance(self, delta: timedelta) -> None:
        """Move the clock forward by a time span."""
        self._at += delta


def local_today(clock: Clock, timezone: ZoneInfo) -> date:
    """Today's date where the board is."""
    return clock.now().astimezone(timezone).date()
