"""The words of the report: figures as sentences, ratios, percentages, counted nouns, dates."""

from __future__ import annotations

import re
from datetime import date

from bot.reporting.model import Counts, Report, long_date, month_label


def counts_sentence(counts: Counts) -> str:
    parts = [
        f"{count(counts.total, 'action')}: {counts.completed} completed "
        f"({counts.signed_off} signed off, {counts.awaiting_sign_off} awaiting sign-off), "
        f"{counts.open} open, {counts.overdue} overdue; {counts.completed_in_period} completed in the period."
    ]
    if counts.due_original:
        parts.append(
            f"Of the {count(counts.due_original, 'action')} due in the period by their original target date, "
            f"{counts.on_time_original} ({pct(counts.pct_on_time_original)}) were completed by it"
        )
        if counts.due_agreed:
            parts[-1] += (
                f"; by the agreed date, {counts.on_time_agreed} of {counts.due_agreed} "
                f"({pct(counts.pct_on_time_agreed)})."
            )
        else:
            parts[-1] += "."
    else:
        parts.append("No action was due in the period by its original target date.")
    if counts.completed_late:
        parts.append(
            f"{count(counts.completed_late, 'action')} completed late, by a median of "
            f"{number(counts.median_days_late)} days."
        )
    parts.append(
        f"Extensions: {counts.extensions_asked} asked, {counts.extensions_granted} granted, "
        f"{counts.extensions_declined} declined, {counts.extensions_waiting} waiting for a decision."
    )
    return " ".join(parts)


def flow_alt(report: Report) -> str:
    months = "; ".join(
        f"{month_label(flow.month)}: {flow.due_original} due (original), {flow.due_agreed} due (agreed), "
        f"{flow.completed} completed"
        for flow in report.flow
        if flow.due_original or flow.due_agreed or flow.completed
    )
    return f"Actions due and completed each month, {report.period.describe()}. {months or 'None.'}"


def ratio(part: int, whole: int) -> str:
    return f"{part} of {whole} ({pct(part / whole)})" if whole else "none due"


def pct(value: float | None) -> str:
    return "n/a" if value is None else f"{round(value * 100)}%"


def number(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if value == int(value) else f"{value:.1f}"


def count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"


def times(number: int) -> str:
    return "once" if number == 1 else "twice" if number == 2 else f"{number} times"


def days(number: int) -> str:
    return count(number, "day")


def maybe_date(day: date | None) -> str:
    return long_date(day) if day is not None else "(date not recorded)"


def slug(code: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]", "_", code)
