"""People in chat: ``people``, ``person add``, ``leaver``, ``away``, ``snooze`` and ``settings``.

Decisions a person sees:

- ``people`` lists everyone on the board but leavers: role, agency, whether messages reach them,
  an absence and a weekly reminder setting.
- ``person add`` is the coordinator's; a name holding a review's protected name is refused (staff
  names are not otherwise checked: they are not case data). Someone who left may be added again.
- ``leaver``: the coordinator's. Every action of theirs not yet closed moves to the handover
  person (recorded in each action's history by name); both are told; their access ends that day
  (bot.identity refuses them); their row stays, so history keeps their name.
- ``away``: while away their reminders and escalations go to the deputy, who is told; the owner
  stays owner. With no deputy nothing is sent until they are back, and nothing is lost: the
  sweep sends the reminder then (bot.jobs.recipients).
- ``snooze``: the owner (or the deputy covering); no reminder before the date, which may not be
  after the due date: a later date is an extension, the chair's decision.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from bot import commands as cmd
from bot import permissions
from bot.anonymity import check_text
from bot.availability import covers_for
from bot.changes import record_change
from bot.chat import phrases
from bot.dates import format_date
from bot.errors import BadDate, InvalidTransition, NotPermitted, UnknownPerson, UserError
from bot.people import find_agency
from bot.services import paging, queries
from bot.services.changes import duplicate
from bot.services.context import Context, recipient
from bot.services.reading import one_view, views
from bot.views import ActionList, Changed, Notice, PeopleList, PersonLine, ReminderChoice, Reply, Text
from storage.models import Action, Pace, Person, Role, Status

CLOSED = (Status.SIGNED_OFF, Status.WITHDRAWN)


# --- people --------------------------------------------------------------------------------------


def people(context: Context, command: cmd.People) -> Reply:
    """Who is who, by name; leavers are not listed."""
    session, today = context.session, context.today()
    query = select(Person).where(Person.left_on.is_(None))
    title = "People on the board"
    if command.agency:
        found = find_agency(session, command.agency)
        query, title = query.where(Person.agency_id == found.id), f"People in {found.name}"
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    number, pages = paging.clamp(command.page, total)
    ordered = query.order_by(func.lower(Person.name), Person.id)
    page = list(session.scalars(ordered.offset((number - 1) * paging.PAGE_SIZE).limit(paging.PAGE_SIZE)).unique())
    deputy_ids = {person.deputy_id for person in page if person.deputy_id}  # at most a page's worth
    named = session.execute(select(Person.id, Person.name).where(Person.id.in_(deputy_ids)))
    deputies = {deputy_id: name for deputy_id, name in named}
    lines = tuple(_line(person, today, deputies) for person in page)
    agency = f' agency:"{command.agency}"' if command.agency and " " in command.agency else (
        f" agency:{command.agency}" if command.agency else "")  # fmt: skip
    more = f"/action people{agency} page:{number + 1}" if number < pages else None
    return Reply(PeopleList(title, lines, number, pages, total, more))


def _reach(person: Person) -> str:
    if person.unreachable:
        return f"not reachable: {person.unreachable}"
    where = [name for name, key in (("Slack", person.slack_user_id), ("Teams", person.teams_user_id)) if key]
    return f"reachable on {' and '.join(where)}" if where else "not seen in chat yet (found by e-mail when messaged)"


def _line(person: Person, today: date, deputies: dict[int, str]) -> PersonLine:
    away = None
    if person.away_to is not None and person.away_from is not None and person.away_to >= today:
        deputy = deputies.get(person.deputy_id or 0)
        cover = f", deputy {deputy}" if deputy else ", reminders wait until back"
        away = f"away {format_date(person.away_from)} – {format_date(person.away_to)}{cover}"
    return PersonLine(
        person.name, person.email, phrases.ROLE_WORDS[person.role.value], person.agency.name if person.agency else None,
        _reach(person), away, person.reminders is Pace.WEEKLY,
    )  # fmt: skip


# --- person add ----------------------------------------------------------------------------------


def add_person(context: Context, command: cmd.PersonAdd) -> Reply:
    """The coordinator adds someone; a leaver with that e-mail is added again."""
    session = context.session
    permissions.require_coordinator(context.actor, "add people")
    name = " ".join(command.name.split())
    if len(name) < 2 or len(name) > 200:
        raise UserError("A name needs between 2 and 200 characters.", cmd.USAGE["person"])
    # A staff member's name is not case data, but a review's protected name is never stored in chat.
    check_text(name, queries.protected_names(session))
    if command.role is Role.AGENCY_LEAD and not command.agency:
        raise UserError("An agency lead needs an agency: add agency:police (or its code).", cmd.USAGE["person"])
    agency = find_agency(session, command.agency) if command.agency else None
    person = queries.person_by_email(session, command.email)
    if person is not None and person.left_on is None:
        if (person.name, person.role, person.agency_id) == (name, command.role, agency.id if agency else None):
            return Reply(Text(f"Already recorded: {name} <{person.email}> is on the board; nothing was changed."))
        raise UserError(f"{person.email} is already on the board, as {person.name} ({person.role.value}).",
                        "Nothing was changed.")  # fmt: skip
    again = person is not None
    if person is None:
        person = Person(email=command.email)
        session.add(person)
    person.name, person.role, person.agency, person.left_on = name, command.role, agency, None
    where = f", {agency.name}" if agency else ""
    said = "added again" if again else "added"
    return Reply(Text(
        f"{name} <{command.email}> is {said} as {phrases.ROLE_WORDS[command.role.value]}{where}. "
        "They are recognised by that e-mail when they first use the bot in Slack or Teams."
    ))  # fmt: skip


# --- leaver --------------------------------------------------------------------------------------


def _someone(context: Context, mention: cmd.Mention, what: str) -> Person:
    """A person a command names, who has not left."""
    person = queries.find_person(context.session, mention, context.actor)
    if person.left_on is not None:
        raise UnknownPerson(f"{person.name} left the board on {format_date(person.left_on)}, so can't be {what}.")
    return person


def leaver(context: Context, command: cmd.Leaver) -> Reply:
    """Their open actions move to the handover person, both are told, and their access ends."""
    session, actor, today = context.session, context.actor, context.today()
    permissions.require_coordinator(actor, "record leavers")
    gone = queries.person_by_email(session, command.email)
    if gone is None:
        raise UnknownPerson(f"Nobody on the board has the e-mail {command.email}.", "Check it with /action people.")
    if gone.left_on is not None:
        return Reply(Text(f"Already recorded: {gone.name} left on {format_date(gone.left_on)}; nothing was changed."))
    if gone.id == actor.id:
        raise NotPermitted("You can't record yourself as a leaver: another coordinator does it.")
    handover = _someone(context, command.handover, "given the handover")
    if handover.id == gone.id:
        raise UserError(f"The handover must be someone other than {gone.name}.", cmd.USAGE["leaver"])
    if handover.role is Role.MEMBER:
        raise NotPermitted(f"{handover.name} is a member (read only), so can't own actions: choose someone else.")
    moved = list(session.scalars(
        select(Action).options(*queries.ACTION_VIEW)
        .where(Action.owner_id == gone.id, Action.status.notin_(CLOSED)).order_by(Action.ref)
        .with_for_update(of=Action)
    ).unique())  # fmt: skip
    note = f"{gone.name} left the board: handed over to {handover.name}"
    for action in moved:
        action.owner = handover
        record_change(session, action, person=actor, source=context.source, kind="handover", at=context.now(),
                      note=note, touch=False, extra={"owner": [gone.name, handover.name]})  # fmt: skip
    for covered in session.scalars(select(Person).where(Person.deputy_id == gone.id)):
        covered.deputy_id = None  # a leaver is nobody's deputy: those reminders wait for their owner
    gone.left_on, gone.away_from, gone.away_to, gone.deputy_id = today, None, None, None
    session.flush()
    refs = ", ".join(action.ref for action in moved)
    listing = f": {refs}" if moved else ""
    count = phrases.plural(len(moved), "open action")
    summary = (f"{gone.name} has left the board: {count} moved to {handover.name}{listing}. Both were told. "
               f"Their access has ended; the history keeps their name.")  # fmt: skip
    handed = ActionList(f"Handed over to you from {gone.name}, who has left the board", tuple(views(context, moved)),
                        total=len(moved))  # fmt: skip
    goodbye = Text(f"The board's coordinator has recorded that you have left. Your {count} now belong to "
                   f"{handover.name}{listing}. Your access to the action tracker ends today. Thank you.")  # fmt: skip
    notices = [Notice(recipient(gone), goodbye)]
    if handover.id != actor.id:
        notices.append(Notice(recipient(handover), handed))
    return Reply(Text(summary), tuple(notices))


# --- away ----------------------------------------------------------------------------------------


def away(context: Context, command: cmd.Away) -> Reply:
    """Record (or end) an absence; the deputy is told."""
    actor = context.actor
    person = _someone(context, command.person, "away") if command.person else actor
    permissions.require_own_absence(actor, person.id)
    who = "you" if person.id == actor.id else person.name
    your = "your" if person.id == actor.id else "their"
    if command.start is None or command.end is None:
        if person.away_to is None:
            return Reply(Text(f"No absence is recorded for {who}: nothing was changed."))
        person.away_from, person.away_to, person.deputy_id = None, None, None
        return Reply(Text(f"Welcome back: {your} reminders come to {who} again."))
    deputy = _someone(context, command.deputy, "a deputy") if command.deputy else None
    if deputy is not None and deputy.id == person.id:
        raise UserError("A deputy is someone else: name who covers, or leave deputy: out.", cmd.USAGE["away"])
    if deputy is not None and deputy.role is Role.MEMBER:
        raise NotPermitted(f"{deputy.name} is a member (read only), so can't act on reminders: choose someone else.")
    when = f"{format_date(command.start)} to {format_date(command.end)}"
    deputy_id = deputy.id if deputy else None
    if (person.away_from, person.away_to, person.deputy_id) == (command.start, command.end, deputy_id):
        return Reply(Text(f"Already recorded: {who} away {when}; nothing was changed."))
    person.away_from, person.away_to, person.deputy_id = command.start, command.end, deputy_id
    lead = "Away" if person.id == actor.id else f"{person.name} is away"
    # The coordinator recorded it: the person is told too.
    meanwhile = f" Your reminders go to {deputy.name} meanwhile." if deputy else " No reminders come meanwhile."
    recorded = Text(f"The board's coordinator has recorded you as away {when}.{meanwhile}")
    notices = [] if person.id == actor.id else [Notice(recipient(person), recorded)]
    if deputy is None:
        return Reply(Text(f"{lead} {when}: no reminders are sent to {who} meanwhile, and none is lost: they come "
                          f"when {who} {'are' if who == 'you' else 'is'} back."), tuple(notices))  # fmt: skip
    summary = (f"{lead} {when}: {your} reminders and escalations go to {deputy.name} meanwhile. "
               f"{'You stay' if who == 'you' else person.name + ' stays'} the owner of {your} actions.")  # fmt: skip
    told = Text(f"{person.name} is away {when} and has named you as deputy: their reminders and escalations come "
                "to you meanwhile. They stay the owner of their actions.")  # fmt: skip
    if deputy.id != actor.id:
        notices.append(Notice(recipient(deputy), told))
    return Reply(Text(summary), tuple(notices))


# --- snooze --------------------------------------------------------------------------------------


def snooze(context: Context, command: cmd.Snooze) -> Reply:
    """No nudge about the action before the date; never past its due date."""
    session, actor = context.session, context.actor
    action = queries.action_by_ref(session, command.ref, lock=True)
    owner = session.get(Person, action.owner_id) if action.owner_id else None
    covering = owner is not None and covers_for(actor.id, owner, context.today())
    permissions.require_snooze(actor, action, covering=covering)
    if not action.status.is_open:
        raise InvalidTransition(f"{action.ref} is {phrases.STATUS_WORDS[action.status]}: it is not nudged.")
    if action.due is None:
        raise InvalidTransition(f"{action.ref} has no due date yet, so it is not nudged: there is nothing to snooze.")
    if command.until > action.due:
        raise BadDate(
            f"{action.ref} is due {format_date(action.due)}: a snooze can't run past the due date.",
            f"Snooze to {format_date(action.due)} at the latest, or ask the chair for more time: "
            f"/action extend {action.ref} <new due date> <reason>",
        )
    check_text(command.reason, queries.protected_names(session))
    last = queries.last_update(session, action.id)
    repeat = last is not None and last.kind == "snooze" and last.note == command.reason
    if repeat and action.snooze_until == command.until:
        return duplicate(context, action)
    before = format_date(action.snooze_until) if action.snooze_until else None
    action.snooze_until = command.until
    until = [before, format_date(command.until)]
    record_change(session, action, person=actor, source=context.source, kind="snooze", at=context.now(),
                  note=command.reason, touch=False, extra={"snoozed_until": until})  # fmt: skip
    summary = (f"Snoozed: no reminder about {action.ref} before {format_date(command.until)} "
               f"(due {format_date(action.due)}).")  # fmt: skip
    return Reply(Changed(summary, one_view(context, action)))


# --- settings ------------------------------------------------------------------------------------


def settings(context: Context, command: cmd.ReminderSettings) -> Reply:
    """Show, or change, how my reminders come."""
    actor = context.actor
    if command.pace is None:
        return Reply(ReminderChoice(actor.reminders))
    actor.reminders = command.pace
    return Reply(ReminderChoice(command.pace, saved=True))


HANDLERS: dict[type, Callable[[Context, Any], Reply]] = {
    cmd.People: people,
    cmd.PersonAdd: add_person,
    cmd.Leaver: leaver,
    cmd.Away: away,
    cmd.Snooze: snooze,
    cmd.ReminderSettings: settings,
}
