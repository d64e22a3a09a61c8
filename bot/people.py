"""People and their roles, agencies, and the protected names behind review pseudonyms."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.errors import UserError
from storage.models import Action, Agency, Person, ProtectedName, Review, Role, Status

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass(frozen=True)
class PersonRow:
    name: str
    email: str
    role: Role
    agency: str | None
    slack_user_id: str | None
    unreachable: str | None


def list_people(sessions: sessionmaker[Session]) -> list[PersonRow]:
    """Everyone the bot knows, by role then name."""
    with sessions() as session:
        people = session.scalars(select(Person).options(joinedload(Person.agency)).order_by(Person.role, Person.name))
        return [
            PersonRow(p.name, p.email, p.role, p.agency.name if p.agency else None, p.slack_user_id, p.unreachable)
            for p in people
        ]


@dataclass(frozen=True)
class NamedLead:
    """A lead officer a plan names without an e-mail: shown, but cannot be nudged until an address is known."""

    name: str
    agency: str
    refs: tuple[str, ...]
    reason: str = "cannot be nudged until an address is known"


def list_named_leads(sessions: sessionmaker[Session]) -> list[NamedLead]:
    """Lead officers named on open actions that have no owner with an address, by name."""
    with sessions() as session:
        rows = session.execute(
            select(Action.lead_name, Agency.name, Action.ref)
            .join(Agency, Agency.id == Action.agency_id)
            .where(Action.lead_name.is_not(None), Action.owner_id.is_(None), Action.status != Status.SIGNED_OFF)
            .order_by(Action.lead_name, Action.ref)
        ).all()
    found: dict[tuple[str, str], list[str]] = {}
    for name, agency, ref in rows:
        found.setdefault((str(name), agency), []).append(ref)
    return [NamedLead(name, agency, tuple(refs)) for (name, agency), refs in found.items()]


def find_agency(session: Session, text: str) -> Agency:
    """An agency by code or name, case-insensitively; a clear error when there is none or several."""
    word = text.strip().lower()
    exact = session.scalars(
        select(Agency).where(or_(func.lower(Agency.code) == word, func.lower(Agency.name) == word))
    ).all()
    matches = exact or session.scalars(select(Agency).where(func.lower(Agency.name).contains(word))).all()
    if len(matches) != 1:
        known = ", ".join(f"{a.code} ({a.name})" for a in session.scalars(select(Agency).order_by(Agency.code)))
        problem = "matches several agencies" if matches else "is not a known agency"
        raise UserError(f"'{text}' {problem}.", f"Known agencies: {known or 'none yet'}.")
    return matches[0]


def _valid_email(email: str) -> str:
    email = email.strip().lower()
    if not EMAIL.match(email):
        raise UserError(
            f"'{email}' is not an e-mail address.",
            "People are matched by e-mail, e.g. jo.bloggs@police.example.org",
        )
    return email


def add_person(
    sessions: sessionmaker[Session],
    email: str,
    name: str,
    role: Role,
    agency: str | None = None,
    slack_user_id: str | None = None,
) -> PersonRow:
    """Add someone; their e-mail must be new."""
    email = _valid_email(email)
    with sessions.begin() as session:
        if session.scalars(select(Person).where(func.lower(Person.email) == email)).first():
            raise UserError(
                f"{email} is already known.", "Change them with: python -m bot people set EMAIL --role ROLE"
            )
        person = Person(
            email=email,
            name=name.strip(),
            role=role,
            agency=find_agency(session, agency) if agency else None,
            slack_user_id=slack_user_id,
        )
        session.add(person)
    return PersonRow(person.name, person.email, person.role, agency, slack_user_id, None)


def change_person(
    sessions: sessionmaker[Session],
    email: str,
    *,
    name: str | None = None,
    role: Role | None = None,
    agency: str | None = None,
    slack_user_id: str | None = None,
) -> PersonRow:
    """Change someone's name, role, agency or Slack id."""
    email = _valid_email(email)
    with sessions.begin() as session:
        person = session.scalars(
            select(Person).options(joinedload(Person.agency)).where(func.lower(Person.email) == email)
        ).one_or_none()
        if person is None:
            raise UserError(f"Nobody has the e-mail {email}.", "Add them with: python -m bot people add EMAIL NAME")
        if name:
            person.name = name.strip()
        if role:
            person.role = role
        if agency:
            person.agency = find_agency(session, agency)
        if slack_user_id:
            person.slack_user_id = slack_user_id
            person.unreachable = None
        return PersonRow(
            person.name,
            person.email,
            person.role,
            person.agency.name if person.agency else None,
            person.slack_user_id,
            person.unreachable,
        )


def protect_name(sessions: sessionmaker[Session], review_code: str, name: str) -> int:
    """Register a real name behind a review's pseudonym; returns how many the review now has."""
    name = " ".join(name.split())
    if len(name) < 2:
        raise UserError("A protected name needs at least two letters.")
    with sessions.begin() as session:
        review = session.scalars(select(Review).where(func.upper(Review.code) == review_code.upper())).one_or_none()
        if review is None:
            raise UserError(f"There is no review {review_code.upper()}.")
        existing = set(
            session.scalars(select(func.lower(ProtectedName.name)).where(ProtectedName.review_id == review.id))
        )
        if name.lower() not in existing:
            session.add(ProtectedName(review_id=review.id, name=name))
            existing.add(name.lower())
        return len(existing)
