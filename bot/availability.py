"""Whether a person is away, who covers for them, and whether an action's reminders are snoozed. Pure.

Used by the sweep (bot.jobs.recipients) to route reminders and by the services (``/action snooze`` by
the deputy covering, ``/action people``).
"""

from __future__ import annotations

from datetime import date
from typing import Protocol

from storage.models import Pace


class Available(Protocol):
    @property
    def id(self) -> int: ...
    @property
    def name(self) -> str: ...
    @property
    def left_on(self) -> date | None: ...
    @property
    def away_from(self) -> date | None: ...
    @property
    def away_to(self) -> date | None: ...
    @property
    def deputy_id(self) -> int | None: ...
    @property
    def reminders(self) -> Pace: ...


def is_away(person: Available, today: date) -> bool:
    """Away today: within the first and last day of a recorded absence."""
    return person.away_from is not None and person.away_to is not None and person.away_from <= today <= person.away_to


def covers_for(person_id: int, owner: Available, today: date) -> bool:
    """``person_id`` is the deputy of an owner who is away today."""
    return owner.deputy_id == person_id and is_away(owner, today)


def snoozed(snooze_until: date | None, today: date) -> bool:
    """No nudge before the snooze date."""
    return snooze_until is not None and today < snooze_until
