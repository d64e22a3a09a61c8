"""The import service: check every row of every sheet, then compare and apply them all in one transaction, or none."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from bot.errors import UsageError
from bot.plans.applying import _Applier, _same, _shown
from bot.plans.report import ImportReport, SheetUnreadable
from bot.plans.targets import _NewAgency, _NewPerson, _NewReview, _Target
from bot.plans.vocabulary import _REVIEW_CODE, ref_order
from storage.models import ReviewKind, Status
from storage.spreadsheet import PlanFile, Sheet, SheetFormatError, read_plan


def import_plan(
    sessions: sessionmaker[Session], path: Path, *, now: datetime, sheet: str | None = None, **options: Any
) -> ImportReport:
    """Import an action plan from a .csv or .xlsx file (every sheet holding actions, or the named one), all or none.
    ``options`` are import_sheets' (review, title, kind, dry_run, person_email)."""
    try:
        plan = read_plan(path, sheet)
    except SheetFormatError as error:
        raise SheetUnreadable(str(error)) from None
    except OSError as error:
        raise SheetUnreadable(f"Cannot read {path}: {error.strerror or error}.") from None
    return import_sheets(sessions, plan, now=now, **options)


def import_sheet(sessions: sessionmaker[Session], sheet: Sheet, *, now: datetime, **options: Any) -> ImportReport:
    """Import rows already read from one sheet (the demo data comes through here)."""
    file_name = options.pop("file_name", "FILE")
    return import_sheets(sessions, PlanFile(file_name, [sheet]), now=now, **options)


def import_sheets(
    sessions: sessionmaker[Session],
    plan: PlanFile,
    *,
    now: datetime,
    review: str | None = None,
    title: str | None = None,
    kind: ReviewKind | None = None,
    dry_run: bool = False,
    person_email: str | None = None,
) -> ImportReport:
    """Import the sheets of a plan: every problem of every sheet is reported together, and nothing written."""
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    code = review.strip().upper() if review and review.strip() else None
    if code is not None and not _REVIEW_CODE.fullmatch(code):
        raise UsageError(f"'{review}' is not a review code: use letters and digits, e.g. CC.")
    if (title or kind) and code is None:
        raise UsageError("A review title or kind needs the review's code too (--review CODE).")
    with sessions.begin() as session:
        importer = _Importer(session, plan.sheets, code, title.strip() if title else None, kind, plan.name)
        importer.load(person_email)
        targets = importer.check()
        report = importer.compare(targets, dry_run, plan)
        if not dry_run:
            report.history = importer.apply(targets, now)
    return report


class _Importer(_Applier):
    """Loads what the sheets refer to in a few queries, checks every row, then compares and applies."""

    def compare(self, targets: list[_Target], dry_run: bool, plan: PlanFile) -> ImportReport:
        """What would change, in the words of the sheet, with what was read and skipped."""
        source = plan.name if len(plan.sheets) > 1 else plan.sheets[0].source
        report = ImportReport(source=source, dry_run=dry_run, warnings=self.warnings)
        report.command = f"python -m bot import {plan.name} --dry-run --full"
        self._describe_sheets(report, plan)
        for target in targets:
            assert target.ref is not None
            if target.target is not None or target.due is None:
                report.needs_date.append(
                    f"{target.ref} ('{target.target}')" if target.target else f"{target.ref} (blank)"
                )
            if target.lead_name and target.action is not None and target.action.owner is not None:
                self.warnings.append(
                    f"{target.where}: lead officer '{target.lead_name}' has no e-mail and matches nobody the bot "
                    f"knows; {target.ref} keeps its owner."
                )
            elif target.lead_name:
                report.named_leads.append(f"{target.ref}: {target.lead_name}")
            if target.action is None:
                report.added.append(target.ref)
                continue
            differences = self._differences(target.action, self._values(target, target.action))
            if not differences:
                report.unchanged += 1
                continue
            report.changed[target.ref] = differences
            if target.action.status is Status.SIGNED_OFF and target.status not in (None, Status.SIGNED_OFF):
                self.warnings.append(
                    f"{target.where}: {target.ref} was signed off; the sheet makes it {_shown(target.status)}."
                )
        seen = {target.ref for target in targets}
        report.not_in_sheet = sorted((ref for ref in self.actions if ref not in seen), key=ref_order)
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

    @staticmethod
    def _describe_sheets(report: ImportReport, plan: PlanFile) -> None:
        report.sheets_skipped = list(plan.skipped_sheets)
        for sheet in plan.sheets:
            label = f"sheet '{sheet.name}'" if sheet.name else sheet.source
            report.sheets_read.append(f"{label} ({len(sheet.rows)} rows, header on row {sheet.header_row})")
            mapping = ", ".join(
                f"{sheet.letters[key]} '{heading}' -> {key}"
                for key, heading in sorted(
                    sheet.columns.items(), key=lambda item: (len(sheet.letters[item[0]]), sheet.letters[item[0]])
                )
            )
            report.columns.append(f"{label}: {mapping}")
            prefix = f"{label}: " if len(plan.sheets) > 1 else ""
            report.ignored_columns.extend(prefix + heading for heading in sheet.ignored)
            report.rows_skipped.extend(prefix + skipped for skipped in sheet.skipped)
            report.warnings.extend(prefix + note for note in sheet.notes)

    def _differences(self, action: Any, values: dict[str, Any]) -> dict[str, tuple[str, str]]:
        differences: dict[str, tuple[str, str]] = {}
        for name, new in values.items():
            old = getattr(action, name)
            if not _same(old, new):
                differences[_heading(name)] = (_shown(old), _shown(new))
        return differences


def _heading(name: str) -> str:
    from storage.spreadsheet import COLUMN_BY_KEY

    renamed = {"text": "action", "owner": "officer", "supporting_agencies": "supporting", "target": "due"}
    key = renamed.get(name, name)
    if key in COLUMN_BY_KEY:
        return COLUMN_BY_KEY[key].heading
    return {"lead_name": "Lead Officer", "supporting_owners": "Officer Email"}.get(name, name)
