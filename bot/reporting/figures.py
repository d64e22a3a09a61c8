"""The report's figures, computed from loaded rows: pure, so every definition gets a table test.

Every figure is "as at the end of the period", rebuilt from the Update log (history.py), so a
report for last year reads the same whenever it is run. The definitions the report prints under
"How these figures are counted" are the ones in this module's docstrings.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from dateutil.relativedelta import relativedelta

from bot.anonymity import find_identifying_data
from bot.dates import MONTHS
from bot.errors import BadDate
from bot.reporting.data import ExtensionInfo, ReportData, ReviewInfo
from bot.reporting.history import ActionHistory, ActionState
from bot.rules import rag
from storage.models import ExtensionState, Rag, Status

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
class ActionLine:
    """One action as it stood at the end of the period, with its text checked for identifying data."""

    ref: str
    text: str
    review_code: str
    agency: str
    owner: str | None
    status: Status
    owner_rag: Rag
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


WITHHELD = "[withheld from this report: the text looks like it contains {kinds}; see the action in the tracker]"


def guard(text: str | None, protected_names: Iterable[str]) -> str | None:
    """The text, or a placeholder naming only the kinds of identifying data it seems to hold."""
    if not text:
        return text
    kinds = find_identifying_data(text, protected_names)
    return WITHHELD.format(kinds=" and ".join(kinds)) if kinds else text


def build_report(
    data: ReportData,
    period: Period,
    *,
    generated_at: datetime,
    timezone: ZoneInfo,
    amber_days: int,
    today: date,
) -> Report:
    """Compute every figure and list of the report from loaded rows; a period not over yet ends today."""
    if period.start > today:
        raise BadDate(
            f"The period starts on {long_date(period.start)}, which is still to come.",
            "Give a period that has started, e.g. --from 01/04/2025 --to 31/03/2026",
        )
    asked_end = period.end
    period = Period(period.start, min(period.end, today))
    end = period.end
    checkpoints = period.month_ends()
    reviews_by_id = {review.id: review for review in data.reviews}
    lines: dict[int, ActionLine] = {}
    monthly: dict[int, list[ActionState | None]] = {}
    waiting = _waiting_at(data.extensions, end, timezone)
    for action_id, history in data.histories.items():
        states = history.states([*checkpoints, end])
        monthly[action_id], state = states[:-1], states[-1]
        if state is None or state.review_id not in reviews_by_id:
            continue  # not on the plan by the period's end
        review = reviews_by_id[state.review_id]
        names = data.protected_names.get(review.id, ())
        lines[action_id] = _line(
            state, review, data, end, amber_days, timezone, names, waiting.get(action_id), history.created_on
        )

    sections = tuple(
        _section(review, data, lines, monthly, checkpoints, period, timezone, amber_days) for review in data.reviews
    )

    by_agency: dict[str, list[int]] = defaultdict(list)
    for action_id, line in lines.items():
        by_agency[line.agency].append(action_id)
    agencies = tuple(
        _counts(agency, [lines[i] for i in ids], _extensions_of(data.extensions, ids), period, timezone)
        for agency, ids in sorted(by_agency.items(), key=lambda item: item[0].lower())
    )
    every = list(lines)
    total = _counts("All reviews", [lines[i] for i in every], _extensions_of(data.extensions, every), period, timezone)
    return Report(
        period=period,
        generated_at=generated_at,
        timezone=timezone.key,
        reviews=sections,
        agencies=agencies,
        total=total,
        flow=tuple(_flow(period, list(lines.values()))),
        stalled=tuple(_stalled(list(lines.values()), end)),
        amber_days=amber_days,
        asked_end=asked_end,
    )


def _section(
    review: ReviewInfo,
    data: ReportData,
    lines: Mapping[int, ActionLine],
    monthly: Mapping[int, Sequence[ActionState | None]],
    checkpoints: Sequence[date],
    period: Period,
    timezone: ZoneInfo,
    amber_days: int,
) -> ReviewSection:
    """One review's part of the report: its figures, lists, RAG month by month and impact."""
    ids = sorted(
        (i for i, line in lines.items() if line.review_code == review.code), key=lambda i: _ref_key(lines[i].ref)
    )
    members = [lines[i] for i in ids]
    impact = _impact(data, ids, lines, period.end, timezone, data.protected_names.get(review.id, ()))
    noted = {note.ref for note in impact}
    signed = [line for line in members if line.status is Status.SIGNED_OFF]
    rag_by_month = []
    for n, day in enumerate(checkpoints):
        # An action counts under the review it belonged to on that day (a ref may move between reviews).
        on_day = (states[n] for states in monthly.values())
        members_then = [state for state in on_day if state is not None and state.review_id == review.id]
        rag_by_month.append(_month_rag(day, members_then, amber_days, timezone))
    return ReviewSection(
        code=review.code,
        title=review.title,
        kind=review.kind,
        counts=_counts(review.code, members, _extensions_of(data.extensions, ids), period, timezone),
        signed_off=tuple(signed),
        awaiting_sign_off=tuple(line for line in members if line.status is Status.COMPLETE),
        open=tuple(line for line in members if line.status.is_open),
        rag_by_month=tuple(rag_by_month),
        impact=tuple(impact),
        without_impact=tuple(line for line in signed if line.ref not in noted),
    )


