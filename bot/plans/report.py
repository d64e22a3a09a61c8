"""What an import tells its caller: the report of what it did, or every bad row of a refused sheet."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.dates import SHEET_HINT
from bot.errors import UserError


@dataclass(frozen=True)
class RowError:
    """One problem with one cell of the sheet."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


class SheetRejected(UserError):
    """The sheet has bad rows: none of it was imported. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError], source: str = "the sheet") -> None:
        self.errors = errors
        rows = len({error.row for error in errors})
        lines = "\n".join(f"  {error}" for error in errors)
        message = (
            f"{source} was not imported and nothing was changed: "
            f"{_count(len(errors), 'problem')} in {_count(rows, 'row')}.\n{lines}"
        )
        hint = "Fix these rows and import the sheet again (a dry run checks it without importing)."
        if any("date" in error.column.lower() or error.column.endswith(" On") for error in errors):
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

    def render(self) -> str:
        """The report as plain text for the command line."""
        head = f"Dry run of {self.source}: nothing was written." if self.dry_run else f"Imported {self.source}."
        lines = [head]
        lines.append(f"Added: {len(self.added)}" + (f" ({', '.join(self.added)})" if self.added else ""))
        lines.append(f"Changed: {len(self.changed)}")
        for ref, fields in self.changed.items():
            details = "; ".join(
                f"{name}: {old or '(blank)'} -> {new or '(blank)'}" for name, (old, new) in fields.items()
            )
            lines.append(f"  {ref}: {details}")
        lines.append(f"Unchanged: {self.unchanged}")
        for label, items in (
            ("New reviews", self.reviews_added),
            ("Reviews changed", self.reviews_changed),
            ("New agencies", self.agencies_added),
            ("New people", self.people_added),
            ("Recommendations changed", self.recommendations_changed),
        ):
            if items:
                lines.append(f"{label}: {', '.join(items)}")
        if self.not_in_sheet:
            lines.append(
                f"Not in the sheet, left alone: {_count(len(self.not_in_sheet), 'action')} "
                f"({', '.join(self.not_in_sheet)})"
            )
        if self.ignored_columns:
            lines.append(f"Columns ignored: {', '.join(self.ignored_columns)}")
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  {warning}" for warning in self.warnings)
        return "\n".join(lines)


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
