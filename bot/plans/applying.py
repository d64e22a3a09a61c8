"""Applying checked rows: new reviews, agencies, people and recommendations first, then each action.

The plan's own dates become the action's history: a completion, a sign-off or a moved target
dated in the sheet is recorded on that date (source "plan"), so the annual report for the year
it falls in counts it, whenever the plan was loaded.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any

from bot.changes import record_change
from bot.dates import format_date
from bot.plans.checking import _Checker
from bot.plans.targets import _KEEP, _NewAgency, _NewPerson, _NewRecommendation, _NewReview, _Target
from bot.plans.vocabulary import OWNER_SIDE, PLAN_LABELS, RAG_LABELS, STATUS_LABELS
from storage.models import Action, Agency, Person, Plan, Rag, Recommendation, Review, Role, Status

PLAN = "plan"  # the source of history entries dated by the plan itself
# Hours (UTC) the plan's dated entries are put at, so that one day's entries keep their order.
_HOURS = {"created": 9, "extension_approved": 10, "done": 11, "signoff": 12}


class _Applier(_Checker):
    """Writes what the checker found: one record_change per step, every step in the action's history."""

    def _values(self, target: _Target, action: Action | None) -> dict[str, Any]:
        """The fields the action should have; for an existing action, blank cells are left out."""
        values: dict[str, Any] = {
            "text": target.text,
            "agency": target.agency,
            "plan": target.plan,
            "original_due": target.original_due,
            "status": target.status,
            "rag": target.rag,
            "progress": target.progress,
            "evidence": target.evidence,
            "completed_on": target.completed_on,
            "signed_off_on": target.signed_off_on,
            "recommendation": target.recommendation,
        }
        if action is not None:
            values = {name: value for name, value in values.items() if value is not None}
            if target.due is not None:
                values.update(due=target.due, target=None)
            elif target.target is not None and action.due is None:
                values["target"] = target.target  # a date set since (in chat) is kept
            if target.owner is not _KEEP and not (target.lead_name and action.owner is not None):
                values.update(owner=target.owner, lead_name=target.lead_name)
            return values
        values.update(due=target.due, target=target.target, lead_name=target.lead_name)
        values["owner"] = None if target.owner is _KEEP else target.owner
        values["plan"] = target.plan or Plan.SINGLE_AGENCY
        values["original_due"] = target.original_due or target.due
        values["status"] = target.status or Status.NOT_STARTED
        values["rag"] = target.rag or Rag.GREEN
        return values

    def apply(self, targets: list[_Target], now: datetime) -> int:
        """Write everything; the number of history entries dated by the plan."""
        self.created: dict[int, Any] = {}
        stages: tuple[tuple[type, ...], ...] = ((_NewReview, _NewAgency), (_NewPerson, _NewRecommendation))
        for stage in stages:  # one flush per stage, so every id is known before the actions
            made = [(item, self._model(item)) for item in self.new if isinstance(item, stage)]
            self.session.add_all(model for _item, model in made)
            self.session.flush()
            for item, model in made:
                item.id = model.id
                self.created[id(item)] = model
        if self.review_changes and self.default_review:
            for name, (_old, new) in self.review_changes.items():
                setattr(self.reviews[self.default_review], name, new)
        for _code, recommendation, wording in self.recommendation_updates.values():
            recommendation.text = wording
        return sum(self._apply_target(target, now) for target in targets)

    @staticmethod
    def _model(item: _NewReview | _NewAgency | _NewPerson | _NewRecommendation) -> Any:
        if isinstance(item, _NewReview):
            return Review(
                code=item.code, title=item.title, kind=item.kind, started=item.started, published=item.published
            )
        if isinstance(item, _NewAgency):
            return Agency(code=item.code, name=item.name)
        if isinstance(item, _NewPerson):
            return Person(name=item.name, email=item.email, agency_id=_id(item.agency), role=Role.AGENCY_LEAD)
        return Recommendation(review_id=_id(item.review), number=item.number, text=item.text)

    def _apply_target(self, target: _Target, now: datetime) -> int:
        values = self._values(target, target.action)
        note = f"Imported from {target.where}"
        action = target.action
        if action is None:
            action = Action()
            self.session.add(action)
            values = {"ref": target.ref, "review_id": _id(target.review), **values}
        changed = [name for name, new in values.items() if not _same(getattr(action, name), new)]
        dated = self._dated_steps(action, values, now)
        first = {name: values[name] for name in changed}
        for _when, fields, _kind in dated:  # the state before the plan's dated steps
            for name in fields:
                first[name] = _before(name, values, action)
        if target.action is not None:
            first = {name: value for name, value in first.items() if not _same(getattr(action, name), value)}
        entries = 0
        if target.action is None:
            start = min([now, *(at for at, _fields, _kind in dated)])
            source = PLAN if start < now else "import"
            when = _at(start.date(), "created") if start < now else now
            record_change(
                self.session,
                action,
                person=self.importer,
                source=source,
                kind="created",
                at=when,
                note=note,
                touch=False,
                **_columns(first),
            )
            entries += start < now
        elif first:
            self._imported(action, now, note, touch=not OWNER_SIDE.isdisjoint(first), **_columns(first))
        for at, fields, kind in dated:
            record_change(
                self.session,
                action,
                person=self.importer,
                source=PLAN,
                kind=kind,
                at=at,
                note=f"From the plan: {note[len('Imported from ') :]}",
                touch=False,
                **_columns(fields),
            )
            entries += 1
        self._apply_supporting(action, target, now)
        return entries

    def _dated_steps(
        self, action: Action, values: dict[str, Any], now: datetime
    ) -> list[tuple[datetime, dict[str, Any], str]]:
        """The plan's dates not yet in the action's history, as (when, fields, kind), oldest first."""
        today = now.date()
        steps: list[tuple[datetime, dict[str, Any], str]] = []
        due, original = values.get("due"), values.get("original_due")
        if action.id is None and due and original and original < due and original < today:
            steps.append((_at(original, "extension_approved"), {"due": due}, "extension_approved"))
        completed, signed = values.get("completed_on"), values.get("signed_off_on")
        status = values.get("status", action.status)
        if (
            completed
            and completed <= today
            and completed != action.completed_on
            and status in (Status.COMPLETE, Status.SIGNED_OFF)
        ):
            steps.append((_at(completed, "done"), {"status": Status.COMPLETE, "completed_on": completed}, "done"))
        if signed and signed <= today and signed != action.signed_off_on and status is Status.SIGNED_OFF:
            steps.append((_at(signed, "signoff"), {"status": Status.SIGNED_OFF, "signed_off_on": signed}, "signoff"))
        return sorted(steps, key=lambda step: step[0])

    def _apply_supporting(self, action: Action, target: _Target, now: datetime) -> None:
        agencies = [self._stored(item) for item in target.supporting_agencies]
        owners = [self._stored(item) for item in target.supporting_owners]
        if target.action is not None and not agencies and not owners:
            return  # blank cells keep what is stored
        old = [[item.name for item in action.supporting_agencies], [item.name for item in action.supporting_owners]]
        new = [[item.name for item in agencies], [item.name for item in owners]]
        if old == new:
            return
        action.supporting_agencies = agencies
        action.supporting_owners = owners
        extra = {"supporting_agencies": [old[0], new[0]], "supporting_owners": [old[1], new[1]]}
        self._imported(action, now, f"Imported from {target.where}", touch=False, extra=extra)

    def _imported(self, action: Action, now: datetime, note: str, **change: Any) -> None:
        """One history entry for what a re-import changed, by the person importing."""
        record_change(self.session, action, person=self.importer, source="import", kind="import", at=now, note=note,
                      **change)  # fmt: skip

    def _stored(self, item: Any) -> Any:
        return self.created.get(id(item), item)