def _line(
    state: ActionState,
    review: ReviewInfo,
    data: ReportData,
    end: date,
    amber_days: int,
    timezone: ZoneInfo,
    names: Sequence[str],
    waiting: ExtensionInfo | None,
    created_on: date | None,
) -> ActionLine:
    heard = [day for day in (_local(state.last_update_at, timezone), state.progress_on, created_on) if day]
    return ActionLine(
        ref=state.ref,
        text=guard(state.text, names) or "",
        review_code=review.code,
        agency=data.agencies.get(state.agency_id, "(unknown agency)"),
        owner=data.people.get(state.owner_id) if state.owner_id is not None else None,
        status=state.status,
        owner_rag=state.rag,
        rag=_rag(state, end, amber_days, timezone),
        due=state.due,
        original_due=state.original_due,
        completed_on=state.completed_on if state.status in DONE else None,
        signed_off_on=state.signed_off_on if state.status is Status.SIGNED_OFF else None,
        evidence=guard(state.evidence, names),
        progress=guard(state.progress, names),
        progress_on=state.progress_on,
        days_overdue=max(0, (end - state.due).days) if state.status.is_open else 0,
        approved_extensions=state.approved_extensions,
        waiting_extension=guard(waiting.reason, names) if waiting else None,
        quiet_days=(end - max(heard)).days if heard else None,
    )


@dataclass
class _Facts:
    """What bot.rules.rag reads, for a state of the past."""

    status: Status
    rag: Rag
    due: date
    last_update_at: datetime | None


def _rag(state: ActionState, day: date, amber_days: int, timezone: ZoneInfo) -> Rag:
    return rag(_Facts(state.status, state.rag, state.due, state.last_update_at), day, amber_days, timezone)


def _month_rag(day: date, states: Sequence[ActionState | None], amber_days: int, timezone: ZoneInfo) -> MonthRag:
    shown = [_rag(state, day, amber_days, timezone) for state in states if state is not None]
    return MonthRag(
        on=day,
        blue=shown.count(Rag.BLUE),
        green=shown.count(Rag.GREEN),
        amber=shown.count(Rag.AMBER),
        red=shown.count(Rag.RED),
    )


def _local(moment: datetime | None, timezone: ZoneInfo) -> date | None:
    return moment.astimezone(timezone).date() if moment is not None else None


def _waiting_at(extensions: Iterable[ExtensionInfo], end: date, timezone: ZoneInfo) -> dict[int, ExtensionInfo]:
    """Per action, the extension request asked by ``end`` and not decided by then."""
    found: dict[int, ExtensionInfo] = {}
    for request in sorted(extensions, key=lambda request: request.requested_at):
        asked = _local(request.requested_at, timezone)
        decided = _local(request.decided_at, timezone)
        if asked is not None and asked <= end and (decided is None or decided > end):
            found[request.action_id] = request
    return found


def _extensions_of(extensions: Iterable[ExtensionInfo], action_ids: Iterable[int]) -> list[ExtensionInfo]:
    wanted = set(action_ids)
    return [request for request in extensions if request.action_id in wanted]


