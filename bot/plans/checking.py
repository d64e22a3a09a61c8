"""Checking: every row, every column, against what was loaded; nothing is written."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping
from datetime import date
from typing import Any

from bot.anonymity import find_identifying_data
from bot.dates import parse_sheet_date
from bot.errors import BadDate
from bot.plans.loading import _Loader
from bot.plans.report import RowError, SheetRejected
from bot.plans.targets import (
    _KEEP,
    AgencyLike,
    RecLike,
    _NewAgency,
    _NewPerson,
    _NewRecommendation,
    _NewReview,
    _Target,
)
from bot.plans.vocabulary import (
    _EMAIL,
    _REF,
    CHOICES,
    PLAN_WORDS,
    RAG_WORDS,
    STATUS_WORDS,
    _email_text,
    _key,
    _name_key,
    _ref_number,
    _text,
)
from storage.models import Action, Rag, Recommendation, Review, Status
from storage.spreadsheet import COLUMN_BY_KEY, SheetRow

_SLUG_SKIP = {"and", "of", "the", "for"}


class _Checker(_Loader):
    """Checks every row of the sheet and turns the good ones into targets; SheetRejected lists the bad."""

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


def _name_from_email(email: str) -> str:
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", email.split("@")[0]) if part)
