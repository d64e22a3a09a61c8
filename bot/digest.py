"""The weekly digest, built from plain facts by pure functions and split into messages that fit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import date
from typing import Any

from bot.rules import progress_bar
from bot.views import ActionView, Chart, DeliveryProblem, Digest, DigestSection, ReviewProgress, UpdateLine
from storage.models import Rag, Status

DUE_SOON_DAYS = 14
LINES_PER_MESSAGE = 12  # about 3 blocks a line keeps a Slack message well inside 50 blocks


def review_progress(actions: Iterable[ActionView]) -> tuple[ReviewProgress, ...]:
    """Counts by displayed RAG and a progress bar per review, in review order."""
    by_review: dict[str, list[ActionView]] = {}
    for action in actions:
        by_review.setdefault(action.review_code, []).append(action)
    progress = []
    for code in sorted(by_review):
        members = by_review[code]
        count = {rag: sum(1 for a in members if a.rag is rag) for rag in Rag}
        done = sum(1 for a in members if a.status in (Status.COMPLETE, Status.SIGNED_OFF, Status.WITHDRAWN))
        progress.append(
            ReviewProgress(
                code=code,
                title=members[0].review_title,
                total=len(members),
                red=count[Rag.RED],
                amber=count[Rag.AMBER],
                green=count[Rag.GREEN],
                blue=count[Rag.BLUE],
                bar=progress_bar(done, len(members)),
            )
        )
    return tuple(progress)


def digest_sections(
    actions: Sequence[ActionView],
    updates: Sequence[UpdateLine],
    problems: Sequence[DeliveryProblem],
    today: date,
    unanswered: Sequence[DeliveryProblem] = (),
) -> list[DigestSection]:
    """Every heading of the digest, whole."""
    open_actions = [a for a in actions if a.status.is_open]
    overdue = sorted((a for a in open_actions if a.days_overdue), key=lambda a: (-a.days_overdue, a.ref))
    due_soon = sorted(
        (a for a in open_actions if not a.days_overdue and a.due and (a.due - today).days <= DUE_SOON_DAYS),
        key=lambda a: (a.due, a.ref),
    )
    waiting = sorted((a for a in actions if a.status is Status.COMPLETE), key=lambda a: a.ref)
    extensions = sorted((a for a in open_actions if a.pending_extension), key=lambda a: a.ref)
    return [
        DigestSection("Progress by review", reviews=review_progress(actions), empty="No actions yet."),
        DigestSection("Overdue", actions=tuple(overdue), empty="Nothing is overdue."),
        DigestSection(f"Due in the next {DUE_SOON_DAYS} days", actions=tuple(due_soon)),
        DigestSection("Updates this week", updates=tuple(updates), empty="No updates were posted this week."),
        DigestSection("Complete, waiting for sign-off", actions=tuple(waiting)),
        DigestSection("Extension requests waiting for the chair", actions=tuple(extensions)),
        DigestSection(
            "Impact checks not answered", problems=tuple(unanswered), empty="Every impact check has an answer."
        ),
        DigestSection(
            "Messages that did not get through", problems=tuple(problems), empty="Every message was delivered."
        ),
    ]


def _size(section: DigestSection) -> int:
    return max(1, len(section.actions) + len(section.reviews) + len(section.updates) + len(section.problems))


def _chunks(section: DigestSection, room: int) -> list[DigestSection]:
    """A section cut into pieces of at most ``room`` lines; pieces after the first say 'continued'."""
    pieces = []
    for field in ("actions", "reviews", "updates", "problems"):
        items = getattr(section, field)
        if items:
            for start in range(0, len(items), room):
                heading = section.heading if start == 0 else f"{section.heading} (continued)"
                changes: dict[str, Any] = {"heading": heading, field: tuple(items[start : start + room])}
                pieces.append(replace(section, **changes))
    return pieces or [section]


def split_digest(sections: Sequence[DigestSection], week: date, lines: int = LINES_PER_MESSAGE) -> list[Digest]:
    """Pack sections into messages of at most ``lines`` lines each, in order; nothing is dropped."""
    messages: list[list[DigestSection]] = [[]]
    used = 0
    for section in sections:
        for piece in _chunks(section, lines):
            size = _size(piece)
            if used and used + size > lines:
                messages.append([])
                used = 0
            messages[-1].append(piece)
            used += size
    return [Digest(week, number, len(messages), tuple(parts)) for number, parts in enumerate(messages, start=1)]


def digest_charts(parts: Sequence[Digest]) -> tuple[Chart, ...]:
    """The current RAG chart of each review in the digest, with its counts in words as the fallback."""
    from bot.reporting.charts import current_rag_chart  # matplotlib: only when a digest is sent

    charts = []
    for part in parts:
        for section in part.sections:
            for review in section.reviews:
                counts = {"red": review.red, "amber": review.amber, "green": review.green, "blue": review.blue}
                words = ", ".join(f"{count} {name}" for name, count in counts.items())
                title = f"{review.code} {review.title}: RAG today"
                charts.append(Chart(title, current_rag_chart(title, counts), f"{title}: {words}"))
    return tuple(charts)
