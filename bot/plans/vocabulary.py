"""The words of an action-plan sheet: labels we write, words we accept, and how a cell is read."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from storage.models import Plan, Rag, ReviewKind, Status
from storage.spreadsheet import Cell

DEFAULT_KIND = ReviewKind.CASE_REVIEW  # a new review's kind when the caller gives a title but no kind

STATUS_LABELS = {
    Status.NOT_STARTED: "Not started",
    Status.IN_PROGRESS: "In progress",
    Status.COMPLETE: "Complete",
    Status.SIGNED_OFF: "Signed off",
    Status.WITHDRAWN: "Withdrawn",
}
RAG_LABELS = {Rag.GREEN: "Green", Rag.AMBER: "Amber", Rag.RED: "Red", Rag.BLUE: "Blue"}
PLAN_LABELS = {Plan.SINGLE_AGENCY: "Single agency", Plan.MULTI_AGENCY: "Multi-agency"}

STATUS_WORDS: dict[str, Status] = {
    "not started": Status.NOT_STARTED,
    "not yet started": Status.NOT_STARTED,
    "to do": Status.NOT_STARTED,
    "in progress": Status.IN_PROGRESS,
    "ongoing": Status.IN_PROGRESS,
    "on going": Status.IN_PROGRESS,
    "started": Status.IN_PROGRESS,
    "underway": Status.IN_PROGRESS,
    "under way": Status.IN_PROGRESS,
    "complete": Status.COMPLETE,
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "signed off": Status.SIGNED_OFF,
    "closed": Status.SIGNED_OFF,
    # The words boards write in their own plans (README "Status and RAG words").
    "not yet due": Status.NOT_STARTED,
    "not due": Status.NOT_STARTED,
    "open": Status.IN_PROGRESS,
    "partially complete": Status.IN_PROGRESS,
    "partially completed": Status.IN_PROGRESS,
    "partially achieved": Status.IN_PROGRESS,
    "part complete": Status.IN_PROGRESS,
    "part completed": Status.IN_PROGRESS,
    "in hand": Status.IN_PROGRESS,
    "on track": Status.IN_PROGRESS,
    "on target": Status.IN_PROGRESS,
    "delayed": Status.IN_PROGRESS,
    "behind": Status.IN_PROGRESS,
    "at risk": Status.IN_PROGRESS,
    "overdue": Status.IN_PROGRESS,
    "not achieved": Status.IN_PROGRESS,
    "achieved": Status.COMPLETE,
    "fully achieved": Status.COMPLETE,
    "met": Status.COMPLETE,
    "implemented": Status.COMPLETE,
    "embedded": Status.COMPLETE,
    "complete awaiting sign off": Status.COMPLETE,
    "completed awaiting sign off": Status.COMPLETE,
    "complete and evidenced": Status.COMPLETE,
    "completed and evidenced": Status.COMPLETE,
    "complete evidenced": Status.COMPLETE,
    "closed signed off": Status.SIGNED_OFF,
    "signed off closed": Status.SIGNED_OFF,
    "agreed closed": Status.SIGNED_OFF,
    "closed by board": Status.SIGNED_OFF,
}
# The owner's view said in words (a status word in the RAG column is read as the status).
RAG_PHRASES: dict[str, Rag] = {
    "on track": Rag.GREEN,
    "on target": Rag.GREEN,
    "not yet due": Rag.GREEN,
    "at risk": Rag.AMBER,
    "delayed": Rag.AMBER,
    "behind": Rag.AMBER,
    "partially complete": Rag.AMBER,
    "off track": Rag.RED,
    "overdue": Rag.RED,
    "not achieved": Rag.RED,
    "red amber": Rag.RED,
    "amber red": Rag.RED,
    "amber green": Rag.AMBER,
    "green amber": Rag.AMBER,
}
RAG_WORDS: dict[str, Rag] = {
    "red": Rag.RED,
    "r": Rag.RED,
    "amber": Rag.AMBER,
    "a": Rag.AMBER,
    "green": Rag.GREEN,
    "g": Rag.GREEN,
    "blue": Rag.BLUE,
    "b": Rag.BLUE,
}
PLAN_WORDS: dict[str, Plan] = {
    "single": Plan.SINGLE_AGENCY,
    "singleagency": Plan.SINGLE_AGENCY,
    "sa": Plan.SINGLE_AGENCY,
    "multi": Plan.MULTI_AGENCY,
    "multiagency": Plan.MULTI_AGENCY,
    "ma": Plan.MULTI_AGENCY,
}
CHOICES = {
    "status": list(STATUS_LABELS.values()),
    "rag": list(RAG_LABELS.values()),
    "plan": list(PLAN_LABELS.values()),
}
INSTRUCTIONS: tuple[tuple[str, str], ...] = (
    ("Ref", "The plan's own action number (1.1, CSC1 or CC-3). Blank: the review's next number. Keep it to update."),
    ("Review", "The review's code, e.g. CC. May be left out when the import names the review."),
    ("Recommendation", "The recommendation's number, e.g. 1 or 2.3 (optional)."),
    ("Recommendation Text", "The recommendation's wording (optional)."),
    ("Action", "Required: what will be done."),
    ("Plan", "Single agency or Multi-agency (blank: the sheet's name or band says, else single agency)."),
    ("Lead Agency", "Required: the agency's name or code. A joint lead (Police / CSC): the first leads."),
    ("Lead Officer", "The owner's name. Without an e-mail it is kept as the named lead until an address is known."),
    ("Officer Email", "The owner's work e-mail: the bot finds people by it. Two addresses: the second supports."),
    (
        "Target Date",
        "A UK date (31/03/2026), a month (March 2026: its last day) or a financial quarter (Q3 2025/26: "
        "31 Dec 2025). Wording such as Ongoing is kept and listed as needing a date.",
    ),
    ("Original Target Date", "Kept when the target moves (blank: the target date)."),
    ("Status", "Not started, In progress, Complete (awaiting sign-off), Signed off; boards' words are accepted."),
    ("RAG", "The owner's view: Green on track, Amber at risk, Red off track; Blue means complete and evidenced."),
    ("Progress", "The latest progress note."),
    ("Evidence", "Evidence of completion and impact."),
    ("Completed On", "The date the action was completed: it goes into the action's history on that date."),
    ("Signed Off On", "The date the board signed the action off: it goes into the history on that date."),
    ("Supporting Agencies", "Agencies that support the lead agency, separated by / or ;."),
    ("Review Title", "The review's title (SCR Child C): creates the review when it is not known yet."),
    ("Review Kind", "scr, case_review, learning_review, good_practice or external."),
    ("Review Started", "The date the review started (optional)."),
    ("Review Published", "The date the review was published (optional)."),
)


_EMAIL = re.compile(r"[^@\s<>(),;:\"']+@[^@\s<>(),;:\"']+\.[a-z]{2,}", re.ASCII)
_REVIEW_CODE = re.compile(r"[A-Z0-9_]{1,20}", re.ASCII)
_REF = re.compile(r"([A-Z0-9_]{1,20})\s*[-\u2010-\u2015]\s*(\S.*)")  # CC-3, CR - 1.1, CR-CSC1
_PLAN_NUMBER = re.compile(r"[A-Z0-9][A-Z0-9./_-]{0,19}")  # the board's own action number: 3, 1.1, CSC1
OWNER_SIDE = {"progress", "evidence", "status", "rag"}  # a change here counts as news from the owner


def _text(value: Cell) -> str:
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return value.strip()


def _email_text(value: Cell) -> str:
    text = _text(value).lower()
    return text[len("mailto:") :] if text.startswith("mailto:") else text


def _key(text: str) -> str:
    """Names compared ignoring case, spacing and punctuation ("Children's" is "childrens")."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


def _name_key(name: str) -> str:
    return " ".join(name.lower().split())


def _ref_number(ref: str) -> int:
    """A ref's sequence number (CC-3: 3); 0 for a board's own number such as CR-1.1."""
    tail = ref.split("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def ref_order(ref: str) -> tuple[Any, ...]:
    """Refs in the plan's order: CR-1.2 before CR-1.10, CC-2 before CC-10."""
    code, _, number = ref.upper().partition("-")
    parts = re.findall(r"\d+|[^\d.]+", number)
    return (code, *((0, int(part), "") if part.isdigit() else (1, 0, part) for part in parts))


_SPLIT = re.compile(r"\s*(?:/|;|\n|\s\+\s|,)\s*")


def split_names(text: str) -> list[str]:
    """The parts of a joint cell: "Police / CSC", "Jo Bloggs; Sam Smith" (an '&' or 'and' is part of a name)."""
    return [" ".join(part.split()) for part in _SPLIT.split(text) if part.strip()]
