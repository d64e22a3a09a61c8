"""The columns of an action plan and how a board's own headings are matched to them, by meaning."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """A template column: its key, the heading we write, and the headings we accept for it."""

    key: str
    heading: str
    synonyms: tuple[str, ...] = ()


# The template's columns, in order. Headings are compared ignoring case, spaces, punctuation
# and anything in brackets ("Target date (dd/mm/yyyy)" is "Target Date"); see match_heading.
COLUMNS: tuple[Column, ...] = (
    Column("ref", "Ref", ("Action ref", "Reference", "Action no", "Action number", "Ref no", "No", "Number", "ID")),
    Column("review", "Review", ("Review code", "Case review", "Review ref")),
    Column("recommendation", "Recommendation", ("Rec", "Rec no", "Recommendation no", "Recommendation number")),
    Column("recommendation_text", "Recommendation Text", ("Recommendation detail", "Rec text")),
    Column(
        "action",
        "Action",
        ("Actions", "Action to be taken", "Actions required", "Agreed action", "Action description", "SMART action"),
    ),
    Column("plan", "Plan", ("Plan type", "Single or multi agency", "Single/multi")),
    Column("agency", "Lead Agency", ("Agency", "Organisation", "Organization", "Lead organisation", "Lead agencies")),
    Column("officer", "Lead Officer", ("Owner", "Responsible officer", "Responsible person", "Named lead", "Lead")),
    Column("officer_email", "Officer Email", ("Email", "E-mail", "Email address", "Lead officer email")),
    Column(
        "due",
        "Target Date",
        ("Timescale", "Timescales", "By when", "Due", "Due date", "Deadline", "Target", "Target completion date"),
    ),
    Column("original_due", "Original Target Date", ("Original due date", "Original timescale", "Original target")),
    Column("status", "Status", ("Action status", "Current status", "Progress status")),
    Column("rag", "RAG", ("BRAG", "RAG status", "BRAG status", "RAG rating", "BRAG rating")),
    Column("progress", "Progress", ("Progress update", "Update", "Updates", "Progress to date", "Latest update")),
    Column("evidence", "Evidence", ("Evidence of completion", "Evidence of impact", "Impact", "Outcome")),
    Column("completed_on", "Completed On", ("Completed", "Date completed", "Completion date", "Completed date")),
    Column("signed_off_on", "Signed Off On", ("Signed off", "Date signed off", "Sign off date", "Date closed")),
    Column("supporting", "Supporting Agencies", ("Partner agencies", "Other agencies", "Supporting agency")),
    # What rebuilds a review in an empty database: an export carries them, a board's plan need not.
    Column("review_title", "Review Title", ("Review name",)),
    Column("review_kind", "Review Kind", ("Review type",)),
    Column("review_started", "Review Started", ()),
    Column("review_published", "Review Published", ()),
)
COLUMN_BY_KEY: dict[str, Column] = {column.key: column for column in COLUMNS}
TEMPLATE_HEADINGS: tuple[str, ...] = tuple(column.heading for column in COLUMNS)

# When no heading matches exactly, the words it contains say what it is. Order matters:
# "Lead Agency" is an agency, "Lead Officer" an officer, "Original target date" not the target.
_MEANINGS: tuple[tuple[str, str], ...] = (
    (r"\be-?mail", "officer_email"),
    (r"\boriginal\b.*\b(target|due|timescale|deadline|date)", "original_due"),
    (r"\b(sign(ed)?[- ]?off|closed|closure)\b", "signed_off_on"),
    (r"\b(date (of )?complet\w*|complet\w* (date|on|by date))\b", "completed_on"),
    (r"\bb?rag\b", "rag"),
    (r"\bstatus\b", "status"),
    (r"\b(progress|update|updates|commentary)\b", "progress"),
    (r"\b(evidence|outcome|outcomes|impact|success|measure|assurance)\b", "evidence"),
    (r"\b(supporting|partner|other|contributing)\b.*\b(agenc\w*|organi[sz]ations?|partners?)\b", "supporting"),
    (r"\b(agenc\w*|organi[sz]ations?)\b", "agency"),
    (r"\b(officer|person|owner|manager|named lead|lead name|responsible|accountable)\b", "officer"),
    (r"\b(partner|service|lead)\b", "agency"),
    (r"\b(timescales?|target|due|deadline|by when|completion by|timeframe)\b", "due"),
    (r"\b(recommendation|rec)\b.*\b(no|number|ref|id)\b", "recommendation"),
    (r"\b(action|ref|item)\b.*\b(no|number|ref|id)\b", "ref"),
    (r"\brecommendations?\b", "recommendation"),
    (r"\b(actions?(?! plan)|what will be done|tasks?)\b", "action"),
    (r"\breview\b.*\b(title|name)\b", "review_title"),
    (r"\breview\b.*\b(kind|type)\b", "review_kind"),
    (r"\breview\b", "review"),
    (r"\b(single|multi|plan type)\b", "plan"),
)


def normalise_heading(text: str) -> str:
    """The form headings are compared in: lower case, '&' as 'and', letters and digits only."""
    return re.sub(r"[^a-z0-9]", "", text.lower().replace("&", "and"))


_HEADINGS: dict[str, str] = {}
for _column in COLUMNS:
    for _name in (_column.heading, _column.key, *_column.synonyms):
        _HEADINGS.setdefault(normalise_heading(_name), _column.key)


def match_heading(text: str) -> str | None:
    """The column key a heading means, or None when it is not one of ours.

    Tried in turn: the heading as written, without brackets, each part of a combined
    heading ("Target Date / Timescale"), then the words it contains.
    """
    plain = " ".join(re.sub(r"\([^)]*\)|\[[^\]]*\]", " ", text).split())
    parts = [part for part in re.split(r"\s*(?:/|\\|\n|\bor\b)\s*", plain) if part.strip()]
    for candidate in (text, plain, *parts):
        key = _HEADINGS.get(normalise_heading(candidate))
        if key:
            return key
    words = " ".join(re.sub(r"[^a-z0-9&]+", " ", plain.lower()).split())
    for pattern, key in _MEANINGS:
        if re.search(pattern, words):
            return key
    return None
