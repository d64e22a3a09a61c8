"""Who is who: the one place a chat account becomes a Person, is adopted, and is marked unreachable.

A person is matched by their id on the chat platform first, then by e-mail; when the e-mail
matched, the platform's id is kept on the Person so later messages need no look-up and a
changed e-mail does not lose them. Every surface (Slack, Teams, the console, the messengers)
calls these functions; none matches people itself.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select
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


def _match(session: Session, identity: Identity) -> Person | None:
    """The Person behind a chat account, whether or not they have left: by chat id, then by e-mail."""
    column = chat_column(identity.platform)
    person = None
    if column is not None and identity.user_id:
        person = session.scalars(select(Person).where(column == identity.user_id)).one_or_none()
    if person is None and identity.email:
        person = session.scalars(select(Person).where(_by_email(identity.email))).one_or_none()
        if person is not None and person.left_on is None and column is not None and identity.user_id:
            setattr(person, column.key, identity.user_id)
    return person


def resolve(session: Session, identity: Identity) -> Person | None:
    """The Person behind a chat account (keeping the chat id found by e-mail); None when unknown or left.

    A leaver (``/action leaver``) keeps their row, so history shows their name, but their access ends.
    """
    person = _match(session, identity)
    return person if person is not None and person.left_on is None else None


def require(session: Session, identity: Identity) -> Person:
    """As resolve, but an unknown person is told how to be added."""
    person = _match(session, identity)
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
    """Tie a chat account to its Person in a unit of work of its own; the Person's id, or None when unknown."""
    with sessions.begin() as session:
        person = resolve(session, identity)
        if person is not None and identity.user_id:
            person.unreachable = None  # they have just reached us on that platform
        return person.id if person is not None else None


def keep_chat_id(sessions: sessionmaker[Session], person_id: int, platform: str, user_id: str) -> None:
    """Remember a person's id on a chat platform (found by e-mail), and that they are reachable."""
    column = chat_column(platform)
    assert column is not None, platform
    with sessions.begin() as session:
        person = session.get(Person, person_id)
        if person is not None:
            setattr(person, column.key, user_id)
            person.unreachable = None


def mark_unreachable(sessions: sessionmaker[Session], person_id: int, reason: str) -> None:
    """Record that messages cannot reach a person (unknown or deactivated user); the digest shows it.

    Called once per failed delivery, by the messenger that failed (it knows the platform's reason).
    """
    with sessions.begin() as session:
        person = session.get(Person, person_id)
        if person is not None:
            person.unreachable = reason[:UNREACHABLE_LIMIT]
