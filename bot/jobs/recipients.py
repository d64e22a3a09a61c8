"""Who a reminder goes to today: absences, deputies, leavers, snoozes and the weekly setting. Pure.

Decisions a person sees:

- Someone who has left (``/action leaver``) is sent nothing.
- While someone is away (``/action away``), their nudges, impact checks and escalations go to their
  deputy; the owner stays owner. With no deputy (or a deputy who is away or has left) nothing is sent
  that day and nothing is lost: the ledger has no row yet, so the sweep sends it when they are back.
- A snoozed action (``/action snooze``) is not nudged before its snooze date; the chair's escalations
  about it are not held back.
- Someone who chose weekly reminders (``/action settings weekly``) is nudged on Monday only (the next
  working day when Monday is a bank holiday), with everything due in one message; escalations to the
  chair keep their own weekly day (the digest's).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from bot.availability import Available, is_away, snoozed
from bot.calendar import Nation
from bot.jobs.policy import digest_day
from storage.models import Pace


def weekly_day(today: date, nation: Nation) -> bool:
    """The day weekly reminders go out: the week's Monday, or the next working day after it."""
    return today == digest_day(today - timedelta(days=today.weekday()), nation)


class Routes:
    """Everyone's availability today, to route each reminder to whoever should receive it."""

    def __init__(self, people: Iterable[Available], today: date, nation: Nation) -> None:
        self.people = {person.id: person for person in people}
        self.today, self.nation = today, nation
        self._to: dict[tuple[int | None, bool], int | None] = {}  # worked out once per person today

    def reminder_to(self, person_id: int | None, *, weekly: bool = True) -> int | None:
        """Who receives today what is meant for ``person_id``: them, their deputy while they are away, or
        nobody today (None). ``weekly``: the receiver's weekly setting applies (not to escalations)."""
        if (person_id, weekly) not in self._to:
            self._to[person_id, weekly] = self._route(person_id, weekly)
        return self._to[person_id, weekly]

    def _route(self, person_id: int | None, weekly: bool) -> int | None:
        person = self.people.get(person_id) if person_id is not None else None
        if person is None or person.left_on is not None:
            return None
        if is_away(person, self.today):
            deputy = self.people.get(person.deputy_id) if person.deputy_id is not None else None
            if deputy is None or deputy.left_on is not None or is_away(deputy, self.today):
                return None
            person = deputy
        if weekly and person.reminders is Pace.WEEKLY and not weekly_day(self.today, self.nation):
            return None
        return person.id

    def nudge_to(self, owner_id: int | None, snooze_until: date | None) -> int | None:
        """Who is nudged today about an action: nobody while it is snoozed."""
        return None if snoozed(snooze_until, self.today) else self.reminder_to(owner_id)
