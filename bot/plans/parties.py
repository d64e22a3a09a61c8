"""Who a row names: the lead agency and any supporting agencies, the owner, supporting owners, a named lead."""

from __future__ import annotations

import re
from typing import Any

from bot.plans.loading import _Loader
from bot.plans.report import RowError
from bot.plans.targets import _KEEP, AgencyLike, PersonLike, _NewAgency, _NewPerson
from bot.plans.vocabulary import _EMAIL, _key, _name_key, _text, split_names
from storage.spreadsheet import SheetRow

_SLUG_SKIP = {"and", "of", "the", "for"}


class _Parties(_Loader):
    """Agencies and people as a row names them; new ones are created, problems are errors."""

    def _error(self, row: SheetRow, key: str, reason: str) -> None:
        sheet = self.sheet
        self.errors.append(RowError(row.number, sheet.heading(key), reason, sheet.cell(key, row.number), sheet.name))

    def _row_agencies(self, row: SheetRow) -> tuple[AgencyLike | None, list[AgencyLike]]:
        """The lead agency and the supporting ones: "Police / CSC" is led by Police, supported by CSC."""
        names = split_names(_text(row.get("agency")))
        supporting_names = split_names(_text(row.get("supporting")))
        if not names:
            if "agency" in self.sheet.columns:
                self._error(row, "agency", "missing lead agency: name the agency that leads this action")
            return None, []
        found: list[AgencyLike] = []
        for position, name in enumerate([*names, *supporting_names]):
            key = "agency" if position < len(names) else "supporting"
            if len(name) > 200:
                self._error(row, key, "an agency name longer than 200 characters")
                continue
            agency = self._agency(name)
            if agency not in found:
                found.append(agency)
        return (found[0], found[1:]) if found else (None, [])

    def _agency(self, name: str) -> AgencyLike:
        found = self.agencies.get(_key(name))
        if found is None:
            found = _NewAgency(self._new_agency_code(name), name)
            self.new.append(found)
            self._remember_agency(found)
        return found

    def _new_agency_code(self, name: str) -> str:
        plain = name.lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
        words = [word for word in re.findall(r"[a-z0-9]+", plain) if word not in _SLUG_SKIP]
        base = "-".join(words)[:36].strip("-") or "agency"
        code, number = base, 1
        while code in self.agency_codes:
            number += 1
            code = f"{base}-{number}"
        return code

    def _row_people(self, row: SheetRow, agency: AgencyLike) -> tuple[Any, list[PersonLike], str | None]:
        """The owner (or ``_KEEP``), supporting owners, and the lead's name when no address is known."""
        cell = _text(row.get("officer"))
        raw_emails = _text(row.get("officer_email"))
        emails = _EMAIL.findall(raw_emails.lower()) or _EMAIL.findall(cell.lower())
        if raw_emails and not emails:
            self._error(row, "officer_email", f"'{raw_emails}' is not an e-mail address (e.g. jo.bloggs@agency.gov.uk)")
            return _KEEP, [], None
        names = [_EMAIL.sub("", name).strip(" ()<>") for name in split_names(_EMAIL.sub(" ", cell).strip())]
        names = [name for name in names if name]
        if emails:
            people = [
                self._person(email, names[index] if index < len(names) else "", agency)
                for index, email in enumerate(emails)
            ]
            return people[0], people[1:], None
        if not names:
            return _KEEP, [], None
        matches = {id(person): person for person in self.people_by_name.get(_name_key(names[0]), [])}
        if len(matches) == 1:
            return next(iter(matches.values())), [], None
        return None, [], " / ".join(names)[:200]

    def _person(self, email: str, name: str, agency: AgencyLike) -> PersonLike:
        person = self.people_by_email.get(email)
        if person is None:
            person = _NewPerson(name[:200] or _name_from_email(email), email, agency)
            self.new.append(person)
            self._remember_person(person)
        return person


def _name_from_email(email: str) -> str:
    return " ".join(part.capitalize() for part in re.split(r"[._-]+", email.split("@")[0]) if part)
