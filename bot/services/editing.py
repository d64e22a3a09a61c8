"""Running the plan in chat: add, edit and assign actions (the coordinator; the chair assigns too), and find.

Every change is one ``record_change`` (an Update row, in words when read back); bad input raises a typed
error before anything is written. A due date stays the chair's decision (an extension), except that the
coordinator may correct a wrong one within ``CORRECTION_DAYS`` of the plan's loading.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session

from bot import commands as cmd
from bot import permissions
from bot.anonymity import check_text
from bot.changes import record_change
from bot.dates import format_date
from bot.errors import BadDate, InvalidTransition, UnknownAction, UserError
from bot.services import paging, queries
from bot.services.context import Context, recipient
from bot.services.reading import one_view, views
from bot.views import ActionList, Changed, Notice, OpenForm, Reply
from storage.models import Action, Agency, Person, Recommendation, Review, Status, Update

ADDED = "Added in chat"
CORRECTED = "Corrected a wrong due date from the plan"


class UnknownAgency(UserError):
    """An agency name or code that matches no agency (or several)."""


class UnknownRecommendation(UserError):
    """A recommendation number the review does not have."""


# ------------------------------------------------------------------------------------ add


def add(context: Context, command: cmd.AddAction) -> Reply:
    """A new action in a review, numbered after the review's last; with no text, the form."""
    session, actor = context.session, context.actor
    permissions.require_plan_edit(actor, "add actions to a plan")
    review = _review(session, command.review)
    if command.text is None:
        return Reply(OpenForm("add", None, subject=review.code))
    _check_text(context, command.text)
    owner = queries.find_person(session, command.owner, actor) if command.owner else None
    agency = _agency(session, command.agency) if command.agency else owner.agency if owner else None
    if agency is None:
        who = f"{owner.name} has no agency on record" if owner else "no owner was given"
        raise UnknownAgency(f"Which agency leads it? {who}.", "Add agency:police (its code or name).")
    if command.due is not None and command.due < context.today():
        raise BadDate(f"{format_date(command.due)} has passed: a new action's due date is today or later.")
    again = _same_added(session, review, command.text, actor)
    if again is not None:
        return _unchanged(context, again, "Already added")
    action = Action(ref=_next_ref(session, review), review_id=review.id, version=0)
    session.add(action)  # after the queries: autoflush must not write it half-made
    _record(context, action, "created", ADDED, text=command.text, agency_id=agency.id,
            owner_id=owner.id if owner else None, due=command.due, original_due=command.due,
            status=Status.NOT_STARTED)  # fmt: skip
    session.flush()
    session.refresh(action)
    view = one_view(context, action)
    owned = f", owned by {owner.name}" if owner else ", with no owner yet (/action assign gives it one)"
    due = f", due {format_date(command.due)}" if command.due else ", with no due date yet"
    summary = f"{action.ref} added to {review.code} {review.title}: led by {agency.name}{owned}{due}."
    notices: tuple[Notice, ...] = ()
    if owner is not None and owner.id != actor.id:
        told = Changed(f"{actor.name} added {action.ref} to {review.code} and made you its owner.", view)
        notices = (Notice(recipient(owner), told),)
    return Reply(Changed(summary, view), notices)


def _review(session: Session, code: str) -> Review:
    review = session.scalars(select(Review).where(func.upper(Review.code) == code.upper())).one_or_none()
    if review is None:
        raise UnknownAction(f"There is no review {code.upper()}.", "Give the review's code, e.g. add CC <text>.")
    return review


def _next_ref(session: Session, review: Review) -> str:
    """The review's next number: one more than the largest plain number among its refs (CC-7 → CC-8)."""
    refs = session.scalars(select(Action.ref).where(Action.review_id == review.id))
    numbers = [int(match.group(1)) for ref in refs if (match := re.fullmatch(r"[^-]+-(\d+)", ref))]
    return f"{review.code.upper()}-{max(numbers, default=0) + 1}"


def _same_added(session: Session, review: Review, text: str, actor: Person) -> Action | None:
    """An action this person already added to the review with the same words: a retyped ``add``."""
    query = (
        select(Action)
        .join(Update, and_(Update.action_id == Action.id, Update.kind == "created"))
        .where(Action.review_id == review.id, Action.text == text, Update.person_id == actor.id)
        .where(Update.note == ADDED)
    )
    return session.scalars(query.limit(1)).unique().first()


# ------------------------------------------------------------------------------------ edit


