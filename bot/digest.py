"""The weekly digest, built from plain facts by pure functions and split into messages that fit."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Generic, TypeVar

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
T = TypeVar("T")


@dataclass(frozen=True)
class Listed(Generic[T]):
    """The first few lines of one of the digest's lists, and how many lines the whole list has."""

    shown: tuple[T, ...]
    total: int


@dataclass(frozen=True)
class DigestFacts:
    """What the digest says: its counts and the first lines of each list, counted in SQL
    (bot.jobs.digest_queries) or from every action's view (``digest_facts``, the same rules in Python)."""

    actions: int
    open: int
    due_soon: int
    signed: int
    reviews: Listed[ReviewProgress]  # in code order
    overdue: Listed[ActionView]  # most overdue first
    at_risk: Listed[ActionView]  # red before amber, soonest due first
    extensions: Listed[ActionView]  # by ref
    waiting: Listed[ActionView]  # complete, awaiting sign-off: soonest due first
    updates: Listed[UpdateLine]  # the newest, oldest of them first
    unanswered: Listed[DeliveryProblem]
    problems: tuple[DeliveryProblem, ...]  # all of them: never dropped


def first(items: Sequence[T], shown: int = SHOWN, *, newest: bool = False) -> Listed[T]:
    """A list's first ``shown`` lines (``newest``: its last), with its length."""
    kept = items[-shown:] if newest and len(items) > shown else items[:shown]
    return Listed(tuple(kept), len(items))


def review_progress(actions: Iterable[ActionView]) -> tuple[ReviewProgress, ...]:
    """Counts by displayed RAG and a progress bar per review, in review order."""
    by_review: dict[str, list[ActionView]] = {}
    for action in actions:
        by_review.setdefault(action.review_code, []).append(action)
    progress = []
    for code in sorted(by_review):
        members = by_review[code]
        count = {rag: sum(1 for a in members if a.rag is rag) for rag in Rag}
        done = sum(1 for a in members if not a.status.is_open)
        progress.append(
            progress_of(code, members[0].review_title, count[Rag.RED], count[Rag.AMBER], count[Rag.GREEN], done)
        )
    return tuple(progress)


def progress_of(code: str, title: str, red: int, amber: int, green: int, done: int) -> ReviewProgress:
    """A review's line: its counts by displayed RAG (done actions are blue) and a bar of the done ones."""
    total = red + amber + green + done
    return ReviewProgress(code, title, total, red, amber, green, done, progress_bar(done, total))


def digest_facts(
    actions: Sequence[ActionView],
    updates: Sequence[UpdateLine],
    problems: Sequence[DeliveryProblem],
    today: date,
    unanswered: Sequence[DeliveryProblem] = (),
) -> DigestFacts:
    """The digest's facts from every action's view: the rules bot.jobs.digest_queries counts in SQL."""
    open_actions = [a for a in actions if a.status.is_open]
    overdue = sorted((a for a in open_actions if a.days_overdue), key=lambda a: (-a.days_overdue, a.ref))
    at_risk = sorted(
        (a for a in open_actions if not a.days_overdue and a.rag in (Rag.RED, Rag.AMBER)),
        key=lambda a: (a.rag is not Rag.RED, a.due or date.max, a.ref),
    )
    due_soon = [a for a in open_actions if not a.days_overdue and a.due and (a.due - today).days <= DUE_SOON_DAYS]
    waiting = sorted((a for a in actions if a.status is Status.COMPLETE), key=lambda a: (a.due or date.max, a.ref))
    extensions = sorted((a for a in open_actions if a.pending_extension), key=lambda a: a.ref)
    return DigestFacts(
        actions=len(actions),
        open=len(open_actions),
        due_soon=len(due_soon),
        signed=sum(1 for a in actions if a.status is Status.SIGNED_OFF),
        reviews=first(review_progress(actions), REVIEWS_SHOWN),
        overdue=first(overdue),
        at_risk=first(at_risk),
        extensions=first(extensions),
        waiting=first(waiting),
        updates=first(updates, newest=True),
        unanswered=first(unanswered),
        problems=tuple(problems),
    )


def digest_sections(
    actions: Sequence[ActionView],
    updates: Sequence[UpdateLine],
    problems: Sequence[DeliveryProblem],
    today: date,
    unanswered: Sequence[DeliveryProblem] = (),
) -> list[DigestSection]:
    """The digest's headings from every action's view (``digest_facts``, then ``sections``)."""
    return sections(digest_facts(actions, updates, problems, today, unanswered))


def sections(facts: DigestFacts) -> list[DigestSection]:
    """The digest's headings: the counts first, then the exceptions, a few of each (the sub-group's agenda).

    Whatever the size of the board it is one message: each list shows its first SHOWN lines and says
    how many more there are and which command lists them all. Messages that did not get through are
    all listed (never dropped silently); a board with that many failures is split, never cut.
    """
    counts = (
        ("actions", facts.actions), ("open", facts.open), ("overdue", facts.overdue.total),
        ("at risk or off track", facts.at_risk.total), (f"due in the next {DUE_SOON_DAYS} days", facts.due_soon),
        ("extension requests", facts.extensions.total), ("awaiting sign-off", facts.waiting.total),
        ("signed off", facts.signed), ("updates this week", facts.updates.total),
    )  # fmt: skip
    return [
        DigestSection("At a glance", counts=counts),
        _more(
            DigestSection("Progress by review", reviews=facts.reviews.shown, empty="No actions yet."),
            facts.reviews,
            FULL_LIST,
        ),
        _listed("Overdue", facts.overdue, "/action list overdue", "Nothing is overdue."),
        _listed("At risk or off track", facts.at_risk, FULL_LIST, "Nothing else is at risk."),
        _listed("Extension requests waiting for the chair", facts.extensions, FULL_LIST),
        _listed("Complete, waiting for sign-off", facts.waiting, "/action list status:complete"),
        _more(
            DigestSection("Updates this week", updates=facts.updates.shown, empty="No updates were posted this week."),
            facts.updates,
            None,
        ),
        _more(
            DigestSection(
                "Impact checks not answered", problems=facts.unanswered.shown, empty="Every impact check has an answer."
            ),
            facts.unanswered,
            None,
        ),
        DigestSection(
            "Messages that did not get through", problems=facts.problems, empty="Every message was delivered."
        ),
    ]


def _listed(heading: str, actions: Listed[ActionView], command: str, empty: str = "None.") -> DigestSection:
    return _more(DigestSection(heading, actions=actions.shown, empty=empty), actions, command)


def _more(section: DigestSection, listed: Listed[Any], command: str | None) -> DigestSection:
    """The section, saying how many lines of its list are left out and where they all are."""
    left = listed.total - len(listed.shown)
    return replace(section, more=left, more_command=command) if left > 0 else section


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
