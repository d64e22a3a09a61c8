"""An action's history as people read it: the ids its changes keep (``owner_id 5 → 7``) become names.

Update rows store ``{field: [old, new]}`` with ids for people, agencies and recommendations; a reader
sees ``owner Jo Bloggs → Pat Lead``. The names are looked up in one query per kind for the entries shown.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.services.presentation import history_entry
from bot.views import HistoryEntry
from storage.models import Agency, Person, Recommendation, Update

_KINDS: dict[str, tuple[type, str]] = {
    "owner_id": (Person, "name"),
    "completed_by_id": (Person, "name"),
    "signed_off_by_id": (Person, "name"),
    "agency_id": (Agency, "name"),
    "recommendation_id": (Recommendation, "number"),
}
UNKNOWN = "(no longer on record)"


def entries(session: Session, updates: Sequence[Update], timezone: ZoneInfo) -> tuple[HistoryEntry, ...]:
    """The updates as history entries, every id in their changes replaced by the name it stands for."""
    names = _names(session, updates)
    return tuple(_in_words(history_entry(update, timezone), names) for update in updates)


def _names(session: Session, updates: Iterable[Update]) -> dict[type, dict[int, str]]:
    wanted: dict[type, set[int]] = {}
    for update in updates:
        for field, values in (update.changes or {}).items():
            if field in _KINDS:
                wanted.setdefault(_KINDS[field][0], set()).update(v for v in values if isinstance(v, int))
    found: dict[type, dict[int, str]] = {}
    for model, ids in wanted.items():
        column = getattr(model, "name" if model is not Recommendation else "number")
        rows = session.execute(select(model.id, column).where(model.id.in_(sorted(ids)))).all()  # type: ignore[attr-defined]
        found[model] = {row[0]: str(row[1]) for row in rows}
    return found


def _in_words(entry: HistoryEntry, names: dict[type, dict[int, str]]) -> HistoryEntry:
    changes: dict[str, list[Any]] = {}
    for field, values in entry.changes.items():
        if field not in _KINDS:
            changes[field] = list(values)
            continue
        known = names.get(_KINDS[field][0], {})
        changes[field.removesuffix("_id")] = [
            None if value is None else known.get(value, UNKNOWN) if isinstance(value, int) else value
            for value in values
        ]
    return replace(entry, changes=changes)
