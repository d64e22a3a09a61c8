"""Every change to an action goes through here, so every change leaves an Update row."""

from __future__ import annotations

import functools
from datetime import date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import Table, bindparam, insert, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from storage.models import Action, Person, Update

ACTIONS: Table = Action.__table__  # type: ignore[assignment]
HISTORY: Table = Update.__table__  # type: ignore[assignment]


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
    at_once: bool = False,
    **fields: Any,
) -> bool:
    """Apply field changes to an action and record them; False when nothing changed and there is no note.

    ``extra`` records old/new values of things kept outside the action (a requested due date).
    ``touch`` marks the action as updated by its owner's side (it resets the quiet-action amber rule).
    ``at_once``: a stored action's change is written now, as one UPDATE and one INSERT, and the object
    holds the new values as stored (a chat command's one change: no unit-of-work flush at commit).
    Otherwise the ORM writes it with the session's other changes (an import: many actions, batched).
    """
    changed: dict[str, Any] = {}
    changes: dict[str, list[Any]] = {}
    for name, new in fields.items():
        old = getattr(action, name)
        if old != new:
            changes[name] = [_plain(old), _plain(new)]
            changed[name] = new
    for name, (old, new) in (extra or {}).items():
        changes[name] = [_plain(old), _plain(new)]
    if not changes and note is None:
        return False
    entry = {"person_id": person.id if person else None, "at": at, "source": source, "kind": kind, "note": note,
             "changes": changes}  # fmt: skip
    if at_once and action.id is not None:
        changed["version"] = entry["version"] = action.version + 1
        if touch:
            changed["last_update_at"] = at
        _write_at_once(session, action, changed, entry)
        return True
    for name, new in changed.items():
        setattr(action, name, new)
    if action.id is None:
        session.flush()  # a new action: stored first, for its id and version
    action.version += 1
    if touch:
        action.last_update_at = at
    session.add(Update(action_id=action.id, version=action.version, **entry))
    return True


def _write_at_once(session: Session, action: Action, changed: dict[str, Any], entry: dict[str, Any]) -> None:
    """The action's changed columns and its history entry, as two Core statements in the session's transaction;
    the object then holds the new values as committed (nothing left for the ORM to flush about it)."""
    columns = {Action.__mapper__.get_property(name).columns[0].name: new for name, new in changed.items()}
    connection = session.connection()
    connection.execute(_action_update(tuple(columns)), {"action_id": action.id, **columns})
    connection.execute(_history_insert(), {"action_id": action.id, **entry})
    for name, new in changed.items():
        set_committed_value(action, name, new)


@functools.lru_cache(maxsize=64)
def _action_update(columns: tuple[str, ...]) -> Any:
    """UPDATE action SET <columns> WHERE id = :action_id, built once per set of columns a change writes."""
    return (
        update(ACTIONS)
        .where(ACTIONS.c.id == bindparam("action_id"))
        .values({name: bindparam(name) for name in columns})
    )


@functools.cache
def _history_insert() -> Any:
    """The history entry's INSERT, built once."""
    return insert(HISTORY)