def edit(context: Context, command: cmd.EditAction) -> Reply:
    """Change what an action says (each field recorded in words), or correct its due date; no fields: the form."""
    session, actor = context.session, context.actor
    action = queries.action_by_ref(session, command.ref, lock=True)
    permissions.require_plan_edit(actor, "edit actions")
    _require_not_closed(action, "edited")
    if command.is_form:
        return Reply(OpenForm("edit", one_view(context, action), values=form_values(action)))
    for text in (command.text, command.target, command.reason):
        _check_text(context, text)
    fields, extra = _edit_fields(session, action, command)
    new_owner = session.get(Person, fields["owner_id"]) if "owner_id" in fields else None
    old_owner = action.owner
    supporting = extra.pop("supporting", None)
    if supporting is not None:
        names = [[a.name for a in action.supporting_agencies], [a.name for a in supporting]]
        if names[0] != names[1]:
            extra["supporting_agencies"] = names
    changed = [name for name, value in fields.items() if getattr(action, name) != value] + list(extra)
    corrected = command.due is not None and command.due != action.due
    if corrected:
        _check_correction(context, action)
    if not changed and not corrected:
        return _unchanged(context, action, "Nothing to change")
    if "supporting_agencies" in extra:
        action.supporting_agencies = supporting  # checked: now it may be written
    if changed:
        _record(context, action, "edit", None if corrected else command.reason, touch=False, extra=extra, **fields)
    if corrected:
        moved: dict[str, Any] = {"due": command.due, "target": None}
        if action.due == action.original_due:  # not extended: the plan's date itself was wrong
            moved["original_due"] = command.due
        _record(context, action, "due_corrected", command.reason or CORRECTED, touch=False, **moved)
    session.flush()
    session.refresh(action)  # the owner, agency and recommendation the new ids name
    view = one_view(context, action)
    words = [_FIELD_WORDS[name] for name in changed] + (["due date (a correction)"] if corrected else [])
    reply = Reply(Changed(f"{action.ref} edited: {', '.join(words)}.", view))
    if new_owner is not None and new_owner.id != (old_owner.id if old_owner else None):
        reply = Reply(reply.view, _owner_notices(context, action, old_owner, new_owner, command.reason))
    return reply


_FIELD_WORDS = {
    "text": "text", "agency_id": "lead agency", "supporting_agencies": "supporting agencies", "owner_id": "owner",
    "lead_name": "named lead", "recommendation_id": "recommendation", "target": "target wording",
}  # fmt: skip


def form_values(action: Action) -> tuple[tuple[str, str], ...]:
    """What the edit form shows when it opens: the action as it is now."""
    return (
        ("text", action.text),
        ("agency", action.agency.name),
        ("supporting", ", ".join(agency.name for agency in action.supporting_agencies)),
        ("owner", action.owner.email if action.owner else ""),
        ("recommendation", action.recommendation.number if action.recommendation else ""),
        ("target", action.target or ""),
    )


def _edit_fields(session: Session, action: Action, command: cmd.EditAction) -> tuple[dict[str, Any], dict[str, Any]]:
    """The columns the edit sets (only those given), and the supporting agencies (a list, kept apart)."""
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    if command.text is not None:
        fields["text"] = command.text
    if command.agency:
        fields["agency_id"] = _agency(session, command.agency).id
    elif command.agency == "":
        raise UnknownAgency(f"{action.ref} needs a lead agency: give its code or name, e.g. agency:police.")
    if command.supporting is not None:
        named = [part.strip() for part in command.supporting.split(",") if part.strip()]
        extra["supporting"] = _unique([_agency(session, name) for name in named])
    if command.owner is not None:
        owner = queries.find_person(session, command.owner, None)
        fields["owner_id"] = owner.id
        if owner.id != action.owner_id:
            fields["lead_name"] = None  # a lead named without an e-mail is now a person who can be told
    if command.recommendation is not None:
        fields["recommendation_id"] = _recommendation(session, action, command.recommendation)
    if command.target is not None:
        fields["target"] = command.target or None
    return fields, extra


def _unique(agencies: list[Agency]) -> list[Agency]:
    seen: dict[int, Agency] = {}
    for agency in agencies:
        seen.setdefault(agency.id, agency)
    return list(seen.values())


def _recommendation(session: Session, action: Action, number: str) -> int | None:
    if not number:
        return None
    found = session.scalars(
        select(Recommendation).where(Recommendation.review_id == action.review_id, Recommendation.number == number)
    ).one_or_none()
    if found is None:
        numbers = session.scalars(
            select(Recommendation.number)
            .where(Recommendation.review_id == action.review_id)
            .order_by(Recommendation.id)
        ).all()
        have = f"its recommendations are {', '.join(numbers)}" if numbers else "it has no recommendations on record"
        raise UnknownRecommendation(f"{action.review.code} has no recommendation {number}: {have}.")
    return found.id


def _check_correction(context: Context, action: Action) -> None:
    """The coordinator may correct a due date within CORRECTION_DAYS of the plan's loading; else it is an extension."""
    loaded = context.session.scalar(
        select(func.max(Update.at)).where(
            Update.action_id == action.id, or_(Update.kind == "created", Update.source == "import")
        )
    )
    days = None if loaded is None else (context.today() - loaded.astimezone(context.settings.timezone).date()).days
    permissions.require_due_correction(context.actor, action, days)
    if action.status is not Status.NOT_STARTED and action.status is not Status.IN_PROGRESS:
        raise InvalidTransition(f"{action.ref} is no longer open, so its due date stays as it is.")


# ------------------------------------------------------------------------------------ assign


