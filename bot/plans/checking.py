"""Checking: every row of every sheet, every column, against what was loaded; nothing is written.

Every problem is collected in one pass (by sheet, cell and the sheet's own heading) and the
plan is refused with all of them, or none.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.anonymity import find_identifying_data
from bot.dates import parse_sheet_date
from bot.errors import BadDate
from bot.plans.parties import _Parties
from bot.plans.report import RowError, SheetRejected
from bot.plans.targets import RecLike, _NewRecommendation, _NewReview, _Target
from bot.plans.timescales import read_target
from bot.plans.vocabulary import (
    _PLAN_NUMBER,
    _REF,
    CHOICES,
    PLAN_WORDS,
    RAG_PHRASES,
    RAG_WORDS,
    STATUS_WORDS,
    _key,
    _ref_number,
    _text,
)
from storage.models import Action, Rag, Recommendation, Review, ReviewKind, Status
from storage.spreadsheet import SheetRow

_NUMBERED = re.compile(r"^(?:rec(?:ommendation)?\s*)?(\d{1,3}(?:\.\d{1,3})*[a-z]?)[.):\s]\s*(\S.*)$", re.I | re.S)
_FREE_TEXT = ("action", "progress", "evidence", "recommendation", "recommendation_text")


class _Checker(_Parties):
    """Checks every row and turns the good ones into targets; SheetRejected lists every problem."""

    def check(self) -> list[_Target]:
        targets: list[_Target] = []
        for sheet in self.sheets:
            self.sheet = sheet
            self._check_columns()
            targets.extend(target for row in sheet.rows if (target := self._check_row(row)) is not None)
        self._assign_refs(targets)
        order = {sheet.name: index for index, sheet in enumerate(self.sheets)}
        self.errors.sort(key=lambda error: (order.get(error.sheet, 0), error.row))
        if self.errors:
            raise SheetRejected(self.errors, self.file_name)
        for sheet in self.sheets:
            if not sheet.rows:
                self.warnings.append(f"{sheet.source}: no actions found under the header on row {sheet.header_row}.")
        return targets

    def _check_columns(self) -> None:
        sheet = self.sheet
        if "agency" not in sheet.columns:
            reason = "no lead agency column: add one headed 'Lead Agency' (also read: Agency, Organisation)"
            self.errors.append(RowError(sheet.header_row, "Lead Agency", reason, f"row {sheet.header_row}", sheet.name))
        if self.default_review is None and "review" not in sheet.columns and "ref" not in sheet.columns:
            reason = "no 'Review' column: add one with the review code (e.g. CC), or name the review (--review CC)"
            self.errors.append(RowError(sheet.header_row, "Review", reason, f"row {sheet.header_row}", sheet.name))

    def _check_row(self, row: SheetRow) -> _Target | None:
        before = len(self.errors)
        review = self._row_review(row)
        text = _text(row.get("action"))
        if not text:
            self._error(row, "action", "missing action text: say what will be done")
        agency, supporting = self._row_agencies(row)
        due, wording = self._row_target(row)
        original_due, completed_on, signed_off_on = (
            self._row_date(row, key) for key in ("original_due", "completed_on", "signed_off_on")
        )
        status, rag = self._row_status(row)
        if signed_off_on is not None and status in (None, Status.COMPLETE):
            status = Status.SIGNED_OFF  # a date closed or signed off says it was
        elif completed_on is not None and status is None:
            status = Status.COMPLETE
        plan = self._choice(row, "plan", PLAN_WORDS, "single, multi", letters_only=True)
        if plan is None and self.sheet.plan:
            plan = PLAN_WORDS[self.sheet.plan]
        recommendation = self._row_recommendation(row, review) if review is not None else None
        ref = None
        if review is not None:
            self._check_names(row, review)
            ref = self._row_ref(row, review)
        if len(self.errors) > before or review is None or agency is None:
            return None
        owner, supporting_owners, lead_name = self._row_people(row, agency)
        target = _Target(
            row=row.number,
            review=review,
            ref=ref,
            text=text,
            agency=agency,
            due=due,
            plan=plan,
            status=status,
            rag=rag,
            progress=_text(row.get("progress")) or None,
            evidence=_text(row.get("evidence")) or None,
            recommendation=recommendation,
            owner=owner,
            target=wording,
            lead_name=lead_name,
            supporting_agencies=supporting,
            supporting_owners=supporting_owners,
            where=f"{self.sheet.source}, row {row.number}",
            original_due=original_due,
            completed_on=completed_on,
            signed_off_on=signed_off_on,
        )
        return target if len(self.errors) == before else None

    def _check_names(self, row: SheetRow, review: Review | _NewReview) -> None:
        names = self.protected  # every review's names, in any review's text
        for key, value in ((key, _text(row.get(key))) for key in _FREE_TEXT):
            kinds = find_identifying_data(value, names) if value else []
            if kinds:
                self._error(row, key, f"looks like it contains {' and '.join(kinds)}: use the review's pseudonym")

    def _row_review(self, row: SheetRow) -> Review | _NewReview | None:
        code = _text(row.get("review")).upper() or self.default_review
        if code is None:
            ref = _REF.fullmatch(_text(row.get("ref")).upper())
            code = ref.group(1) if ref else None
        if code is None:
            if "review" in self.sheet.columns or "ref" in self.sheet.columns:  # else said once for the sheet
                self._error(row, "review", "no review code: fill in the Review column (e.g. CC)")
            return None
        review = self.reviews.get(code)
        title = _text(row.get("review_title"))
        if review is None and title:
            review = self._new_review(row, code, title)
        if review is None:
            hint = f"python -m bot import {self.file_name} --review {code} --title '...' --kind scr"
            self._error(row, "review", f"unknown review '{code}': create it with `{hint}`")
        return review

    def _new_review(self, row: SheetRow, code: str, title: str) -> _NewReview | None:
        """A review an export carries (code, title, kind, dates) and this database does not have yet."""
        kind_text = _text(row.get("review_kind")).lower().replace(" ", "_") or ReviewKind.CASE_REVIEW.value
        if kind_text not in {kind.value for kind in ReviewKind}:
            kinds = ", ".join(kind.value for kind in ReviewKind)
            self._error(row, "review_kind", f"unknown review kind '{kind_text}': use one of {kinds}")
            return None
        review = _NewReview(code, title[:200], ReviewKind(kind_text))
        review.started = self._row_date(row, "review_started")
        review.published = self._row_date(row, "review_published")
        self.reviews[code] = review
        self.new.append(review)
        return review

    def _row_ref(self, row: SheetRow, review: Review | _NewReview) -> str | None:
        """The plan's own action number as the ref (CR-1.1, CR-CSC1); None: a sequence number is given."""
        raw, code = _text(row.get("ref")), review.code.upper()
        compact = re.sub(r"\s+", "", raw).upper().rstrip(".")
        if not compact:
            return None
        prefixed = _REF.fullmatch(compact)
        number = compact
        if prefixed and prefixed.group(1) == code:
            number = prefixed.group(2)
        elif prefixed and prefixed.group(1) in self.reviews:
            other = prefixed.group(1)
            self._error(row, "ref", f"'{raw}' is a ref of another review ({other}); this row is for review {code}")
            return None
        if number.isdigit():
            number = str(int(number))
        if not _PLAN_NUMBER.fullmatch(number) or len(code) + 1 + len(number) > 30:
            self._error(
                row, "ref", f"'{raw}' is not an action number: use the plan's number (3, 1.1, CSC1) or {code}-3"
            )
            return None
        ref, where = f"{code}-{number}", f"{self.sheet.source}, {self.sheet.cell('ref', row.number)}"
        if ref in self.seen_refs:
            self._error(row, "ref", f"duplicate action number {ref}: also at {self.seen_refs[ref]}")
        self.seen_refs.setdefault(ref, where)
        return ref

    def _row_target(self, row: SheetRow) -> tuple[date | None, str | None]:
        try:
            found = read_target(row.get("due"))
        except BadDate as error:
            self._error(row, "due", f"{error.message} {error.hint}".strip())
            return None, None
        return found.due, found.wording

    def _row_date(self, row: SheetRow, key: str) -> date | None:
        value = row.get(key)
        if isinstance(value, date):
            return value
        if not value.strip():
            return None
        try:
            return read_target(value).due or parse_sheet_date(value)
        except BadDate as error:
            self._error(row, key, f"{error.message} {error.hint}".strip())
            return None

    def _row_status(self, row: SheetRow) -> tuple[Status | None, Rag | None]:
        status = self._choice(row, "status", STATUS_WORDS, "Ongoing, Partially complete, Not yet due, Achieved, Closed")
        raw_rag = _words(_text(row.get("rag")))
        rag: Rag | None = None
        if raw_rag in STATUS_WORDS and raw_rag not in RAG_WORDS:  # "Complete" typed in the RAG column
            status = status or STATUS_WORDS[raw_rag]
            rag = RAG_PHRASES.get(raw_rag) or (Rag.BLUE if not STATUS_WORDS[raw_rag].is_open else None)
        elif raw_rag in RAG_PHRASES:
            rag = RAG_PHRASES[raw_rag]
        elif raw_rag or not row.fills.get("rag"):
            rag = self._choice(row, "rag", RAG_WORDS, "R, A, G, B, On track, At risk, Off track, Complete")
        else:
            rag = RAG_WORDS[row.fills["rag"]]  # a coloured cell with no word in it
        if rag is Rag.BLUE:  # complete and evidenced
            if status is None:
                status = Status.COMPLETE
            elif status.is_open:
                self._error(row, "rag", f"Blue means complete, but the status says '{_text(row.get('status'))}'")
        return status, rag

    def _choice(
        self, row: SheetRow, key: str, words: Mapping[str, Any], also: str, *, letters_only: bool = False
    ) -> Any:
        raw = _text(row.get(key))
        if not raw:
            return None
        word = re.sub(r"[^a-z]", "", raw.lower()) if letters_only else _words(raw)
        found = words.get(word)
        if found is None:
            shown = ", ".join(CHOICES[key])
            self._error(
                row, key, f"'{raw}' is not a {key if key != 'rag' else 'RAG'} word: use {shown} (also read: {also})"
            )
        return found

    def _row_recommendation(self, row: SheetRow, review: Review | _NewReview) -> RecLike | None:
        number = _text(row.get("recommendation"))
        text = _text(row.get("recommendation_text"))
        numbered = _NUMBERED.match(number)
        if numbered and not text and len(number) > 20:  # "1. Assessments must include..."
            number, text = numbered.group(1), numbered.group(2)
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
        key = number.lower()
        found = (
            self.recommendations.get((code, key)) if number else self.recommendations_by_text.get((code, _key(text)))
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
                row, "recommendation_text", f"recommendation {found.number} has different wording on row {earlier[0]}"
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
        first = {target.ref: target for target in targets if target.ref is not None}
        # A row without a ref takes an unclaimed action of its review with the same text, else the next number.
        unclaimed: dict[tuple[int, str], list[Action]] = defaultdict(list)
        for action in sorted(self.actions.values(), key=lambda action: _ref_number(action.ref)):
            if action.ref.upper() not in first:
                unclaimed[(action.review_id, _key(action.text))].append(action)
        highest: dict[str, int] = defaultdict(int)  # review code -> its highest sequence number
        for ref in [*self.actions, *first]:
            code = ref.split("-", 1)[0]
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


def _words(raw: str) -> str:
    return " ".join(re.sub(r"[^a-z]+", " ", raw.lower()).split())
