"""Loading: what a sheet refers to, fetched in one query per kind of thing, whatever the number of rows."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.errors import UnknownPerson
from bot.plans.report import RowError
from bot.plans.targets import AgencyLike, PersonLike, RecLike, _NewAgency, _NewPerson, _NewRecommendation, _NewReview
from bot.plans.vocabulary import _EMAIL, _REF, DEFAULT_KIND, _key, _name_key, _text, split_names
from storage.models import Action, Agency, Person, ProtectedName, Recommendation, Review, ReviewKind
from storage.spreadsheet import Sheet


class _Loader:
    """Holds what the sheet refers to (stored or to be created), loaded in a few queries."""

    def __init__(
        self,
        session: Session,
        sheets: list[Sheet],
        review: str | None,
        title: str | None,
        kind: ReviewKind | None,
        file_name: str,
    ) -> None:
        self.session = session
        self.sheets = sheets
        self.sheet = sheets[0]  # the sheet being checked
        self.default_review = review
        self.title = title
        self.kind = kind
        self.file_name = file_name
        self.errors: list[RowError] = []
        self.warnings: list[str] = []
        self.importer: Person | None = None
        self.reviews: dict[str, Review | _NewReview] = {}
        self.review_changes: dict[str, Any] = {}
        self.agencies: dict[str, AgencyLike] = {}
        self.agency_codes: set[str] = set()
        self.people_by_email: dict[str, PersonLike] = {}
        self.people_by_name: dict[str, list[PersonLike]] = defaultdict(list)
        self.recommendations: dict[tuple[str, str], RecLike] = {}  # (review code, number) -> recommendation
        self.recommendations_by_text: dict[tuple[str, str], RecLike] = {}  # (review code, wording key)
        self.recommendation_wording: dict[int, tuple[int, str]] = {}  # id(rec) -> (first row, its wording)
        self.recommendation_updates: dict[int, tuple[str, Recommendation, str]] = {}  # id(rec) -> new wording
        self.actions: dict[str, Action] = {}  # by ref, upper case
        self.seen_refs: dict[str, str] = {}  # ref -> where the sheet first gave it
        self.protected: list[str] = []
        self.new: list[_NewReview | _NewAgency | _NewPerson | _NewRecommendation] = []

    def load(self, person_email: str | None) -> None:
        rows = [row for sheet in self.sheets for row in sheet.rows]
        codes = {self.default_review} if self.default_review else set()
        emails = {person_email.strip().lower()} if person_email else set()
        names: set[str] = set()
        for row in rows:
            codes.add(_text(row.get("review")).upper())
            ref = _REF.fullmatch(_text(row.get("ref")).upper())
            if ref:
                codes.add(ref.group(1))
            for key in ("officer_email", "officer"):
                emails.update(_EMAIL.findall(_text(row.get(key)).lower()))
            names.update(_name_key(name) for name in split_names(_text(row.get("officer"))))
        codes.discard("")
        for review in self.session.scalars(select(Review).where(func.upper(Review.code).in_(codes))):
            self.reviews[review.code.upper()] = review
        for agency in self.session.scalars(select(Agency)):
            self._remember_agency(agency)
        people = self.session.scalars(
            select(Person).where(
                or_(func.lower(Person.email).in_(emails - {""}), func.lower(Person.name).in_(names - {""}))
            )
        )
        for person in people:
            self._remember_person(person)
        if person_email:
            importer = self.people_by_email.get(person_email.strip().lower())
            if not isinstance(importer, Person):
                raise UnknownPerson(f"No one with the e-mail {person_email} is known to the bot.")
            self.importer = importer
        review_ids = [review.id for review in self.reviews.values() if isinstance(review, Review)]
        for action in self.session.scalars(select(Action).where(Action.review_id.in_(review_ids))):
            self.actions[action.ref.upper()] = action
        by_id = {review.id: review for review in self.reviews.values() if isinstance(review, Review)}
        for recommendation in self.session.scalars(
            select(Recommendation).where(Recommendation.review_id.in_(review_ids))
        ):
            self._remember_recommendation(by_id[recommendation.review_id].code.upper(), recommendation)
        self.protected = list(self.session.scalars(select(ProtectedName.name).distinct()))
        self._prepare_default_review()

    def _prepare_default_review(self) -> None:
        code = self.default_review
        if code is None or self.title is None and self.kind is None:
            return
        existing = self.reviews.get(code)
        if existing is None:
            if self.title is None:
                return  # a kind alone cannot create a review: rows say "unknown review"
            created = _NewReview(code, self.title, self.kind or DEFAULT_KIND)
            self.reviews[code] = created
            self.new.append(created)
            return
        assert isinstance(existing, Review)
        if self.title is not None and existing.title != self.title:
            self.review_changes["title"] = (existing.title, self.title)
        if self.kind is not None and existing.kind != self.kind:
            self.review_changes["kind"] = (existing.kind, self.kind)

    def _remember_agency(self, agency: AgencyLike) -> None:
        self.agencies.setdefault(_key(agency.name), agency)
        self.agencies.setdefault(_key(agency.code), agency)
        self.agency_codes.add(agency.code.lower())

    def _remember_person(self, person: PersonLike) -> None:
        self.people_by_email[person.email.lower()] = person
        self.people_by_name[_name_key(person.name)].append(person)

    def _remember_recommendation(self, code: str, recommendation: RecLike) -> None:
        self.recommendations[(code, recommendation.number.strip().lower())] = recommendation
        if recommendation.text.strip():
            self.recommendations_by_text.setdefault((code, _key(recommendation.text)), recommendation)
