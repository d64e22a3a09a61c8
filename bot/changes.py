"""Every change to an action goes through here, so every change leaves an Update row."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy.orm import Session

from storage.models import Action, Person, Update


def _plain(value: Any) -> Any:
    """A JSON-safe form of a field value, for the Update's old/new record."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def record_change(
    session: Session,
    action: Action,
    *,
    person: Person | None,
    source: str,
    kind: str,
    at: datetime,
    note: str | None = None,
    touch: bool = True,
    extra: dict[str, list[Any]] | None = None,
    **fields: Any,
) -> Update | None:
    """Apply field changes to an action and record them; None when nothing changed and there is no note.

    ``extra`` records old/new values of things kept outside the action (a requested due date).
    ``touch`` marks the action as updated by its owner's side (it resets the quiet-action amber rule).
    """
    changes: dict[str, list[Any]] = {}
    for name, new in fields.items():
        old = getattr(action, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            setattr(action, name, new)
    for name, (old, new) in (extra or {}).items():
        changes[name] = [_plain(old), _plain(new)]
    if not changes and note is None:
        return None
    if action.id is None:
        session.flush()
    action.version += 1
    if touch:
        action.last_update_at = at
    update = Update(
        action_id=action.id,
        version=action.version,
        person_id=person.id if person else None,
        at=at,
        source=source,
        kind=kind,
        note=note,
        changes=changes,
    )
    session.add(update)
    return update
