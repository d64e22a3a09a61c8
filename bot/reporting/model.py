"""The report's view model: the period, and the frozen figures and lists the report presents.

figures.py computes them from loaded rows; render.py, charts.py and workbook.py only present them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from dateutil.relativedelta import relativedelta

from bot.dates import MONTHS
from bot.errors import BadDate
from storage.models import Rag, Status

QUIET_DAYS = 90  # an open action with no update from its owner for this long has made "little or no progress"
SLIPPED_TIMES = 2  # re-dated this often (approved extensions) counts as slipping
IMPACT_KIND = "impact"  # Update.kind of a note recorded after sign-off: did the change hold?
DONE = (Status.COMPLETE, Status.SIGNED_OFF)


@dataclass(frozen=True)
class Period:
    """A reporting period, both ends included."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.start > self.end:
            raise BadDate(
                f"The period starts ({self.start:%d/%m/%Y}) after it ends ({self.end:%d/%m/%Y}).",
                "Give --from before --to, e.g. --from 01/04/2025 --to 31/03/2026",
            )

    def contains(self, day: date | None) -> bool:
        return day is not None and self.start <= day <= self.end

    def month_starts(self) -> list[date]:
        """The first day of each calendar month the period touches."""
        first = self.start.replace(day=1)
        months = []
        while first <= self.end:
            months.append(first)
            first += relativedelta(months=1)
        return months

    def month_ends(self) -> list[date]:
        """Each month's last day within the period (the last one is the period's end)."""
        return [min(first + relativedelta(day=31), self.end) for first in self.month_starts()]

    def describe(self) -> str:
        return f"{long_date(self.start)} to {long_date(self.end)}"


def reporting_year(today: date) -> Period:
    """The last complete reporting year (1 April to 31 March) before ``today``."""
    end_year = today.year if today.month >= 4 else today.year - 1
    return Period(date(end_year - 1, 4, 1), date(end_year, 3, 31))


def long_date(day: date) -> str:
    """A date as a report prints it: 31 March 2026."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ActionFacts:
    """What every board paper says of an action: its ref and words (checked for identifying data), who owns it."""

    ref: str
    text: str
    review_code: str
    agency: str
    owner: str | None
    status: Status
    owner_rag: Rag


@dataclass(frozen=True)
class ActionLine(ActionFacts):
    """One action as it stood at the end of the period, with its text checked for identifying data."""

    rag: Rag  # displayed RAG at the end of the period
    due: date  # the agreed date (after approved extensions)
    original_due: date
    completed_on: date | None
    signed_off_on: date | None
    evidence: str | None
    progress: str | None  # the latest progress note
    progress_on: date | None
    days_overdue: int
    approved_extensions: int
    waiting_extension: str | None  # the reason of an extension request still undecided at the end
    quiet_days: int | None  # days since the owner's side last reported (or since it was added)

    @property
    def extended(self) -> bool:
        return self.due != self.original_due


@dataclass(frozen=True)
class Counts:
    """The figures for one review, one agency, or all of them.

    total: actions on the plans at the end of the period. completed: complete or signed off then
    (signed off is part of completed; awaiting sign-off is the rest). open: not started or in
    progress; overdue: open with the agreed date before the period's last day. "In the period"
    figures count completion or sign-off dates inside it. On time: of the actions whose original
    (or agreed) target date fell in the period, those completed on or before it. Median days late:
    over actions completed in the period after their original target date. Extensions: requests
    made in the period (asked), approved or declined in it, and still undecided at its end.
    """

    label: str
    total: int = 0
    completed: int = 0
    signed_off: int = 0
    awaiting_sign_off: int = 0
    open: int = 0
    overdue: int = 0
    completed_in_period: int = 0
    signed_off_in_period: int = 0
    due_original: int = 0
    on_time_original: int = 0
    due_agreed: int = 0
    on_time_agreed: int = 0
    completed_late: int = 0
    median_days_late: float | None = None
    extensions_asked: int = 0
    extensions_granted: int = 0
    extensions_declined: int = 0
    extensions_waiting: int = 0

    @property
    def pct_on_time_original(self) -> float | None:
        return self.on_time_original / self.due_original if self.due_original else None

    @property
    def pct_on_time_agreed(self) -> float | None:
        return self.on_time_agreed / self.due_agreed if self.due_agreed else None


@dataclass(frozen=True)
class MonthRag:
    """How many of a review's actions showed each RAG at one month end."""

    on: date
    blue: int
    green: int
    amber: int
    red: int

    @property
    def total(self) -> int:
        return self.blue + self.green + self.amber + self.red


@dataclass(frozen=True)
class MonthFlow:
    """Actions due (by original and by agreed date) and completed in one calendar month of the period."""

    month: date  # its first day
    due_original: int
    due_agreed: int
    completed: int


@dataclass(frozen=True)
class ImpactNote:
    """Evidence that a signed-off change made a difference, recorded after sign-off."""

    ref: str
    on: date
    who: str | None
    note: str


@dataclass(frozen=True)
class Stalled:
    """An open action with little or no progress, and why it counts as such."""

    action: ActionLine
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class ReviewSection:
    """One review: its figures, what was done (with evidence), what is open and why, its impact."""

    code: str
    title: str
    kind: str
    counts: Counts
    signed_off: tuple[ActionLine, ...]
    awaiting_sign_off: tuple[ActionLine, ...]
    open: tuple[ActionLine, ...]
    rag_by_month: tuple[MonthRag, ...]
    impact: tuple[ImpactNote, ...]
    without_impact: tuple[ActionLine, ...]  # signed off, and no evidence of impact yet


@dataclass(frozen=True)
class Report:
    """The yearly report's view model; render.py, charts.py and workbook.py only present it."""

    period: Period
    generated_at: datetime
    timezone: str
    reviews: tuple[ReviewSection, ...]
    agencies: tuple[Counts, ...]
    total: Counts
    flow: tuple[MonthFlow, ...]
    stalled: tuple[Stalled, ...]
    amber_days: int
    asked_end: date  # the period's end as asked; later than period.end when the period is not over yet
    quiet_days: int = QUIET_DAYS

    @property
    def impact_notes(self) -> int:
        return sum(len(section.impact) for section in self.reviews)

    @property
    def without_impact(self) -> tuple[ActionLine, ...]:
        return tuple(line for section in self.reviews for line in section.without_impact)


def month_label(day: date) -> str:
    """Apr 2025."""
    return f"{MONTHS[day.month - 1][:3]} {day.year}"
