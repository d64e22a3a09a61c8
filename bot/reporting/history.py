"""An action's state at any past date, rebuilt from its Update log. Pure: no I/O, no clock.

Every change to an action leaves an Update row with ``{field: [old, new]}`` (bot/changes.py), so
the log read backwards from the action's current row gives its state before the first logged
change, and read forwards from there gives its state at the end of any day. An action whose log
starts with its creation (old values all empty) did not exist before that day; one loaded
without a log (old test data, hand-made rows) is taken to have been as its first change found it.

A change belongs to the day it was made in the board's time zone; the state "at" a date is the
state at the end of that day.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

from bot.plans import OWNER_SIDE
from storage.models import Rag, Status

# Kinds whose record_change call "touches" the action (resets the quiet-action amber rule).
# The flag itself is not stored on the Update row, so it is read back from the kind: an owner's
# update, completion or extension request touches; the chair's decisions and sign-off do not;
# an import touches when it changed a field the owner reports (bot.plans.OWNER_SIDE).
TOUCHING_KINDS = frozenset({"update", "done", "extension_requested"})

# The fields a report needs; anything else a change records (e.g. "requested_due") is ignored.
FIELDS = (
    "ref",
    "review_id",
    "text",
    "agency_id",
    "owner_id",
    "status",
    "rag",
    "due",
    "original_due",
    "progress",
    "evidence",
    "completed_on",
    "signed_off_on",
)


@dataclass(frozen=True)
class Change:
    """One Update row as plain data: when, what kind, who, and the fields it changed (old, new)."""

    at: datetime
    kind: str
    fields: Mapping[str, tuple[Any, Any]]
    note: str | None = None
    person_id: int | None = None
    source: str = ""

    def touches(self) -> bool:
        """Whether this change counts as news from the owner's side."""
        if self.kind == "import":
            return not OWNER_SIDE.isdisjoint(self.fields)
        return self.kind in TOUCHING_KINDS


@dataclass(frozen=True)
class ActionState:
    """An action as it stood at the end of one day."""

    ref: str
    review_id: int
    text: str
    agency_id: int
    owner_id: int | None
    status: Status
    rag: Rag  # the owner's own view
    due: date
    original_due: date
    progress: str | None
    progress_on: date | None  # the day the latest progress note was recorded, when the log says
    evidence: str | None
    completed_on: date | None
    signed_off_on: date | None
    last_update_at: datetime | None
    approved_extensions: int  # times the due date was moved by an approved extension so far


def plain(value: Any) -> Any:
    """A field value in the JSON-safe form the Update log stores (enums by value, dates in ISO)."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


class ActionHistory:
    """One action's log, replayed to answer "what was it like at the end of this day?"."""

    def __init__(
        self,
        current: Mapping[str, Any],
        changes: Iterable[Change],
        timezone: ZoneInfo,
        last_update_at: datetime | None = None,
    ) -> None:
        """``current`` is the action's row now (field -> value); ``changes`` its log in any order."""
        self.changes: tuple[Change, ...] = tuple(sorted(changes, key=lambda change: change.at))
        self.timezone = timezone
        self._days = tuple(change.at.astimezone(timezone).date() for change in self.changes)
        baseline = {name: plain(current.get(name)) for name in FIELDS}
        for change in reversed(self.changes):
            for name, (old, _new) in change.fields.items():
                if name in baseline:
                    baseline[name] = old
        self._baseline = baseline
        # Without any logged touch, the row's own time stamp is all there is to go on.
        self._untracked_touch = None if any(change.touches() for change in self.changes) else last_update_at

    @property
    def created_on(self) -> date | None:
        """The day the action was put on a plan, when its log records that."""
        if self._baseline.get("status") is None and self._days:
            return self._days[0]
        return None

    def day_of(self, change: Change) -> date:
        """The board's local date of a change."""
        return change.at.astimezone(self.timezone).date()

    def at(self, day: date) -> ActionState | None:
        """The state at the end of ``day``; None when the action was not yet on a plan."""
        return self.states([day])[0]

    def states(self, days: Sequence[date]) -> list[ActionState | None]:
        """The state at the end of each of ``days`` (any order), replaying the log once."""
        order = sorted(range(len(days)), key=lambda index: days[index])
        found: list[ActionState | None] = [None] * len(days)
        values = dict(self._baseline)
        progress_on: date | None = None
        last_touch = None
        approved = 0
        position = 0
        for index in order:
            day = days[index]
            while position < len(self.changes) and self._days[position] <= day:
                change = self.changes[position]
                for name, (_old, new) in change.fields.items():
                    if name in values:
                        values[name] = new
                if "progress" in change.fields:
                    progress_on = self._days[position]
                if change.touches():
                    last_touch = change.at
                if change.kind == "extension_approved" and "due" in change.fields:
                    approved += 1
                position += 1
            if last_touch is None and self._untracked_touch is not None:
                untracked = self._untracked_touch
                last_touch = untracked if untracked.astimezone(self.timezone).date() <= day else None
            found[index] = _state(values, progress_on, last_touch, approved)
        return found

    def notes(self, kind: str) -> list[Change]:
        """The changes of one kind (e.g. "impact"), oldest first."""
        return [change for change in self.changes if change.kind == kind]


def _state(
    values: Mapping[str, Any], progress_on: date | None, last_touch: datetime | None, approved: int
) -> ActionState | None:
    if values.get("status") is None or values.get("due") is None:
        return None  # not created yet
    original_due = values.get("original_due") or values["due"]
    return ActionState(
        ref=str(values.get("ref") or ""),
        review_id=int(values["review_id"]),
        text=str(values.get("text") or ""),
        agency_id=int(values["agency_id"]),
        owner_id=values.get("owner_id"),
        status=Status(values["status"]),
        rag=Rag(values.get("rag") or Rag.GREEN.value),
        due=_date(values["due"]),
        original_due=_date(original_due),
        progress=values.get("progress"),
        progress_on=progress_on,
        evidence=values.get("evidence"),
        completed_on=_optional_date(values.get("completed_on")),
        signed_off_on=_optional_date(values.get("signed_off_on")),
        last_update_at=last_touch,
        approved_extensions=approved,
    )


def _date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def _optional_date(value: Any) -> date | None:
    return None if value in (None, "") else _date(value)
