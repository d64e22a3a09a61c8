"""Who is who: the one place a chat account becomes a Person, is adopted, and is marked unreachable.

A person is matched by their id on the chat platform first, then by e-mail. An e-mail match binds
the chat account to a Person only while that Person has no id on the platform, and it is bound in
a short transaction of its own (``bind``), committed before the command's own transaction locks
any action, so a person's first commands arriving together do not lock rows in opposite orders.
Once bound, the id is kept: a changed e-mail does not lose them, and a different account whose
profile shows the same e-mail is refused (only the coordinator can move it, ``/action link``).
Every surface (Slack, Teams, the console, the messengers) calls these functions; none matches
people itself.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, bindparam, func, or_, select, update
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from bot.dates import format_date
from bot.errors import UnknownPerson
from storage.models import Person

UNREACHABLE_LIMIT = 200  # characters of the platform's reason kept on the Person


@dataclass(frozen=True)
class Identity:
    """Who is typing, as a platform knows them."""

    platform: str  # slack, teams, console, cli
    user_id: str | None = None
    email: str | None = None


def chat_column(platform: str) -> InstrumentedAttribute[str | None] | None:
    """The Person column holding a platform's user id; None for a surface without one (console, cli)."""
    return {"slack": Person.slack_user_id, "teams": Person.teams_user_id}.get(platform)


def _by_email(email: str) -> ColumnElement[bool]:
    return func.lower(Person.email) == email.strip().lower()


@functools.lru_cache(maxsize=4)
def _by_chat_id(platform: str) -> Select[Any]:
    """The Person with a platform's user id, as a statement built once (every command asks it first)."""
    column = chat_column(platform)
    assert column is not None, platform
    return select(Person).where(column == bindparam("user_id"))


def _match(session: Session, identity: Identity) -> Person | None:
    """The Person behind a chat account, without writing, whether or not they have left: by chat id,
    else by e-mail if they have no id there."""
    column = chat_column(identity.platform)
    if column is not None and identity.user_id:
        person = session.scalars(_by_chat_id(identity.platform), {"user_id": identity.user_id}).one_or_none()
        if person is not None:
            return person
    if not identity.email:
        return None
    by_email = select(Person).where(_by_email(identity.email))
    if column is not None:
        by_email = by_email.where(column.is_(None))  # someone bound elsewhere is not anyone's by e-mail
    return session.scalars(by_email).one_or_none()


def resolve(session: Session, identity: Identity) -> Person | None:
    """The Person behind a chat account, without writing; None when unknown or left.

    A leaver (``/action leaver``) keeps their row, so history shows their name, but their access ends.
    """
    person = _match(session, identity)
    return person if person is not None and person.left_on is None else None


def bind(session: Session, identity: Identity) -> Person | None:
    """Keep a chat account's id on the Person its e-mail matched, if they have none on that platform.

    Run in a unit of work of its own before the command's. Returns the Person whose e-mail a
    *different* account of the platform claims (to be refused and reported), else None: bound
    now, bound already, a leaver (never bound), or nobody the board knows.
    """
    column = chat_column(identity.platform)
    if column is None or not identity.user_id or not identity.email:
        return None
    if session.scalars(select(Person.id).where(column == identity.user_id)).first() is not None:
        return None
    person_id = session.scalars(
        select(Person.id).where(_by_email(identity.email), Person.left_on.is_(None))
    ).one_or_none()
    if person_id is None:
        return None
    if _bind_if_free(session, person_id, column, identity.user_id):
        return None
    person = session.get(Person, person_id, populate_existing=True)
    if person is None or getattr(person, column.key) == identity.user_id:
        return None  # a request of the same account bound it a moment ago
    return person


def _bind_if_free(session: Session, person_id: int, column: InstrumentedAttribute[str | None], user_id: str) -> bool:
    """Set a Person's platform id only where none is stored (one UPDATE: two racing accounts cannot both win)."""
    bound = session.execute(
        update(Person)
        .where(Person.id == person_id, column.is_(None))
        .values({column: user_id, Person.unreachable: None})
        .execution_options(synchronize_session=False)
    )
    return bound.rowcount == 1  # type: ignore[attr-defined]


class NotBound(Exception):
    """The chat account is not yet bound to a Person on its platform: ``bind`` it first, in its own unit of work."""


def bindable(person: Person | None, identity: Identity) -> bool:
    """An account with an e-mail that is not (yet) the id stored on ``person``: matched by e-mail, or nobody's."""
    column = chat_column(identity.platform)
    if column is None or not identity.user_id or not identity.email:
        return False
    return person is None or getattr(person, column.key) != identity.user_id


def require(session: Session, identity: Identity, *, bound: bool = True) -> Person:
    """As resolve, but an unknown person is told how to be added.

    With ``bound=False`` an account that still needs ``bind`` raises NotBound instead, at no extra
    statement: a person already known by their chat id goes on in the same transaction.
    """
    person = _match(session, identity)
    if not bound and bindable(person, identity):
        raise NotBound
    if person is not None and person.left_on is not None:
        raise UnknownPerson(
            f"Your access to the action tracker ended on {format_date(person.left_on)}, when you left the board.",
            "If you are back, ask the board's coordinator to add you again (/action person add).",
        )
    if person is None:
        raise UnknownPerson(
            "I don't know you yet, so I can't show or change actions for you.",
            "Ask the board's coordinator to add you (python -m bot people add EMAIL NAME --role ROLE), "
            "using the e-mail address on your chat profile.",
        )
    return person


def is_known(session: Session, identity: Identity) -> bool:
    """The board knows this account (by chat id or e-mail), without adopting it."""
    column = chat_column(identity.platform)
    known = []
    if column is not None and identity.user_id:
        known.append(column == identity.user_id)
    if identity.email:
        known.append(_by_email(identity.email))
    if not known:
        return False
    found = select(Person.id).where(or_(*known), Person.left_on.is_(None)).limit(1)
    return session.scalars(found).first() is not None


def adopt(sessions: sessionmaker[Session], identity: Identity) -> int | None:
    """Tie a chat account to its Person in a unit of work of its own; their id, or None when unknown or refused."""
    with sessions.begin() as session:
        if bind(session, identity) is not None:
            return None
        person = resolve(session, identity)
        if person is not None and identity.user_id:
            person.unreachable = None  # they have just reached us on that platform
        return person.id if person is not None else None


def keep_chat_id(sessions: sessionmaker[Session], person_id: int, platform: str, user_id: str) -> None:
    """Remember a person's id on a chat platform (found by their e-mail), unless one is stored already."""
    column = chat_column(platform)
    assert column is not None, platform
    with sessions.begin() as session:
        _bind_if_free(session, person_id, column, user_id)


def mark_unreachable(sessions: sessionmaker[Session], person_id: int, reason: str) -> None:
    """Record that messages cannot reach a person (unknown or deactivated user); the digest shows it.

    Called once per failed delivery, by the messenger that failed (it knows the platform's reason).
    """
    with sessions.begin() as session:
        person = session.get(Person, person_id)
        if person is not None:
            person.unreachable = reason[:UNREACHABLE_LIMIT]