def _counts(
    label: str, lines: Sequence[ActionLine], extensions: Sequence[ExtensionInfo], period: Period, timezone: ZoneInfo
) -> Counts:
    done = [line for line in lines if line.status in DONE]
    late = [
        (line.completed_on - line.original_due).days
        for line in done
        if line.completed_on is not None
        and period.contains(line.completed_on)
        and line.completed_on > line.original_due
    ]
    due_original = [line for line in lines if period.contains(line.original_due)]
    due_agreed = [line for line in lines if period.contains(line.due)]

    def on_time(line: ActionLine, target: date) -> bool:
        return line.status in DONE and line.completed_on is not None and line.completed_on <= target

    asked = [request for request in extensions if period.contains(_local(request.requested_at, timezone))]
    decided = [request for request in extensions if period.contains(_local(request.decided_at, timezone))]
    return Counts(
        label=label,
        total=len(lines),
        completed=len(done),
        signed_off=sum(1 for line in done if line.status is Status.SIGNED_OFF),
        awaiting_sign_off=sum(1 for line in done if line.status is Status.COMPLETE),
        open=sum(1 for line in lines if line.status.is_open),
        overdue=sum(1 for line in lines if line.days_overdue > 0),
        completed_in_period=sum(1 for line in done if period.contains(line.completed_on)),
        signed_off_in_period=sum(1 for line in done if period.contains(line.signed_off_on)),
        due_original=len(due_original),
        on_time_original=sum(1 for line in due_original if on_time(line, line.original_due)),
        due_agreed=len(due_agreed),
        on_time_agreed=sum(1 for line in due_agreed if on_time(line, line.due)),
        completed_late=len(late),
        median_days_late=float(statistics.median(late)) if late else None,
        extensions_asked=len(asked),
        extensions_granted=sum(1 for request in decided if request.state is ExtensionState.APPROVED),
        extensions_declined=sum(1 for request in decided if request.state is ExtensionState.DECLINED),
        extensions_waiting=len(_waiting_at(extensions, period.end, timezone)),
    )


def _impact(
    data: ReportData,
    action_ids: Sequence[int],
    lines: Mapping[int, ActionLine],
    end: date,
    timezone: ZoneInfo,
    names: Sequence[str],
) -> list[ImpactNote]:
    notes = []
    for action_id in action_ids:
        history: ActionHistory = data.histories[action_id]
        for change in history.notes(IMPACT_KIND):
            on = history.day_of(change)
            if on <= end and change.note:
                who = data.people.get(change.person_id) if change.person_id is not None else None
                notes.append(ImpactNote(lines[action_id].ref, on, who, guard(change.note, names) or ""))
    return notes


def _flow(period: Period, lines: Sequence[ActionLine]) -> list[MonthFlow]:
    def month(day: date | None) -> date | None:
        return day.replace(day=1) if day is not None and period.contains(day) else None

    due_original = _tally(month(line.original_due) for line in lines)
    due_agreed = _tally(month(line.due) for line in lines)
    completed = _tally(month(line.completed_on) for line in lines if line.status in DONE)
    return [
        MonthFlow(first, due_original.get(first, 0), due_agreed.get(first, 0), completed.get(first, 0))
        for first in period.month_starts()
    ]


def _tally(days: Iterable[date | None]) -> dict[date, int]:
    counts: dict[date, int] = defaultdict(int)
    for day in days:
        if day is not None:
            counts[day] += 1
    return counts


def _stalled(lines: Sequence[ActionLine], end: date) -> list[Stalled]:
    """Open actions that are overdue, off track, quiet for QUIET_DAYS, or re-dated SLIPPED_TIMES or more."""
    found = []
    for line in lines:
        if not line.status.is_open:
            continue
        reasons = []
        if line.days_overdue:
            reasons.append(f"overdue by {_days(line.days_overdue)}")
        if line.owner_rag is Rag.RED:
            reasons.append("its owner reports it off track")
        if line.approved_extensions >= SLIPPED_TIMES:
            reasons.append(f"its target date has been moved {line.approved_extensions} times")
        if line.quiet_days is not None and line.quiet_days >= QUIET_DAYS:
            started = "not started and " if line.status is Status.NOT_STARTED else ""
            reasons.append(f"{started}no update from its owner for {_days(line.quiet_days)}")
        if reasons:
            found.append(Stalled(line, tuple(reasons)))
    return sorted(found, key=lambda item: (-item.action.days_overdue, _ref_key(item.action.ref)))


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _ref_key(ref: str) -> tuple[str, int]:
    code, _, number = ref.rpartition("-")
    return (code, int(number)) if number.isdigit() else (ref, 0)


def month_label(day: date) -> str:
    """Apr 2025."""
    return f"{MONTHS[day.month - 1][:3]} {day.year}"
