"""The SQL the commands run, one function per question, so handlers read as decisions."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, ScalarSelect, Select, Text, and_, bindparam, cast, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from bot import commands as cmd
from bot.errors import UnknownAction, UnknownPerson
from storage.models import (
    Action,
    Agency,
    ExtensionRequest,
    ExtensionState,
    Person,
    ProtectedName,
    Review,
    Role,
    Status,
    Update,
)

OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)
CLOSED = (Status.SIGNED_OFF, Status.WITHDRAWN)
Pending = dict[int, tuple[ExtensionRequest, str]]
Ids = Iterable[int] | Select[int] | Select[int | None]  # a few ids, or a SELECT of any number


# What a view of an action shows besides its own columns (bot/services/presentation.action_view): joined in
# the query that loads the actions, so showing a page costs that one statement.
ACTION_NAMES = (
    joinedload(Action.review, innerjoin=True),
    joinedload(Action.agency, innerjoin=True),
    joinedload(Action.owner),
)
ACTION_VIEW = (
    *ACTION_NAMES,
    joinedload(Action.pending_extension).joinedload(ExtensionRequest.requested_by, innerjoin=True),
)
PROTECTED_NAMES = "protected_names"  # session.info key: the names read with the action being changed


def action_by_ref(session: Session, ref: str, *, lock: bool = False) -> Action:
    """The action a ref names, ready for a view; UnknownAction when there is none.

    ``lock`` (a change) also locks the action and reads every protected name in the same statement, for
    the text the change brings (``protected_names``): a change costs no statement of its own for them.
    """
    query = _action_by_ref(lock, session.get_bind().dialect.name == "postgresql")
    row = session.execute(query, {"ref": ref.upper()}).one_or_none()
    action = row[0] if row is not None else None
    if lock and row is not None:
        names = row[1]
        session.info[PROTECTED_NAMES] = json.loads(names) if names else []  # PostgreSQL: NULL when there are none
    if action is None:
        raise UnknownAction(
            f"There is no action {ref.upper()}.",
            "Refs look like CC-3 (review code, dash, number). Try /action list review:CC to see them.",
        )
    return action


@functools.lru_cache(maxsize=4)
def _action_by_ref(lock: bool, postgres: bool) -> Select[Any]:
    """action_by_ref's statement, built once: a command that changes an action runs it every time, and a
    built statement keeps its cache key (SQLAlchemy need not work it out again for each command)."""
    query: Select[Any] = select(Action).options(*ACTION_VIEW).where(Action.ref == bindparam("ref"))
    if lock:
        # Serialise concurrent changes to one action (PostgreSQL; SQLite locks the database).
        query = query.add_columns(_every_protected_name(postgres)).with_for_update(of=Action)
    return query


def pending_extensions(session: Session, action_ids: Ids | None) -> Pending:
    """Waiting extension requests with the requester's name, by action id (all of them when ids is None).

    Pass a few ids (a page's), or a SELECT of ids for any number: a list never grows with the data.
    """
    query = (
        select(ExtensionRequest, Person.name)
        .join(Person, Person.id == ExtensionRequest.requested_by_id)
        .where(ExtensionRequest.state == ExtensionState.PENDING)
    )
    if isinstance(action_ids, Select):
        query = query.where(ExtensionRequest.action_id.in_(action_ids))
    elif action_ids is not None:
        ids = list(action_ids)
        if not ids:
            return {}
        query = query.where(ExtensionRequest.action_id.in_(ids))
    return {request.action_id: (request, name) for request, name in session.execute(query).all()}


def last_extension_request(session: Session, action_id: int) -> ExtensionRequest | None:
    return session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.action_id == action_id)
        .order_by(ExtensionRequest.id.desc())
        .limit(1)
    ).first()


def find_person(session: Session, mention: cmd.Mention, actor: Person | None) -> Person:
    """The person an ``owner:`` filter names."""
    if mention.name == "me":
        if actor is None:
            raise UnknownPerson("'owner:me' needs to know who you are.", "Use owner:EMAIL instead.")
        return actor
    query = select(Person)
    if mention.user_id or mention.email:
        # A chat id, an e-mail, or both (a platform may resolve a mention to its profile e-mail).
        known = []
        if mention.user_id:
            known += [Person.slack_user_id == mention.user_id, Person.teams_user_id == mention.user_id]
        if mention.email:
            known.append(func.lower(Person.email) == mention.email.lower())
        query = query.where(or_(*known))
    else:
        name = (mention.name or "").lower()
        query = query.where(or_(func.lower(Person.name) == name, func.lower(Person.email).startswith(name + "@")))
    people = session.scalars(query).unique().all()
    if len(people) != 1:
        shown = mention.email or mention.name or mention.user_id
        raise UnknownPerson(
            f"I can't tell who '{shown}' is." if people else f"I don't know anyone called '{shown}'.",
            "Use their e-mail address, e.g. owner:jo.bloggs@police.example.org",
        )
    return people[0]


def person_by_email(session: Session, email: str) -> Person | None:
    return session.scalars(select(Person).where(func.lower(Person.email) == email.lower())).one_or_none()


def person_by_chat_id(session: Session, column: InstrumentedAttribute[str | None], user_id: str) -> Person | None:
    return session.scalars(select(Person).where(column == user_id)).one_or_none()


def chairs_except(session: Session, person_id: int) -> list[Person]:
    chairs = select(Person).where(Person.role == Role.CHAIR, Person.id != person_id, Person.left_on.is_(None))
    return list(session.scalars(chairs))  # a chair who has left is told nothing


def _agency_matches(text: str) -> ColumnElement[bool]:
    word = text.lower()
    return or_(func.lower(Agency.code) == word, func.lower(Agency.name).contains(word))


def filtered_query(session: Session, actor: Person | None, command: cmd.ListActions, today: date) -> Select[Action]:
    """The actions a list command's filters select, soonest due first (a query, run paged or whole; the
    caller adds ACTION_VIEW to load what a view shows)."""
    query = select(Action).join(Action.review).join(Action.agency)
    if command.review:
        query = query.where(func.upper(Review.code) == command.review.upper())
    if command.agency:
        query = query.where(_agency_matches(command.agency))
    if command.owner:
        query = query.where(Action.owner_id == find_person(session, command.owner, actor).id)
    if command.status:
        query = query.where(Action.status == command.status)
    if command.overdue:
        query = query.where(Action.due < today, Action.status.in_(OPEN))
    if command.due_by:
        query = query.where(Action.due <= command.due_by)
    return query.order_by(Action.due, Review.code, Action.id)


def filtered_actions(session: Session, actor: Person | None, command: cmd.ListActions, today: date) -> list[Action]:
    """Every action a list command's filters select, soonest due first."""
    return list(session.scalars(filtered_query(session, actor, command, today).options(*ACTION_VIEW)).unique())


