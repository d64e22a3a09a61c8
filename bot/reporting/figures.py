"""The report's figures, computed from loaded rows: pure, so every definition gets a table test.

Every figure is "as at the end of the period", rebuilt from the Update log (history.py), so a
report for last year reads the same whenever it is run. The definitions the report prints under
"How these figures are counted" are the ones in this module's and model.py's docstrings. The view
model's names are importable from here too, as before the split.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bot.anonymity import withhold
from bot.errors import BadDate
from bot.reporting.data import ExtensionInfo, ReportData, ReviewInfo
from bot.reporting.history import ActionHistory, ActionState
from bot.reporting.model import (
    DONE,
    IMPACT_KIND,
    QUIET_DAYS,
    SLIPPED_TIMES,
    ActionLine,
    Counts,
    ImpactNote,
    MonthFlow,
    MonthRag,
    Period,
    Report,
    ReviewSection,
    Stalled,
    long_date,
    month_label,
    reporting_year,
)
from bot.rules import rag
from storage.models import ExtensionState, Rag, Status

__all__ = [
    "QUIET_DAYS",
    "ActionLine",
    "Counts",
    "ImpactNote",
    "MonthFlow",
    "MonthRag",
    "Period",
    "Report",
    "ReviewSection",
    "Stalled",
    "build_report",
    "guard",
    "long_date",
    "month_label",
    "reporting_year",
]

WITHHELD = "[withheld from this report: the text looks like it contains {kinds}; see the action in the tracker]"


def guard(text: str | None, protected_names: Iterable[str]) -> str | None:
    """The text, or a placeholder naming only the kinds of identifying data it seems to hold."""
    return withhold(text, protected_names, WITHHELD)


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
