"""What a checked row asks for: the things an import may create, and the values an action should have."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from storage.models import Action, Agency, Person, Plan, Rag, Recommendation, Review, ReviewKind, Status


@dataclass(eq=False)
class _NewReview:
    code: str
    title: str
    kind: ReviewKind
    id: int | None = None
    started: date | None = None
    published: date | None = None


@dataclass(eq=False)
class _NewAgency:
    code: str
    name: str
    id: int | None = None


@dataclass(eq=False)
class _NewPerson:
    name: str
    email: str
    agency: Agency | _NewAgency
    id: int | None = None


@dataclass(eq=False)
class _NewRecommendation:
    review: Review | _NewReview
    number: str
    text: str
    id: int | None = None


AgencyLike = Agency | _NewAgency
PersonLike = Person | _NewPerson
RecLike = Recommendation | _NewRecommendation
_KEEP: Any = object()  # a blank cell on an existing action: leave the stored value


@dataclass
class _Target:
    """One valid row: the values the action should have (``_KEEP`` or None where the sheet is blank)."""

    row: int
    review: Review | _NewReview
    ref: str | None
    text: str
    agency: AgencyLike
    due: date | None
    owner: Any = _KEEP  # PersonLike | None | _KEEP
    plan: Plan | None = None
    original_due: date | None = None
    status: Status | None = None
    rag: Rag | None = None
    progress: str | None = None
    evidence: str | None = None
    completed_on: date | None = None
    signed_off_on: date | None = None
    recommendation: RecLike | None = None
    action: Action | None = None
    owner_problem: str | None = None  # why the Lead Officer cell gave no owner
    target: str | None = None  # the plan's wording when it names no date ("Ongoing")
    lead_name: str | None = None  # a lead officer named without an e-mail address
    supporting_agencies: list[AgencyLike] = field(default_factory=list)
    supporting_owners: list[PersonLike] = field(default_factory=list)
    where: str = ""  # "sheet 'Multi-agency', row 7" for notes and warnings
