"""The words of an action-plan sheet: labels we write, words we accept, and how a cell is read."""

from __future__ import annotations

import re
from datetime import date

from storage.models import Plan, Rag, ReviewKind, Status
from storage.spreadsheet import Cell

DEFAULT_KIND = ReviewKind.CASE_REVIEW  # a new review's kind when the caller gives a title but no kind

STATUS_LABELS = {
    Status.NOT_STARTED: "Not started",
    Status.IN_PROGRESS: "In progress",
    Status.COMPLETE: "Complete",
    Status.SIGNED_OFF: "Signed off",
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
    (
        "Ref",
        "Leave blank for a new action: it gets the review's next number (CC-1, CC-2...). Keep it to update.",
    ),
    ("Review", "The review's code, e.g. CC. May be left out when the import names the review."),
    ("Recommendation", "The recommendation's number, e.g. 1 or 2.3 (optional)."),
    ("Recommendation Text", "The recommendation's wording (optional)."),
    ("Action", "Required: what will be done."),
    ("Plan", "Single agency or Multi-agency (blank: single agency)."),
    ("Lead Agency", "Required: the agency's name or code; a new name creates the agency."),
    ("Lead Officer", "The owner's name. With an e-mail, a new officer is added; without one, a known name."),
    ("Officer Email", "The owner's work e-mail: the bot finds people by it."),
    ("Target Date", "Required: a UK date (31/03/2026), or a month (March 2026) meaning its last day."),
    ("Original Target Date", "Kept when the target moves (blank: the target date)."),
    (
        "Status",
        "Not started, In progress (Ongoing), Complete (Done: awaiting sign-off), Signed off (Closed).",
    ),
    ("RAG", "The owner's view: Green on track, Amber at risk, Red off track; Blue means complete."),
    ("Progress", "The latest progress note."),
    ("Evidence", "Evidence of completion and impact."),
    ("Completed On", "The date the action was completed."),
    ("Signed Off On", "The date the board signed the action off."),
)

_EMAIL = re.compile(r"[^@\s<>(),;:\"']+@[^@\s<>(),;:\"']+\.[a-z]{2,}", re.ASCII)
_REVIEW_CODE = re.compile(r"[A-Z0-9_]{1,20}", re.ASCII)
_REF = re.compile(r"(\S+?)\s*[-\u2010-\u2015\s]\s*0*(\d{1,9})")  # CC-3, cc 3, CC – 03
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
    tail = ref.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0