def assign(context: Context, command: cmd.Assign) -> Reply:
    """A new owner: the old and the new owner are told, and the chair when someone else reassigns."""
    session, actor = context.session, context.actor
    action = queries.action_by_ref(session, command.ref, lock=True)
    permissions.require_assign(actor, action)
    _require_not_closed(action, "reassigned")
    _check_text(context, command.reason)
    owner = queries.find_person(session, command.owner, actor)
    old = action.owner
    if old is not None and old.id == owner.id:
        last = queries.last_update(session, action.id)
        if last is not None and last.kind == "assign" and last.person_id == actor.id:
            return _unchanged(context, action, "Already recorded")
        raise InvalidTransition(f"{owner.name} already owns {action.ref}.")
    _record(context, action, "assign", command.reason, touch=False, owner_id=owner.id, lead_name=None)
    session.flush()
    session.refresh(action)
    view = one_view(context, action)
    was = f" (was {old.name})" if old else ""
    told = [person.name for person in (old, owner) if person is not None and person.id != actor.id]
    summary = f"{action.ref} now belongs to {owner.name}{was}." + (f" Told: {', '.join(told)}." if told else "")
    return Reply(Changed(summary, view), _owner_notices(context, action, old, owner, command.reason))


def _owner_notices(
    context: Context, action: Action, old: Person | None, new: Person, reason: str | None
) -> tuple[Notice, ...]:
    """The new owner, the old one and the chairs hear of a new owner; never the person who made the change."""
    actor, view = context.actor, one_view(context, action)
    why = f" Reason: {reason}" if reason else ""
    was = f" from {old.name}" if old else ""
    said: dict[int, tuple[Person, str]] = {}
    for chair in queries.chairs_except(context.session, actor.id):
        said[chair.id] = (chair, f"{actor.name} reassigned {action.ref}{was} to {new.name}.{why}")
    if old is not None:
        said[old.id] = (old, f"{actor.name} passed {action.ref} to {new.name}: you no longer own it.{why}")
    said[new.id] = (new, f"{actor.name} made you the owner of {action.ref}{was}.{why}")
    return tuple(
        Notice(recipient(person), Changed(words, view)) for person, words in said.values() if person.id != actor.id
    )


# ------------------------------------------------------------------------------------ find


def find(context: Context, command: cmd.Find) -> Reply:
    """Actions whose text, progress or evidence holds every word, soonest due first, paged in SQL."""
    query = find_query(command.words)
    session = context.session
    total = paging.count_of(session, query)
    number, pages = paging.clamp(command.page, total)
    shown = views(context, paging.page_rows(session, query, number))
    return Reply(
        ActionList(
            title=f'Actions mentioning "{command.words}"',
            actions=tuple(shown),
            page=number,
            pages=pages,
            total=total,
            next_command=f"/action find {command.words} page:{number + 1}" if number < pages else None,
            empty=f'No action\'s text, progress or evidence mentions "{command.words}".',
        )
    )


def find_query(words: str) -> Select[Action]:
    """Every word in the text, the progress or the evidence (LIKE, any case; % and _ match themselves)."""
    query = select(Action).join(Action.review)
    for word in words.split():
        needle = word.lower()
        query = query.where(
            or_(
                *(func.lower(column).contains(needle, autoescape=True)
                  for column in (Action.text, Action.progress, Action.evidence))
            )
        )  # fmt: skip
    return query.order_by(Action.due, Review.code, Action.id)


# ------------------------------------------------------------------------------------ shared steps


def _agency(session: Session, typed: str) -> Agency:
    """The agency a code or name names: an exact code or name first, else the one name that contains it."""
    word = typed.strip().lower()
    exact = session.scalars(
        select(Agency).where(or_(func.lower(Agency.code) == word, func.lower(Agency.name) == word))
    ).all()
    found = list(exact) or list(session.scalars(select(Agency).where(func.lower(Agency.name).contains(word))).all())
    if len(found) != 1:
        names = ", ".join(sorted(agency.name for agency in found[:5]))
        problem = f"'{typed}' could be {names}" if found else f"There is no agency '{typed}'"
        raise UnknownAgency(f"{problem}: give its code or full name, e.g. agency:police.")
    return found[0]


def _require_not_closed(action: Action, verb: str) -> None:
    if action.status is Status.SIGNED_OFF:
        raise InvalidTransition(f"{action.ref} is signed off, so it is no longer {verb}.")
    if action.status is Status.WITHDRAWN:
        raise InvalidTransition(f"{action.ref} was withdrawn by the chair, so it is no longer {verb}.")


def _check_text(context: Context, text: str | None) -> None:
    if text:
        check_text(text, queries.protected_names(context.session))


def _record(context: Context, action: Action, kind: str, note: str | None, **fields: Any) -> None:
    record_change(context.session, action, person=context.actor, source=context.source, kind=kind,
                  at=context.now(), note=note, **fields)  # fmt: skip


def _unchanged(context: Context, action: Action, what: str) -> Reply:
    """Nothing written: a retyped command or a form sent again unchanged."""
    return Reply(Changed(f"{what}: nothing new was saved for {action.ref}.", one_view(context, action), duplicate=True))
