"""Import and export action plans: every row is checked, then all are applied in one transaction or none.

The rules a board sees (the README repeats them):

- A sheet with any bad row is refused whole, listing every bad row; the database is unchanged.
- Actions are matched by ref; a row without a ref matches an action of its review with the
  same text, else becomes the review's next ref. Re-importing a sheet changes nothing.
- A blank cell in an optional column keeps what is stored (so re-loading an old sheet never
  undoes progress reported in chat); on a new action it takes the column's default.
- Actions of the sheet's reviews that are not in the sheet are left alone.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from bot.anonymity import find_identifying_data
from bot.changes import record_change
from bot.dates import SHEET_HINT, format_date, parse_sheet_date
from bot.errors import BadDate, UnknownPerson, UsageError, UserError
from storage.models import (
    Action,
    Agency,
    Person,
    Plan,
    ProtectedName,
    Rag,
    Recommendation,
    Review,
    ReviewKind,
    Role,
    Status,
    Update,
)
from storage.spreadsheet import (
    COLUMN_BY_KEY,
    CSV_SUFFIXES,
    XLSX_SUFFIXES,
    Cell,
    Sheet,
    SheetFormatError,
    SheetRow,
    read_sheet,
    write_sheet,
    write_table,
)

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
_SLUG_SKIP = {"and", "of", "the", "for"}
OWNER_SIDE = {"progress", "evidence", "status", "rag"}  # a change here counts as news from the owner


# --- Errors and the report ------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One problem with one cell of the sheet."""

    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.column}: {self.reason}"


class SheetRejected(UserError):
    """The sheet has bad rows: none of it was imported. ``errors`` lists every one."""

    def __init__(self, errors: list[RowError], source: str = "the sheet") -> None:
        self.errors = errors
        rows = len({error.row for error in errors})
        lines = "\n".join(f"  {error}" for error in errors)
        message = (
            f"{source} was not imported and nothing was changed: "
            f"{_count(len(errors), 'problem')} in {_count(rows, 'row')}.\n{lines}"
        )
        hint = "Fix these rows and import the sheet again (a dry run checks it without importing)."
        if any("date" in error.column.lower() or error.column.endswith(" On") for error in errors):
            hint += "\n" + SHEET_HINT
        super().__init__(message, hint)


class SheetUnreadable(UserError):
    """The file is not a sheet we can read (wrong type, no header row, no such sheet)."""


@dataclass
class ImportReport:
    """What an import did (or, in a dry run, would do)."""

    source: str
    dry_run: bool = False
    added: list[str] = field(default_factory=list)
    changed: dict[str, dict[str, tuple[str, str]]] = field(default_factory=dict)
    unchanged: int = 0
    warnings: list[str] = field(default_factory=list)
    not_in_sheet: list[str] = field(default_factory=list)  # actions of the sheet's reviews left alone
    reviews_added: list[str] = field(default_factory=list)
    reviews_changed: list[str] = field(default_factory=list)
    agencies_added: list[str] = field(default_factory=list)
    people_added: list[str] = field(default_factory=list)
    recommendations_changed: list[str] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)

    def render(self) -> str:
        """The report as plain text for the command line."""
        head = f"Dry run of {self.source}: nothing was written." if self.dry_run else f"Imported {self.source}."
        lines = [head]
        lines.append(f"Added: {len(self.added)}" + (f" ({', '.join(self.added)})" if self.added else ""))
        lines.append(f"Changed: {len(self.changed)}")
        for ref, fields in self.changed.items():
            details = "; ".join(
                f"{name}: {old or '(blank)'} -> {new or '(blank)'}" for name, (old, new) in fields.items()
            )
            lines.append(f"  {ref}: {details}")
        lines.append(f"Unchanged: {self.unchanged}")
        for label, items in (
            ("New reviews", self.reviews_added),
            ("Reviews changed", self.reviews_changed),
            ("New agencies", self.agencies_added),
            ("New people", self.people_added),
            ("Recommendations changed", self.recommendations_changed),
        ):
            if items:
                lines.append(f"{label}: {', '.join(items)}")
        if self.not_in_sheet:
            lines.append(
                f"Not in the sheet, left alone: {_count(len(self.not_in_sheet), 'action')} "
                f"({', '.join(self.not_in_sheet)})"
            )
        if self.ignored_columns:
            lines.append(f"Columns ignored: {', '.join(self.ignored_columns)}")
        if self.warnings:
            lines.append("Warnings:")
            lines.extend(f"  {warning}" for warning in self.warnings)
        return "\n".join(lines)


