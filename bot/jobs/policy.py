"""Message policy: which reminders go out, when, and how they are bundled. Pure: no I/O, no clock.

Decisions a person sees:

- Nothing is sent on a weekend or a bank holiday of the board's nation (BANK_HOLIDAYS); a digest
  due on such a day goes out on the next working day, once (its ledger key stays its week).
- Everything one person is sent in one sweep (nudges, impact checks, escalations) is ONE direct
  message: the kinds in a fixed order, nudges first.
- The chair's escalations come once a week, on the digest's day, one DM; nothing in between (the
  issue allows one flag for an action newly twice ESCALATE_AFTER_DAYS overdue; we send none).
- A late impact check states the real age of the sign-off ("signed off 6 months ago"), not the
  scheduled interval.
- One action's reminders and impact checks reach its owner at most once a week (DM_GAP_DAYS), decided
  from the ledger's record of what went out; only within URGENT_DAYS of its due date may it come again.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from typing import TypeVar

from bot.calendar import Nation, is_working_day, next_working_day
from bot.dates import add_months

KIND_ORDER = ("nudge", "impact", "escalation")
DM_GAP_DAYS = 7  # one action's nudges and impact checks: at most one DM in this many days...
URGENT_DAYS = 1  # ...unless its due date is this close (due tomorrow, today, the first working day after)
T = TypeVar("T")


def sends_on(day: date, nation: Nation) -> bool:
    """Whether any message (sweep or digest) may go out on ``day``."""
    return is_working_day(day, nation)


def digest_day(scheduled: date, nation: Nation) -> date:
    """The day a digest scheduled for ``scheduled`` goes out: that day, or the next working day."""
    return scheduled if is_working_day(scheduled, nation) else next_working_day(scheduled, nation)


def escalates_today(period: int, today: date, digest_weekday: int, nation: Nation) -> bool:
    """The chair hears of escalated actions once a week, with the digest (on the digest's day, moved like
    the digest). No flag is sent in between: the chair gets at most one escalation DM a week."""
    scheduled = today - timedelta(days=today.weekday()) + timedelta(days=digest_weekday)
    return period >= 0 and today == digest_day(scheduled, nation)


def action_reminder_allowed(due: date | None, today: date, last_sent: date | None, nation: Nation) -> bool:
    """Whether one action may be in today's DM, given the day its owner last had a nudge or impact check about it.

    At most one a week, so the reminders a fortnight before, a week before and each overdue week
    come on their own; close to the due date (due tomorrow, due today, and the first working day
    after it: "1 day overdue", or after a weekend or bank holiday) it may be mentioned again. A
    reminder held back goes when allowed: its window is still open, or a later one has begun
    (``bot.rules.nudge_window``).
    """
    if last_sent is None or (today - last_sent).days >= DM_GAP_DAYS:
        return True
    if due is None:
        return False
    if due >= today:
        return (due - today).days <= URGENT_DAYS
    return today <= next_working_day(due + timedelta(days=URGENT_DAYS), nation)


def one_message_each(parts: Iterable[tuple[int, str, T]]) -> dict[int, list[T]]:
    """(person id, kind, part) → each person's parts in KIND_ORDER: one direct message per person."""
    found: dict[int, list[tuple[int, T]]] = {}
    for person_id, kind, part in parts:
        found.setdefault(person_id, []).append((KIND_ORDER.index(kind), part))
    return {person: [part for _, part in sorted(items, key=lambda item: item[0])] for person, items in found.items()}


def signed_off_age(signed_off_on: date, today: date) -> str:
    """'signed off 6 months ago' (whole months actually passed), '1 month ago', '2 weeks ago'."""
    months = 0
    while add_months(signed_off_on, months + 1) <= today:
        months += 1
    if months >= 1:
        return f"signed off {months} month{'s' if months != 1 else ''} ago"
    weeks = (today - signed_off_on).days // 7
    return f"signed off {weeks} week{'s' if weeks != 1 else ''} ago" if weeks else "signed off this week"
