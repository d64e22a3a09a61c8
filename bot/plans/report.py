"""What an import tells its caller: the report of what it did, or every problem of a refused plan."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.dates import SHEET_HINT
from bot.errors import UserError

SHOWN = 5  # examples of a long list shown before "and N more"


@dataclass(frozen=True)
class RowError:
    """One problem with one cell: the sheet, the cell (``I13``), the sheet's own heading, and why."""

    row: int
    column: str  # the heading as the sheet writes it
    reason: str
    cell: str = ""
    sheet: str = ""

    def __str__(self) -> str:
        where = self.cell or f"row {self.row}"
        sheet = f"sheet '{self.sheet}' " if self.sheet else ""
        return f"{sheet}{where} ({self.column}): {self.reason}"


class SheetRejected(UserError):
    """The plan has problems: none of it was imported. ``errors`` lists every one, found in one pass."""

    def __init__(self, errors: list[RowError], source: str = "the sheet") -> None:
        self.errors = errors
        rows = len({(error.sheet, error.row) for error in errors})
        lines = "\n".join(f"  {error}" for error in errors)
        message = (
            f"{source} was not imported and nothing was changed: "
            f"{_count(len(errors), 'problem')} in {_count(rows, 'row')}.\n{lines}"
        )
        hint = "Fix these cells and import the plan again (a dry run checks it without importing)."
        if any("date" in error.reason.lower() for error in errors):
            hint += "\n" + SHEET_HINT
        super().__init__(message, hint)


class SheetUnreadable(UserError):
    """The file is not a sheet we can read (wrong type, no header row, no such sheet)."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    source: str
    dry_run: bool = False
    added: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    not_in_sheet: list[str] = field(default_factory=list)  # actions of the sheet's reviews left alone
    reviews_added: list[str] = field(default_factory=list)
    reviews_changed: list[str] = field(default_factory=list)
    agencies_added: list[str] = field(default_factory=list)
    people_added: list[str] = field(default_factory=list)
    recommendations_changed: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)  # "sheet 'X': A 'No.' -> ref", one line a sheet
    sheets_read: list[str] = field(default_factory=list)
    sheets_skipped: list[str] = field(default_factory=list)
    rows_skipped: list[str] = field(default_factory=list)
    needs_date: list[str] = field(default_factory=list)  # "CR-1.1 ('Ongoing')"
    named_leads: list[str] = field(default_factory=list)  # "CR-1.2: Jo Bloggs"
    history: int = 0  # dated entries taken from the plan's own dates
    command: str = "python -m bot import FILE --dry-run --full"  # lists everything in full

    def render(self, full: bool = False) -> str:
        """The report as plain text: counts first, a few examples, and the command that lists the rest."""
        head = f"Dry run of {self.source}: nothing was written." if self.dry_run else f"Imported {self.source}."
        lines = [head]
        if self.sheets_read:
            lines.append(f"Sheets read: {', '.join(self.sheets_read)}")
        if self.sheets_skipped:
            lines.append(f"Sheets skipped: {', '.join(self.sheets_skipped)}")
        if self.dry_run or full:
            lines.append("Columns read (column, heading -> field):")
            lines.extend(f"  {line}" for line in self.columns)
        if self.ignored_columns:
            lines.append(f"Columns not read: {', '.join(self.ignored_columns)}")
        lines.append(self._listed("Added", self.added, full))
        lines.append(f"Changed: {len(self.changed)}")
        changed = list(self.changed.items())
        for ref, fields in changed if full else changed[:SHOWN]:
            details = "; ".join(
                f"{name}: {old or '(blank)'} -> {new or '(blank)'}" for name, (old, new) in fields.items()
            )
            lines.append(f"  {ref}: {details}")
        if len(changed) > SHOWN and not full:
            lines.append(f"  ... and {len(changed) - SHOWN} more ({self.command} lists them all)")
        lines.append(f"Unchanged: {self.unchanged}")
        for label, items in (
            ("New reviews", self.reviews_added),
            ("Reviews changed", self.reviews_changed),
            ("New agencies", self.agencies_added),
            ("New people", self.people_added),
            ("Recommendations changed", self.recommendations_changed),
            ("Rows skipped", self.rows_skipped),
            ("Not in the sheet, left alone", self.not_in_sheet),
        ):
            if items:
                lines.append(self._listed(label, items, full))
        if self.needs_date:
            lines.append(
                self._listed(
                    "Needs a date (the plan's wording is kept, no due date, no reminders)", self.needs_date, full
                )
            )
        if self.named_leads:
            lines.append(
                self._listed("Named leads who cannot be nudged until an address is known", self.named_leads, full)
            )
        if self.history:
            lines.append(f"History from the plan's own dates: {_count(self.history, 'dated entry', 'dated entries')}")
        if self.warnings:
            lines.append(f"Warnings: {len(self.warnings)}")
            lines.extend(f"  {warning}" for warning in (self.warnings if full else self.warnings[:SHOWN]))
            if len(self.warnings) > SHOWN and not full:
                lines.append(f"  ... and {len(self.warnings) - SHOWN} more ({self.command} lists them all)")
        return "\n".join(lines)

    def _listed(self, label: str, items: list[str], full: bool) -> str:
        if not items:
            return f"{label}: 0"
        if full or len(items) <= SHOWN:
            return f"{label}: {len(items)} ({', '.join(items)})"
        shown = ", ".join(items[:SHOWN])
        return f"{label}: {len(items)} ({shown}, ... and {len(items) - SHOWN} more: {self.command} lists them all)"


def _count(number: int, noun: str, plural: str | None = None) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {plural or noun + 's'}"