def owned_open_query(owner_id: int) -> Select[Action]:
    """A person's actions not yet signed off, soonest due first."""
    query = select(Action).where(Action.owner_id == owner_id, Action.status.notin_(CLOSED))
    return query.order_by(Action.due, Action.id)


def outstanding_where(review: str | None, agency: str | None) -> ColumnElement[bool]:
    """Open actions, optionally of one review or agency: a condition on action, review and agency (the
    outstanding queries join all three), never a list of ids."""
    conditions: list[ColumnElement[bool]] = [Action.status.in_(OPEN)]
    if review:
        conditions.append(func.upper(Review.code) == review.upper())
    if agency:
        conditions.append(_agency_matches(agency))
    return and_(*conditions)


def updates(session: Session, action_id: int, *, newest: int | None = None) -> list[Update]:
    """An action's change log, oldest first; or its ``newest`` entries, newest first."""
    query = select(Update).options(joinedload(Update.person)).where(Update.action_id == action_id)
    if newest is None:
        return list(session.scalars(query.order_by(Update.version)).unique())
    return list(session.scalars(query.order_by(Update.version.desc()).limit(newest)).unique())


def last_update(session: Session, action_id: int) -> Update | None:
    latest = updates(session, action_id, newest=1)
    return latest[0] if latest else None


def protected_names(session: Session) -> list[str]:
    """Every review's registered names: a child's name is refused in any review's text (children move)."""
    if PROTECTED_NAMES in session.info:  # read with the action this unit of work changes (action_by_ref)
        return list(session.info[PROTECTED_NAMES])
    return list(session.scalars(select(ProtectedName.name).distinct()))


def _every_protected_name(postgres: bool) -> ScalarSelect[Any]:
    """Every protected name as one JSON array (a scalar subquery), to ride along with another row."""
    name = ProtectedName.name.distinct()
    aggregate = cast(func.json_agg(name), Text) if postgres else func.json_group_array(name)
    return select(aggregate).scalar_subquery()
