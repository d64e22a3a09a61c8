"""The commands that change an action: update, done, extend, approve/decline, sign off, impact."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import commands as cmd
from bot import permissions
from bot.anonymity import check_text
from bot.changes import record_change
from bot.dates import format_date
from bot.errors import BadDate, InvalidTransition
from bot.services import queries
from bot.services.context import Context, recipient
from bot.services.presentation import action_view
from bot.services.reading import one_view
from bot.views import Changed, ExtensionDecided, ExtensionRequested, Notice, OpenForm, Reply
from storage.models import Action, ExtensionRequest, ExtensionState, Person, Rag, Status

RAG_WORDS = {Rag.GREEN: "on track", Rag.AMBER: "at risk", Rag.RED: "off track"}


def update(context: Context, command: cmd.UpdateAction) -> Reply:
    action = _changeable(context, command.ref, "updated")
    if command.note is None:
        return Reply(OpenForm(command.form, one_view(context, action), asked=command.form != "update"))
    _check_text(context, action, command.note)
    fields: dict[str, Any] = {"progress": command.note}
    if command.rag is not None:
        fields["rag"] = command.rag
    if action.status is Status.NOT_STARTED:
        fields["status"] = Status.IN_PROGRESS
    if _is_repeat(context, action, "update", fields, command.note):
        return duplicate(context, action)
    _record(context, action, "update", command.note, **fields)
    summary = f"Update recorded for {action.ref} ({RAG_WORDS.get(action.rag, action.rag.value)})."
    return Reply(Changed(summary, one_view(context, action)))


def done(context: Context, command: cmd.Done) -> Reply:
    action = _changeable(context, command.ref, None)
    if action.status is Status.COMPLETE and action.evidence == command.evidence:
        return duplicate(context, action)
    _require_open(action, "marked complete")
    _check_text(context, action, command.evidence)
    _record(context, action, "done", command.evidence, status=Status.COMPLETE, evidence=command.evidence,
            completed_on=context.today(), completed_by_id=context.actor.id)  # fmt: skip
    summary = f"{action.ref} is marked complete and now waits for the chair's sign-off."
    return Reply(Changed(summary, one_view(context, action)))


def extend(context: Context, command: cmd.Extend) -> Reply:
    session, actor = context.session, context.actor
    action = _changeable(context, command.ref, "extended")
    pending = queries.pending_extensions(session, [action.id]).get(action.id)
    if pending is not None:
        request, _ = pending
        if request.requested_due == command.new_due and request.requested_by_id == actor.id:
            return duplicate(context, action)
        raise InvalidTransition(
            f"{action.ref} already has an extension request waiting (to {format_date(request.requested_due)}).",
            "The chair must approve or decline it before another can be asked for.",
        )
    if action.due is not None and command.new_due <= action.due:
        raise BadDate(
            f"{format_date(command.new_due)} is not later than {action.ref}'s current due date, "
            f"{format_date(action.due)}.",
            f"Ask for a later date: /action extend {action.ref} <new due date> <reason>",
        )
    _check_text(context, action, command.reason)
    request = ExtensionRequest(
        action_id=action.id, requested_due=command.new_due, previous_due=action.due,
        reason=command.reason, requested_by_id=actor.id, requested_at=context.now(),
    )  # fmt: skip
    session.add(request)
    _record(context, action, "extension_requested", command.reason, at=request.requested_at,
            extra={"requested_due": [action.due, command.new_due]})  # fmt: skip
    session.flush()
    view = action_view(action, context.today(), context.settings, (request, actor.name))
    asked = ExtensionRequested(view, command.new_due, command.reason, actor.name)
    notices = tuple(Notice(recipient(chair), asked) for chair in queries.chairs_except(session, actor.id))
    summary = (
        f"Extension for {action.ref} to {format_date(command.new_due)} requested. "
        f"The chair decides; the due date stays {format_date(action.due)} until then."
    )
    return Reply(Changed(summary, view), notices)


def decide(context: Context, command: cmd.Approve | cmd.Decline) -> Reply:
    session, actor = context.session, context.actor
    approved = isinstance(command, cmd.Approve)
    action = queries.action_by_ref(session, command.ref, lock=True)
    pending = queries.pending_extensions(session, [action.id]).get(action.id)
    if pending is None:
        last = queries.last_extension_request(session, action.id)
        if last is not None and last.decided_by_id == actor.id and (last.state is ExtensionState.APPROVED) == approved:
            return duplicate(context, action)
        raise InvalidTransition(f"{action.ref} has no extension request waiting for a decision.")
    request, requester_name = pending
    permissions.require_chair_decision(actor, action, request.requested_by_id)
    note = None if approved else command.reason  # type: ignore[union-attr]
    _check_text(context, action, note)
    request.state = ExtensionState.APPROVED if approved else ExtensionState.DECLINED
    request.decided_by_id, request.decided_at, request.decision_note = actor.id, context.now(), note
    fields = {"due": request.requested_due} if approved else {}
    extra = {} if approved else {"requested_due": [request.requested_due, None]}
    kind = "extension_approved" if approved else "extension_declined"
    _record(context, action, kind, note, at=request.decided_at, touch=False, extra=extra, **fields)
    view = one_view(context, action)
    decided = ExtensionDecided(view, approved, actor.name, note)
    notices = tuple(Notice(recipient(person), decided) for person in _told_of_decision(session, action, request))
    if approved:
        summary = (
            f"Extension approved: {action.ref} is now due {format_date(action.due)} "
            f"(originally {format_date(action.original_due)}). {requester_name} has been told."
        )
    else:
        summary = (
            f"Extension declined: {action.ref} stays due {format_date(action.due)}. {requester_name} has been told."
        )
    return Reply(Changed(summary, view), notices)


def _told_of_decision(session: Any, action: Action, request: ExtensionRequest) -> list[Person]:
    """Who hears of a decision: the requester, and the owner when someone else asked."""
    requester = session.get(Person, request.requested_by_id)
    people = [requester] + ([action.owner] if action.owner and action.owner_id != request.requested_by_id else [])
    told = {request.requested_by_id, action.owner_id} - {None}
    return [person for person in people if person is not None and person.id in told]


def sign_off(context: Context, command: cmd.SignOff) -> Reply:
    actor = context.actor
    action = queries.action_by_ref(context.session, command.ref, lock=True)
    permissions.require_sign_off(actor, action)
    if action.status is Status.SIGNED_OFF:
        if action.signed_off_by_id == actor.id:
            return duplicate(context, action)
        raise InvalidTransition(f"{action.ref} was already signed off on {_day(action.signed_off_on)}.")
    if action.status is not Status.COMPLETE:
        raise InvalidTransition(
            f"{action.ref} is {action.status.value.replace('_', ' ')}: only complete actions can be signed off.",
            f"The owner marks it complete first with /action done {action.ref} <evidence>.",
        )
    _check_text(context, action, command.note)
    _record(context, action, "signoff", command.note, touch=False, status=Status.SIGNED_OFF,
            signed_off_on=context.today(), signed_off_by_id=actor.id)  # fmt: skip
    return Reply(Changed(f"{action.ref} is signed off.", one_view(context, action)))


def withdraw(context: Context, command: cmd.Withdraw) -> Reply:
    """The chair closes an open action as superseded or no longer needed; the reason is kept."""
    actor = context.actor
    action = queries.action_by_ref(context.session, command.ref, lock=True)
    permissions.require_withdraw(actor, action)
    if action.status is Status.WITHDRAWN:
        last = queries.last_update(context.session, action.id)
        if last is not None and last.kind == "withdraw" and last.note == command.reason:
            return duplicate(context, action)
        raise InvalidTransition(f"{action.ref} was already withdrawn.")
    _require_open(action, "withdrawn")
    _check_text(context, action, command.reason)
    _record(context, action, "withdraw", command.reason, touch=False, status=Status.WITHDRAWN,
            withdrawn_on=context.today())  # fmt: skip
    summary = f"{action.ref} is withdrawn: it is closed, kept in the history and the report, and never nudged."
    view = one_view(context, action)
    notices: tuple[Notice, ...] = ()
    if action.owner is not None and action.owner_id != actor.id:
        told = Changed(f"{actor.name} withdrew {action.ref}, which you own: {command.reason}. It is closed and "
                       "kept in the history; you will get no more reminders about it.", view)  # fmt: skip
        notices = (Notice(recipient(action.owner), told),)
    return Reply(Changed(summary, view), notices)


def impact(context: Context, command: cmd.Impact) -> Reply:
    action = _changeable(context, command.ref, None)
    if action.status is not Status.SIGNED_OFF:
        raise InvalidTransition(
            f"{action.ref} is not signed off yet: evidence of impact is recorded after sign-off.",
            f"Report progress with /action update {action.ref} <note>.",
        )
    _check_text(context, action, command.note)
    if _is_repeat(context, action, "impact", {}, command.note):
        return duplicate(context, action)
    _record(context, action, "impact", command.note, touch=False)
    summary = f"Evidence of impact recorded for {action.ref}; the board reports it in its annual report."
    return Reply(Changed(summary, one_view(context, action)))


# --------------------------------------------------------------------- shared steps


def _changeable(context: Context, ref: str, verb: str | None) -> Action:
    """The action, locked, that the person may change (and, given a verb, that is still open)."""
    action = queries.action_by_ref(context.session, ref, lock=True)
    permissions.require_change(context.actor, action)
    if verb is not None:
        _require_open(action, verb)
    return action


def _record(context: Context, action: Action, kind: str, note: str | None, **fields: Any) -> None:
    at = fields.pop("at", None) or context.now()
    # One change to a stored action: written at once (bot.changes), no unit-of-work flush at commit.
    record_change(context.session, action, person=context.actor, source=context.source, kind=kind, at=at, note=note,
                  at_once=True, **fields)  # fmt: skip


def _check_text(context: Context, action: Action, text: str | None) -> None:
    if text:
        check_text(text, queries.protected_names(context.session))


def _is_repeat(context: Context, action: Action, kind: str, fields: dict[str, object], note: str | None) -> bool:
    """The same change, retyped or resent: every field already holds it and the last update says it."""
    if any(getattr(action, name) != value for name, value in fields.items()):
        return False
    last = queries.last_update(context.session, action.id)
    return last is not None and last.person_id == context.actor.id and last.kind == kind and last.note == note


def duplicate(context: Context, action: Action) -> Reply:
    """Nothing new: the change was already recorded (a retyped command, a resent form)."""
    last = queries.last_update(context.session, action.id)
    when = f" at {last.at.astimezone(context.settings.timezone):%H:%M on %a %d %b}" if last else ""
    summary = f"Already recorded{when}: nothing new was saved for {action.ref}."
    return Reply(Changed(summary, one_view(context, action), duplicate=True))


def _day(day: date | None) -> str:
    return format_date(day) if day else "an unrecorded date"


def _require_open(action: Action, verb: str) -> None:
    if action.status is Status.WITHDRAWN:
        raise InvalidTransition(f"{action.ref} was withdrawn by the chair, so it can't be {verb}.")
    if action.status is Status.SIGNED_OFF:
        raise InvalidTransition(f"{action.ref} was signed off on {_day(action.signed_off_on)}, so it can't be {verb}.")
    if action.status is Status.COMPLETE:
        raise InvalidTransition(
            f"{action.ref} is marked complete and waiting for the chair's sign-off, so it can't be {verb}.",
            "If more work is needed, ask the coordinator to reopen it.",
        )
