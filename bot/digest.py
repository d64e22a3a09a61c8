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
SHOWN = 5  # exceptions listed under each heading; the rest are counted, with the command that lists them all
REVIEWS_SHOWN = 10  # reviews with a progress line; a board with more is counted the same way
# The lists above are bounded (at most 48 lines with every one full), so a board of any size gets one message;
# only many messages that did not get through (all listed) split it, into parts that still fit.
LINES_PER_MESSAGE = 50
FULL_LIST = "/action outstanding"


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
    """The digest's headings: the counts first, then the exceptions, a few of each (the sub-group's agenda).

    Whatever the size of the board it is one message: each list shows its first SHOWN lines and says
    how many more there are and which command lists them all. Messages that did not get through are
    all listed (never dropped silently); a board with that many failures is split, never cut.
    """
    open_actions = [a for a in actions if a.status.is_open]
    overdue = sorted((a for a in open_actions if a.days_overdue), key=lambda a: (-a.days_overdue, a.ref))
    at_risk = sorted(
        (a for a in open_actions if not a.days_overdue and a.rag in (Rag.RED, Rag.AMBER)),
        key=lambda a: (a.rag is not Rag.RED, a.due or date.max, a.ref),
    )
    due_soon = [a for a in open_actions if not a.days_overdue and a.due and (a.due - today).days <= DUE_SOON_DAYS]
    waiting = sorted((a for a in actions if a.status is Status.COMPLETE), key=lambda a: (a.due or date.max, a.ref))
    extensions = sorted((a for a in open_actions if a.pending_extension), key=lambda a: a.ref)
    signed = sum(1 for a in actions if a.status is Status.SIGNED_OFF)
    counts = (
        ("actions", len(actions)), ("open", len(open_actions)), ("overdue", len(overdue)),
        ("at risk or off track", len(at_risk)), (f"due in the next {DUE_SOON_DAYS} days", len(due_soon)),
        ("extension requests", len(extensions)), ("awaiting sign-off", len(waiting)), ("signed off", signed),
        ("updates this week", len(updates)),
    )  # fmt: skip
    reviews = DigestSection("Progress by review", reviews=review_progress(actions), empty="No actions yet.")
    recent = DigestSection("Updates this week", updates=tuple(updates), empty="No updates were posted this week.")
    impact = DigestSection(
        "Impact checks not answered", problems=tuple(unanswered), empty="Every impact check has an answer."
    )
    return [
        DigestSection("At a glance", counts=counts),
        _first(reviews, "reviews", REVIEWS_SHOWN, FULL_LIST),
        _listed("Overdue", overdue, "/action list overdue", "Nothing is overdue."),
        _listed("At risk or off track", at_risk, FULL_LIST, "Nothing else is at risk."),
        _listed("Extension requests waiting for the chair", extensions, FULL_LIST),
        _listed("Complete, waiting for sign-off", waiting, "/action list status:complete"),
        _first(recent, "updates", SHOWN, None, newest=True),
        _first(impact, "problems", SHOWN, None),
        DigestSection(
            "Messages that did not get through", problems=tuple(problems), empty="Every message was delivered."
        ),
    ]


def _listed(heading: str, actions: Sequence[ActionView], command: str, empty: str = "None.") -> DigestSection:
    return _first(DigestSection(heading, actions=tuple(actions), empty=empty), "actions", SHOWN, command)


def _first(
    section: DigestSection, field: str, shown: int, command: str | None, *, newest: bool = False
) -> DigestSection:
    """The section with only its first ``shown`` lines (``newest``: its last), counting the rest and naming
    where they all are."""
    items = getattr(section, field)
    if len(items) <= shown:
        return section
    kept = tuple(items[-shown:] if newest else items[:shown])
    changes: dict[str, Any] = {field: kept, "more": len(items) - shown, "more_command": command}
    return replace(section, **changes)


def _size(section: DigestSection) -> int:
    lines = len(section.actions) + len(section.reviews) + len(section.updates) + len(section.problems)
    return max(1, lines + (1 if section.more else 0))


def _chunks(section: DigestSection, room: int) -> list[DigestSection]:
    """A section cut into pieces of at most ``room`` lines; pieces after the first say 'continued'."""
    pieces = []
    for field in ("actions", "reviews", "updates", "problems"):
        items = getattr(section, field)
        if items:
            for start in range(0, len(items), room):
                heading = section.heading if start == 0 else f"{section.heading} (continued)"
                changes: dict[str, Any] = {"heading": heading, field: tuple(items[start : start + room])}
                if start + room < len(items):
                    changes["more"] = 0  # "…and N more" goes under the section's last piece
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
