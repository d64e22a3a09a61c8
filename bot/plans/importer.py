"""The import service: check every row, then compare and apply them all in one transaction, or none."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.changes import record_change
from bot.dates import format_date
from bot.errors import UsageError
from bot.plans.checking import _Checker
from bot.plans.report import ImportReport, SheetUnreadable
from bot.plans.targets import _KEEP, _NewAgency, _NewPerson, _NewRecommendation, _NewReview, _Target
from bot.plans.vocabulary import _REVIEW_CODE, OWNER_SIDE, PLAN_LABELS, RAG_LABELS, STATUS_LABELS, _ref_number
from storage.models import Action, Agency, Person, Plan, Rag, Recommendation, Review, ReviewKind, Role, Status
from storage.spreadsheet import COLUMN_BY_KEY, Sheet, SheetFormatError, read_sheet


def import_plan(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    now: datetime,
    review: str | None = None,
    title: str | None = None,
    kind: ReviewKind | None = None,
    dry_run: bool = False,
    person_email: str | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Import an action plan from a .csv or .xlsx file, all rows or none; SheetRejected lists bad rows."""
    try:
        table = read_sheet(path, sheet)
    except SheetFormatError as error:
        raise SheetUnreadable(str(error)) from None
    except OSError as error:
        raise SheetUnreadable(f"Cannot read {path}: {error.strerror or error}.") from None
    return import_sheet(
        sessions,
        table,
        now=now,
        review=review,
        title=title,
        kind=kind,
        dry_run=dry_run,
        person_email=person_email,
        file_name=path.name,
    )


def import_sheet(
    sessions: sessionmaker[Session],
    sheet: Sheet,
    *,
    now: datetime,
    review: str | None = None,
    title: str | None = None,
    kind: ReviewKind | None = None,
    dry_run: bool = False,
    person_email: str | None = None,
    file_name: str = "FILE",
) -> ImportReport:
    """Import rows already read from a sheet (``import_plan`` and the demo data both come through here)."""
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    code = review.strip().upper() if review and review.strip() else None
    if code is not None and not _REVIEW_CODE.fullmatch(code):
        raise UsageError(f"'{review}' is not a review code: use letters and digits, e.g. CC.")
    if (title or kind) and code is None:
        raise UsageError("A review title or kind needs the review's code too (--review CODE).")
    with sessions.begin() as session:
        importer = _Importer(session, sheet, code, title.strip() if title else None, kind, file_name)
        importer.load(person_email)
        targets = importer.check()
        report = importer.compare(targets, dry_run)
        if not dry_run:
            importer.apply(targets, now)
    return report