def _before(name: str, values: dict[str, Any], action: Action) -> Any:
    """A field's value before the plan's dated steps moved it."""
    if name == "status":
        return Status.IN_PROGRESS if action.id is None else action.status
    if name == "due":
        return values.get("original_due")
    return getattr(action, name) if action.id is not None else None


def _at(day: date, kind: str) -> datetime:
    return datetime.combine(day, time(_HOURS[kind]), tzinfo=UTC)


def _id(item: Any) -> int:
    assert item.id is not None, "created before use"
    return int(item.id)


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Relationship values as the action's id columns, which is what record_change stores."""
    renamed = {"agency": "agency_id", "owner": "owner_id", "recommendation": "recommendation_id"}
    return {
        renamed.get(name, name): (_id(value) if name in renamed and value is not None else value)
        for name, value in values.items()
    }


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, _NewAgency | _NewPerson | _NewRecommendation):
        return False
    if isinstance(new, Agency | Person | Recommendation):
        return old is not None and old.id == new.id
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return bool(old == new)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Status):
        return STATUS_LABELS[value]
    if isinstance(value, Rag):
        return RAG_LABELS[value]
    if isinstance(value, Plan):
        return PLAN_LABELS[value]
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Person | _NewPerson):
        return f"{value.name} <{value.email}>"
    if isinstance(value, Agency | _NewAgency):
        return value.name
    if isinstance(value, Recommendation | _NewRecommendation):
        return value.number
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"