# --- Things an import may create -----------------------------------------------------------------


@dataclass(eq=False)
class _NewReview:
    code: str
    title: str
    kind: ReviewKind
    id: int | None = None


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
    due: date
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


# --- Public API ----------------------------------------------------------------------------------


def import_plan(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    now: datetime,
    review: str | None = None,
    title: str | None = None,
    kind: ReviewKind | None = None,
    dry_run: bool = False,
    person_email: str | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Import an action plan from a .csv or .xlsx file, all rows or none; SheetRejected lists bad rows."""
    try:
        table = read_sheet(path, sheet)
    except SheetFormatError as error:
        raise SheetUnreadable(str(error)) from None
    except OSError as error:
        raise SheetUnreadable(f"Cannot read {path}: {error.strerror or error}.") from None
    return import_sheet(
        sessions,
        table,
        now=now,
        review=review,
        title=title,
        kind=kind,
        dry_run=dry_run,
        person_email=person_email,
        file_name=path.name,
    )


def import_sheet(
    sessions: sessionmaker[Session],
    sheet: Sheet,
    *,
    now: datetime,
    review: str | None = None,
    title: str | None = None,
    kind: ReviewKind | None = None,
    dry_run: bool = False,
    person_email: str | None = None,
    file_name: str = "FILE",
) -> ImportReport:
    """Import rows already read from a sheet (``import_plan`` and the demo data both come through here)."""
    if now.tzinfo is None:
        raise ValueError("now must be time-zone aware")
    code = review.strip().upper() if review and review.strip() else None
    if code is not None and not _REVIEW_CODE.fullmatch(code):
        raise UsageError(f"'{review}' is not a review code: use letters and digits, e.g. CC.")
    if (title or kind) and code is None:
        raise UsageError("A review title or kind needs the review's code too (--review CODE).")
    with sessions.begin() as session:
        importer = _Importer(session, sheet, code, title.strip() if title else None, kind, file_name)
        importer.load(person_email)
        targets = importer.check()
        report = importer.compare(targets, dry_run)
        if not dry_run:
            importer.apply(targets, now)
    return report


def export_plan(sessions: sessionmaker[Session], path: Path, *, reviews: list[str] | None = None) -> int:
    """Write actions (all, or those of the given review codes) to .csv or .xlsx in the template layout."""
    if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise UsageError(f"{path.name}: export to a .csv or .xlsx file.")
    codes = sorted({code.strip().upper() for code in reviews or [] if code.strip()})
    with sessions.begin() as session:
        query = select(Action).join(Review, Action.review_id == Review.id)
        if reviews is not None:
            known = set(session.scalars(select(func.upper(Review.code)).where(func.upper(Review.code).in_(codes))))
            unknown = [code for code in codes if code not in known]
            if unknown:
                raise UserError(f"No review with code {', '.join(unknown)}.")
            query = query.where(func.upper(Review.code).in_(codes))
        actions = sorted(session.scalars(query), key=lambda action: (action.review.code, _ref_number(action.ref)))
        rows = [_export_row(action) for action in actions]
    return write_sheet(path, rows, choices=CHOICES)


UPDATE_HEADINGS = ("At", "Ref", "Review", "Kind", "Source", "By", "By Email", "Changes", "Note")
LONDON = ZoneInfo("Europe/London")  # the default BOT_TIMEZONE
_ID_FIELDS = {"agency_id", "owner_id", "completed_by_id", "signed_off_by_id", "recommendation_id"}


def export_updates(
    sessions: sessionmaker[Session],
    path: Path,
    *,
    reviews: list[str] | None = None,
    timezone: ZoneInfo = LONDON,
) -> int:
    """Write every recorded change (oldest first) to .csv or .xlsx: who, when, from where, what."""
    if path.suffix.lower() not in CSV_SUFFIXES + XLSX_SUFFIXES:
        raise UsageError(f"{path.name}: export to a .csv or .xlsx file.")
    with sessions.begin() as session:
        query = (
            select(Update, Action.ref, Review.code)
            .join(Action, Update.action_id == Action.id)
            .join(Review, Action.review_id == Review.id)
            .order_by(Update.at, Update.id)
        )
        if reviews is not None:
            query = query.where(func.upper(Review.code).in_([code.strip().upper() for code in reviews]))
        entries = session.execute(query).all()
        # Ids in the change log are shown as names: one query per kind, not one per change.
        names: dict[str, dict[int, str]] = {
            "agency": {row.id: row.name for row in session.execute(select(Agency.id, Agency.name))},
            "person": {row.id: row.name for row in session.execute(select(Person.id, Person.name))},
            "recommendation": {
                row.id: row.number for row in session.execute(select(Recommendation.id, Recommendation.number))
            },
        }
        records: list[list[Cell | None]] = [
            [
                update.at.astimezone(timezone).isoformat(timespec="seconds"),
                ref,
                code,
                update.kind,
                update.source,
                update.person.name if update.person else None,
                update.person.email if update.person else None,
                "; ".join(
                    _change_text(name, old, new, names)
                    for name, (old, new) in update.changes.items()
                    if name != "review_id"  # the Review column says it
                ),
                update.note,
            ]
            for update, ref, code in entries
        ]
    return write_table(path, UPDATE_HEADINGS, records, title="Changes")


def _change_text(name: str, old: Any, new: Any, names: dict[str, dict[int, str]]) -> str:
    if name in _ID_FIELDS:
        table = names[
            "agency" if name == "agency_id" else "recommendation" if name == "recommendation_id" else "person"
        ]
        name = name.removesuffix("_id")
        old, new = (table.get(value, value) if isinstance(value, int) else value for value in (old, new))
    return f"{name}: {'(blank)' if old is None else old} -> {'(blank)' if new is None else new}"


def _export_row(action: Action) -> dict[str, Cell | None]:
    recommendation = action.recommendation
    return {
        "ref": action.ref,
        "review": action.review.code,
        "recommendation": recommendation.number if recommendation else None,
        "recommendation_text": recommendation.text if recommendation else None,
        "action": action.text,
        "plan": PLAN_LABELS[action.plan],
        "agency": action.agency.name,
        "officer": action.owner.name if action.owner else None,
        "officer_email": action.owner.email if action.owner else None,
        "due": action.due,
        "original_due": action.original_due,
        "status": STATUS_LABELS[action.status],
        "rag": RAG_LABELS[action.rag],
        "progress": action.progress,
        "evidence": action.evidence,
        "completed_on": action.completed_on,
        "signed_off_on": action.signed_off_on,
    }


# --- The importer --------------------------------------------------------------------------------


class _Importer:
    """Loads what the sheet refers to in a few queries, checks every row, then compares and applies."""

    def __init__(
        self,
        session: Session,
        sheet: Sheet,
        review: str | None,
        title: str | None,
        kind: ReviewKind | None,
        file_name: str,
    ) -> None:
        self.session = session
        self.sheet = sheet
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
        self.protected: dict[int, list[str]] = defaultdict(list)
        self.new: list[_NewReview | _NewAgency | _NewPerson | _NewRecommendation] = []

    # Loading: one query per kind of thing, whatever the number of rows.

    def load(self, person_email: str | None) -> None:
        rows = self.sheet.rows
        codes = {self.default_review} if self.default_review else set()
        emails = {person_email.strip().lower()} if person_email else set()
        names = set()
        for row in rows:
            codes.add(_text(row.get("review")).upper())
            ref = _REF.fullmatch(_text(row.get("ref")).upper())
            if ref:
                codes.add(ref.group(1))
            emails.add(_email_text(row.get("officer_email")))
            names.add(_name_key(_text(row.get("officer"))))
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
        for protected in self.session.scalars(select(ProtectedName).where(ProtectedName.review_id.in_(review_ids))):
            self.protected[protected.review_id].append(protected.name)
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

    # Checking: every row, every column; nothing is written.

    def check(self) -> list[_Target]:
        self._check_columns()
        if self.errors:
            raise SheetRejected(self.errors, self.sheet.source)
        targets = [target for row in self.sheet.rows if (target := self._check_row(row)) is not None]
        self._assign_refs(targets)
        if self.errors:
            self.errors.sort(key=lambda error: error.row)
            raise SheetRejected(self.errors, self.sheet.source)
        if not self.sheet.rows:
            self.warnings.append(f"No actions found under the header on row {self.sheet.header_row}.")
        return targets

    def _check_columns(self) -> None:
        required = ["action", "agency", "due"]
        if self.default_review is None:
            required.append("review")
        for key in required:
            if key in self.sheet.columns:
                continue
            column = COLUMN_BY_KEY[key]
            if key == "review" and "ref" in self.sheet.columns:
                continue  # refs such as CC-3 name their review
            accepted = ", ".join(column.synonyms[:6])
            reason = f"no '{column.heading}' column (also accepted: {accepted})"
            if key == "review":
                reason = "no 'Review' column: add one with the review code (e.g. CC), or name the review"
            self.errors.append(RowError(self.sheet.header_row, column.heading, reason))

    def _error(self, row: SheetRow, key: str, reason: str) -> None:
        self.errors.append(RowError(row.number, COLUMN_BY_KEY[key].heading, reason))

    def _check_row(self, row: SheetRow) -> _Target | None:
        before = len(self.errors)
        review = self._row_review(row)
        text = _text(row.get("action"))
        if not text:
            self._error(row, "action", "missing action text")
        agency = self._row_agency(row)
        due = self._row_date(row, "due", required=True)
        original_due = self._row_date(row, "original_due")
        completed_on = self._row_date(row, "completed_on")
        signed_off_on = self._row_date(row, "signed_off_on")
        status, rag = self._row_status(row)
        plan = self._choice(row, "plan", PLAN_WORDS, "single, multi", letters_only=True)
        progress = _text(row.get("progress")) or None
        evidence = _text(row.get("evidence")) or None
        recommendation = self._row_recommendation(row, review) if review is not None else None
        if review is not None:
            names = self.protected.get(review.id, []) if isinstance(review, Review) else []
            free_text = ("action", "progress", "evidence", "recommendation", "recommendation_text")
            for key, value in ((key, _text(row.get(key))) for key in free_text):
                kinds = find_identifying_data(value, names) if value else []
                if kinds:
                    self._error(row, key, f"looks like it contains {' and '.join(kinds)}: use the review's pseudonym")
        if len(self.errors) > before or review is None or agency is None or due is None:
            return None
        target = _Target(
            row=row.number,
            review=review,
            ref=None,
            text=text,
            agency=agency,
            due=due,
            plan=plan,
            original_due=original_due,
            status=status,
            rag=rag,
            progress=progress,
            evidence=evidence,
            completed_on=completed_on,
            signed_off_on=signed_off_on,
            recommendation=recommendation,
        )
        target.ref = self._row_ref(row, review)
        target.owner, target.owner_problem = self._row_owner(row, agency)
        return target if len(self.errors) == before else None

    def _row_review(self, row: SheetRow) -> Review | _NewReview | None:
        code = _text(row.get("review")).upper() or self.default_review
        if code is None:
            ref = _REF.fullmatch(_text(row.get("ref")).upper())
            code = ref.group(1) if ref else None
        if code is None:
            self._error(row, "review", "no review code: fill in the Review column (e.g. CC)")
            return None
        review = self.reviews.get(code)
        if review is None:
            hint = f"python -m bot import {self.file_name} --review {code} --title '...' --kind scr"
            self._error(row, "review", f"unknown review '{code}' — create it with `{hint}`")
        return review

    def _row_ref(self, row: SheetRow, review: Review | _NewReview) -> str | None:
        raw, code = _text(row.get("ref")), review.code.upper()
        if raw.isdigit():
            return f"{code}-{int(raw)}"
        match = _REF.fullmatch(raw.upper())
        if not raw:
            return None
        if match is None:
            self._error(row, "ref", f"'{raw}' is not a ref: expected {code}-<number>, e.g. {code}-3")
        elif match.group(1) != code:
            other = match.group(1)
            self._error(row, "ref", f"'{raw}' is a ref of another review ({other}); this row is for review {code}")
        else:
            return f"{code}-{int(match.group(2))}"
        return None

    def _row_agency(self, row: SheetRow) -> AgencyLike | None:
        name = " ".join(_text(row.get("agency")).split())
        if not name:
            self._error(row, "agency", "missing lead agency")
            return None
        if len(name) > 200:
            self._error(row, "agency", "longer than 200 characters")
            return None
        found = self.agencies.get(_key(name))
        if found is None:
            found = _NewAgency(self._new_agency_code(name), name)
            self.new.append(found)
            self._remember_agency(found)
        return found

    def _new_agency_code(self, name: str) -> str:
        words = [
            word
            for word in re.findall(
                r"[a-z0-9]+", name.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
            )
            if word not in _SLUG_SKIP
        ]
        base = "-".join(words)[:36].strip("-") or "agency"
        code, number = base, 1
        while code in self.agency_codes:
            number += 1
            code = f"{base}-{number}"
        return code

    def _row_owner(self, row: SheetRow, agency: AgencyLike) -> tuple[Any, str | None]:
        """The owner (or ``_KEEP``), and why the cells named nobody when they did not."""
        name = " ".join(_text(row.get("officer")).split())
        raw_email = _text(row.get("officer_email"))
        email = _email_text(raw_email)
        if raw_email:
            if not _EMAIL.fullmatch(email) or len(email) > 320:
                self._error(row, "officer_email", f"'{raw_email}' is not an e-mail address")
                return _KEEP, None
            person = self.people_by_email.get(email)
            if person is None:
                person = _NewPerson(name[:200] or _name_from_email(email), email, agency)
                self.new.append(person)
                self._remember_person(person)
            return person, None
        if not name:
            return _KEEP, "no lead officer"
        matches = {id(person): person for person in self.people_by_name.get(_name_key(name), [])}
        if len(matches) == 1:
            return next(iter(matches.values())), None
        if matches:
            return _KEEP, f"lead officer '{name}' matches more than one person: add their Officer Email"
        return _KEEP, f"lead officer '{name}' has no Officer Email and matches nobody the bot knows"

    def _row_date(self, row: SheetRow, key: str, *, required: bool = False) -> date | None:
        value = row.get(key)
        if isinstance(value, date):
            return value
        if not value.strip():
            if required:
                self._error(row, key, f"missing {COLUMN_BY_KEY[key].heading.lower()}")
            return None
        try:
            return parse_sheet_date(value)
        except BadDate as error:
            self._error(row, key, error.message)
            return None

    def _row_status(self, row: SheetRow) -> tuple[Status | None, Rag | None]:
        status = self._choice(row, "status", STATUS_WORDS, "ongoing, started, done, completed, closed")
        rag = self._choice(row, "rag", RAG_WORDS, "R, A, G, B in any case")
        if rag is Rag.BLUE:  # a BRAG sheet's blue: done; the owner's own rag stays as it was
            if status is None:
                status = Status.COMPLETE
            elif status.is_open:
                self._error(row, "rag", f"Blue means complete, but Status is '{_text(row.get('status'))}'")
            rag = None
        return status, rag

    def _choice(
        self, row: SheetRow, key: str, words: Mapping[str, Any], also: str, *, letters_only: bool = False
    ) -> Any:
        raw = _text(row.get(key))
        if not raw:
            return None
        lowered = raw.lower()
        word = re.sub(r"[^a-z]", "", lowered) if letters_only else " ".join(re.sub(r"[^a-z]+", " ", lowered).split())
        found = words.get(word)
        if found is None:
            shown = ", ".join(CHOICES[key])
            heading = COLUMN_BY_KEY[key].heading
            self._error(row, key, f"unknown {heading} '{raw}': use one of {shown} (also accepted: {also})")
        return found

    def _row_recommendation(self, row: SheetRow, review: Review | _NewReview) -> RecLike | None:
        number = _text(row.get("recommendation"))
        text = _text(row.get("recommendation_text"))
        if len(number) > 20:
            if text:
                self._error(
                    row,
                    "recommendation",
                    "longer than 20 characters: put the number here and the wording in 'Recommendation Text'",
                )
                return None
            number, text = "", number  # a sheet with one Recommendation column holding the wording
        if not number and not text:
            return None
        code = review.code.upper()
        found = (
            self.recommendations.get((code, number.lower()))
            if number
            else self.recommendations_by_text.get((code, _key(text)))
        )
        if found is None:
            found = _NewRecommendation(review, number or self._next_recommendation_number(code), text)
            self.new.append(found)
            self._remember_recommendation(code, found)
        if not text:
            return found
        earlier = self.recommendation_wording.get(id(found))
        if earlier is not None and earlier[1] != text:
            self._error(
                row,
                "recommendation_text",
                f"recommendation {found.number} has different wording on row {earlier[0]}",
            )
            return None
        self.recommendation_wording[id(found)] = (row.number, text)
        if isinstance(found, _NewRecommendation) and not found.text:
            found.text = text
            self._remember_recommendation(code, found)
        elif isinstance(found, Recommendation) and found.text.strip() != text:
            self.recommendation_updates[id(found)] = (code, found, text)
        return found

    def _next_recommendation_number(self, code: str) -> str:
        numbers = [int(number) for (review, number) in self.recommendations if review == code and number.isdigit()]
        return str(max(numbers, default=0) + 1)

    def _assign_refs(self, targets: list[_Target]) -> None:
        first_row: dict[str, int] = {}
        for target in targets:
            if target.ref is None:
                continue
            if target.ref in first_row:
                self.errors.append(
                    RowError(
                        target.row,
                        "Ref",
                        f"duplicate ref {target.ref}: it is also on row {first_row[target.ref]}",
                    )
                )
            else:
                first_row[target.ref] = target.row
        # A row without a ref takes an unclaimed action of its review with the same text, else a new ref.
        unclaimed: dict[tuple[int, str], list[Action]] = defaultdict(list)
        for action in sorted(self.actions.values(), key=lambda action: _ref_number(action.ref)):
            if action.ref.upper() not in first_row:
                unclaimed[(action.review_id, _key(action.text))].append(action)
        highest: dict[str, int] = defaultdict(int)  # review code -> its highest ref number
        for ref in [*self.actions, *first_row]:
            code = ref.rsplit("-", 1)[0]
            highest[code] = max(highest[code], _ref_number(ref))
        for target in targets:
            if target.ref is None:
                code = target.review.code.upper()
                pool = unclaimed.get((target.review.id or -1, _key(target.text)))
                if pool:
                    target.ref = pool.pop(0).ref.upper()
                else:
                    highest[code] += 1
                    target.ref = f"{code}-{highest[code]}"
            target.action = self.actions.get(target.ref)

    # Comparing: what would change, in the words of the sheet.

    def compare(self, targets: list[_Target], dry_run: bool) -> ImportReport:
        report = ImportReport(source=self.sheet.source, dry_run=dry_run, warnings=self.warnings)
        report.ignored_columns = list(self.sheet.ignored)
        for target in targets:
            assert target.ref is not None
            if target.owner_problem and target.action is None:
                self.warnings.append(f"row {target.row}: {target.owner_problem}; {target.ref} has no owner to nudge.")
            elif target.owner_problem and target.action is not None and "officer '" in target.owner_problem:
                self.warnings.append(f"row {target.row}: {target.owner_problem}; {target.ref} keeps its owner.")
            if target.action is None:
                report.added.append(target.ref)
                continue
            differences = self._differences(target.action, self._values(target, target.action))
            if differences:
                report.changed[target.ref] = differences
                if target.action.status is Status.SIGNED_OFF and target.status not in (
                    None,
                    Status.SIGNED_OFF,
                ):
                    now_shown = _shown(target.status)
                    self.warnings.append(
                        f"row {target.row}: {target.ref} was signed off; the sheet makes it {now_shown}."
                    )
            else:
                report.unchanged += 1
        seen = {target.ref for target in targets}
        report.not_in_sheet = sorted(
            (ref for ref in self.actions if ref not in seen),
            key=lambda ref: (ref.rsplit("-", 1)[0], _ref_number(ref)),
        )
        for item in self.new:
            if isinstance(item, _NewReview):
                report.reviews_added.append(f"{item.code} ({item.title}, {item.kind})")
            elif isinstance(item, _NewAgency):
                report.agencies_added.append(f"{item.name} (code {item.code})")
            elif isinstance(item, _NewPerson):
                report.people_added.append(f"{item.name} <{item.email}>")
        if self.review_changes and self.default_review:
            details = "; ".join(f"{name}: {old} -> {new}" for name, (old, new) in self.review_changes.items())
            report.reviews_changed.append(f"{self.default_review}: {details}")
        for code, recommendation, _wording in self.recommendation_updates.values():
            report.recommendations_changed.append(f"{code} recommendation {recommendation.number}: new wording")
        return report

    def _values(self, target: _Target, action: Action | None) -> dict[str, Any]:
        """The fields the action should have; for an existing action, blank cells are left out."""
        values: dict[str, Any] = {
            "text": target.text,
            "agency": target.agency,
            "due": target.due,
            "plan": target.plan,
            "original_due": target.original_due,
            "status": target.status,
            "rag": target.rag,
            "progress": target.progress,
            "evidence": target.evidence,
            "completed_on": target.completed_on,
            "signed_off_on": target.signed_off_on,
            "recommendation": target.recommendation,
        }
        if target.owner is not _KEEP:
            values["owner"] = target.owner
        if action is not None:
            return {name: value for name, value in values.items() if value is not None}
        values["plan"] = target.plan or Plan.SINGLE_AGENCY
        values["original_due"] = target.original_due or target.due
        values["status"] = target.status or Status.NOT_STARTED
        values["rag"] = target.rag or Rag.GREEN
        values.setdefault("owner", None)
        return values

    def _differences(self, action: Action, values: dict[str, Any]) -> dict[str, tuple[str, str]]:
        differences: dict[str, tuple[str, str]] = {}
        for name, new in values.items():
            old = getattr(action, name)
            if _same(old, new):
                continue
            differences[_heading(name)] = (_shown(old), _shown(new))
        return differences

    # Applying: new things first, then one record_change per new or changed action.

    def apply(self, targets: list[_Target], now: datetime) -> None:
        # New things in dependency order, one flush per stage, so every id is known before the actions.
        stages: tuple[tuple[type, ...], ...] = ((_NewReview, _NewAgency), (_NewPerson, _NewRecommendation))
        for stage in stages:
            created = [(item, self._model(item)) for item in self.new if isinstance(item, stage)]
            self.session.add_all(model for _item, model in created)
            self.session.flush()
            for item, model in created:
                item.id = model.id
        if self.review_changes and self.default_review:
            for name, (_old, new) in self.review_changes.items():
                setattr(self.reviews[self.default_review], name, new)
        for _code, recommendation, wording in self.recommendation_updates.values():
            recommendation.text = wording
        for target in targets:
            self._apply_target(target, now)

    @staticmethod
    def _model(item: _NewReview | _NewAgency | _NewPerson | _NewRecommendation) -> Any:
        if isinstance(item, _NewReview):
            return Review(code=item.code, title=item.title, kind=item.kind)
        if isinstance(item, _NewAgency):
            return Agency(code=item.code, name=item.name)
        if isinstance(item, _NewPerson):
            return Person(name=item.name, email=item.email, agency_id=_id(item.agency), role=Role.AGENCY_LEAD)
        return Recommendation(review_id=_id(item.review), number=item.number, text=item.text)

    def _apply_target(self, target: _Target, now: datetime) -> None:
        values = self._values(target, target.action)
        note = f"Imported from {self.sheet.source}, row {target.row}"
        if target.action is None:
            action = Action()
            self.session.add(action)
            fields = {"ref": target.ref, "review_id": _id(target.review), **_columns(values)}
            record_change(
                self.session,
                action,
                person=self.importer,
                source="import",
                kind="created",
                at=now,
                note=note,
                touch=False,
                **fields,
            )
            return
        action = target.action
        changed = [name for name, new in values.items() if not _same(getattr(action, name), new)]
        if not changed:
            return
        fields = _columns({name: values[name] for name in changed})
        record_change(
            self.session,
            action,
            person=self.importer,
            source="import",
            kind="import",
            at=now,
            note=note,
            touch=not OWNER_SIDE.isdisjoint(changed),
            **fields,
        )


# --- Small helpers --------------------------------------------------------------------------------


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


def _name_from_email(email: str) -> str:
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", email.split("@")[0]) if part)


def _ref_number(ref: str) -> int:
    tail = ref.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _id(item: Any) -> int:
    assert item.id is not None, "created before use"
    return int(item.id)


def _columns(values: dict[str, Any]) -> dict[str, Any]:
    """Relationship values as the action's id columns, which is what record_change stores."""
    renamed = {"agency": "agency_id", "owner": "owner_id", "recommendation": "recommendation_id"}
    return {
        renamed.get(name, name): (_id(value) if name in renamed and value is not None else value)
        for name, value in values.items()
    }


def _same(old: Any, new: Any) -> bool:
    if isinstance(new, _NewAgency | _NewPerson | _NewRecommendation):
        return False
    if isinstance(new, Agency | Person | Recommendation):
        return old is not None and old.id == new.id
    if isinstance(old, str) and isinstance(new, str):
        return old.strip() == new.strip()
    return bool(old == new)


def _shown(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Status):
        return STATUS_LABELS[value]
    if isinstance(value, Rag):
        return RAG_LABELS[value]
    if isinstance(value, Plan):
        return PLAN_LABELS[value]
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Person | _NewPerson):
        return f"{value.name} <{value.email}>"
    if isinstance(value, Agency | _NewAgency):
        return value.name
    if isinstance(value, Recommendation | _NewRecommendation):
        return value.number
    text = str(value)
    return text if len(text) <= 60 else text[:59] + "…"


def _heading(name: str) -> str:
    return COLUMN_BY_KEY[{"text": "action", "owner": "officer"}.get(name, name)].heading


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