class _Importer(_Checker):
    """Loads what the sheet refers to in a few queries, checks every row, then compares and applies."""

    # Comparing: what would change, in the words of the sheet.

    def compare(self, targets: list[_Target], dry_run: bool) -> ImportReport:
        report = ImportReport(source=self.sheet.source, dry_run=dry_run, warnings=self.warnings)
        report.ignored_columns = list(self.sheet.ignored)
        for target in targets:
            assert target.ref is not None
            if target.owner_problem and target.action is None:
                self.warnings.append(f"row {target.row}: {target.owner_problem}; {target.ref} has no owner to nudge.")
            elif target.owner_problem and target.action is not None and "officer '" in target.owner_problem:
                self.warnings.append(f"row {target.row}: {target.owner_problem}; {target.ref} keeps its owner.")
            if target.action is None:
                report.added.append(target.ref)
                continue
            differences = self._differences(target.action, self._values(target, target.action))
            if differences:
                report.changed[target.ref] = differences
                if target.action.status is Status.SIGNED_OFF and target.status not in (
                    None,
                    Status.SIGNED_OFF,
                ):
                    now_shown = _shown(target.status)
                    self.warnings.append(
                        f"row {target.row}: {target.ref} was signed off; the sheet makes it {now_shown}."
                    )
            else:
                report.unchanged += 1
        seen = {target.ref for target in targets}
        report.not_in_sheet = sorted(
            (ref for ref in self.actions if ref not in seen),
            key=lambda ref: (ref.rsplit("-", 1)[0], _ref_number(ref)),
        )
        for item in self.new:
            if isinstance(item, _NewReview):
                report.reviews_added.append(f"{item.code} ({item.title}, {item.kind})")
            elif isinstance(item, _NewAgency):
                report.agencies_added.append(f"{item.name} (code {item.code})")
            elif isinstance(item, _NewPerson):
                report.people_added.append(f"{item.name} <{item.email}>")
        if self.review_changes and self.default_review:
            details = "; ".join(f"{name}: {old} -> {new}" for name, (old, new) in self.review_changes.items())
            report.reviews_changed.append(f"{self.default_review}: {details}")
        for code, recommendation, _wording in self.recommendation_updates.values():
            report.recommendations_changed.append(f"{code} recommendation {recommendation.number}: new wording")
        return report

    def _values(self, target: _Target, action: Action | None) -> dict[str, Any]:
        """The fields the action should have; for an existing action, blank cells are left out."""
        values: dict[str, Any] = {
            "text": target.text,
            "agency": target.agency,
            "due": target.due,
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
        if target.owner is not _KEEP:
            values["owner"] = target.owner
        if action is not None:
            return {name: value for name, value in values.items() if value is not None}
        values["plan"] = target.plan or Plan.SINGLE_AGENCY
        values["original_due"] = target.original_due or target.due
        values["status"] = target.status or Status.NOT_STARTED
        values["rag"] = target.rag or Rag.GREEN
        values.setdefault("owner", None)
        return values

    def _differences(self, action: Action, values: dict[str, Any]) -> dict[str, tuple[str, str]]:
        differences: dict[str, tuple[str, str]] = {}
        for name, new in values.items():
            old = getattr(action, name)
            if _same(old, new):
                continue
            differences[_heading(name)] = (_shown(old), _shown(new))
        return differences

    # Applying: new things first, then one record_change per new or changed action.

    def apply(self, targets: list[_Target], now: datetime) -> None:
        # New things in dependency order, one flush per stage, so every id is known before the actions.
        stages: tuple[tuple[type, ...], ...] = ((_NewReview, _NewAgency), (_NewPerson, _NewRecommendation))
        for stage in stages:
            created = [(item, self._model(item)) for item in self.new if isinstance(item, stage)]
            self.session.add_all(model for _item, model in created)
            self.session.flush()
            for item, model in created:
                item.id = model.id
        if self.review_changes and self.default_review:
            for name, (_old, new) in self.review_changes.items():
                setattr(self.reviews[self.default_review], name, new)
        for _code, recommendation, wording in self.recommendation_updates.values():
            recommendation.text = wording
        for target in targets:
            self._apply_target(target, now)

    @staticmethod
    def _model(item: _NewReview | _NewAgency | _NewPerson | _NewRecommendation) -> Any:
        if isinstance(item, _NewReview):
            return Review(code=item.code, title=item.title, kind=item.kind)
        if isinstance(item, _NewAgency):
            return Agency(code=item.code, name=item.name)
        if isinstance(item, _NewPerson):
            return Person(name=item.name, email=item.email, agency_id=_id(item.agency), role=Role.AGENCY_LEAD)
        return Recommendation(review_id=_id(item.review), number=item.number, text=item.text)

    def _apply_target(self, target: _Target, now: datetime) -> None:
        values = self._values(target, target.action)
        note = f"Imported from {self.sheet.source}, row {target.row}"
        if target.action is None:
            action = Action()
            self.session.add(action)
            fields = {"ref": target.ref, "review_id": _id(target.review), **_columns(values)}
            record_change(
                self.session,
                action,
                person=self.importer,
                source="import",
                kind="created",
                at=now,
                note=note,
                touch=False,
                **fields,
            )
            return
        action = target.action
        changed = [name for name, new in values.items() if not _same(getattr(action, name), new)]
        if not changed:
            return
        fields = _columns({name: values[name] for name in changed})
        record_change(
            self.session,
            action,
            person=self.importer,
            source="import",
            kind="import",
            at=now,
            note=note,
            touch=not OWNER_SIDE.isdisjoint(changed),
            **fields,
        )


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


def _heading(name: str) -> str:
    return COLUMN_BY_KEY[{"text": "action", "owner": "officer"}.get(name, name)].heading
