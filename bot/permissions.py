"""Who may do what: pure checks that raise NotPermitted with the reason a person sees."""

from __future__ import annotations

from typing import Protocol

from bot.errors import NotPermitted
from storage.models import Role


class Actor(Protocol):
    id: int
    role: Role
    agency_id: int | None


class Owned(Protocol):
    ref: str
    owner_id: int | None
    agency_id: int
    completed_by_id: int | None


def owns(actor: Actor, action: Owned) -> bool:
    """The actor is the action's owner, or a lead of its agency."""
    if action.owner_id == actor.id:
        return True
    return actor.role in (Role.AGENCY_LEAD, Role.CHAIR) and actor.agency_id == action.agency_id


def require_change(actor: Actor, action: Owned) -> None:
    """Progress updates, completion and extension requests: owners, their agency's leads, the coordinator."""
    if actor.role is Role.COORDINATOR or (actor.role is not Role.MEMBER and owns(actor, action)):
        return
    if actor.role is Role.MEMBER:
        raise NotPermitted("Members can read actions but not change them. Ask the coordinator for a role.")
    raise NotPermitted(
        f"{action.ref} belongs to another agency. Only its owner, a lead of its agency "
        "or the coordinator can change it."
    )


def require_chair_decision(actor: Actor, action: Owned, requested_by_id: int | None) -> None:
    """Extension decisions: the chair only, never on an action they own or a request they made."""
    if actor.role is not Role.CHAIR:
        raise NotPermitted("Only the chair decides extension requests.")
    if action.owner_id == actor.id or requested_by_id == actor.id:
        raise NotPermitted(
            f"You own {action.ref} or asked for this extension yourself, so you cannot decide it: "
            "no self-approval. Another board member chairs this decision."
        )


def require_sign_off(actor: Actor, action: Owned) -> None:
    """Sign-off: the chair only, never on an action they own or marked complete themselves."""
    if actor.role is not Role.CHAIR:
        raise NotPermitted("Only the chair signs actions off.")
    if action.owner_id == actor.id or action.completed_by_id == actor.id:
        raise NotPermitted(
            f"You own {action.ref} or marked it complete yourself, so you cannot sign it off: no self-approval."
        )


def require_withdraw(actor: Actor, action: Owned) -> None:
    """Withdrawing an action: the chair only, never one they own."""
    if actor.role is not Role.CHAIR:
        raise NotPermitted("Only the chair withdraws actions.")
    if action.owner_id == actor.id:
        raise NotPermitted(f"You own {action.ref}, so you cannot withdraw it yourself: another chair decides.")


def require_coordinator(actor: Actor, what: str, *, chair_too: bool = False) -> None:
    """Board business: the coordinator (and, where allowed, the chair)."""
    allowed = (Role.COORDINATOR, Role.CHAIR) if chair_too else (Role.COORDINATOR,)
    if actor.role not in allowed:
        who = "the coordinator or the chair" if chair_too else "the coordinator"
        raise NotPermitted(f"Only {who} can {what}.")


# --- running the plan in chat: add, edit, assign (bot.services.editing) -------------------

CORRECTION_DAYS = 7  # a coordinator may correct a wrong due date this long after the plan was loaded


def require_plan_edit(actor: Actor, what: str) -> None:
    """Adding and editing actions: the board's coordinator."""
    require_coordinator(actor, what)


def require_assign(actor: Actor, action: Owned) -> None:
    """A new owner: the coordinator, or the chair."""
    require_coordinator(actor, f"give {action.ref} a new owner", chair_too=True)


def require_due_correction(actor: Actor, action: Owned, days_since_loading: int | None) -> None:
    """A due date is the chair's decision (an extension); the coordinator may correct a wrong one, soon after
    the plan was loaded."""
    extend = f"Ask for a new date with /action extend {action.ref} <new due date> <reason>: the chair decides."
    if actor.role is not Role.COORDINATOR:
        raise NotPermitted(f"A due date is the chair's decision. {extend}")
    if days_since_loading is None or days_since_loading > CORRECTION_DAYS:
        raise NotPermitted(
            f"{action.ref}'s plan was loaded more than {CORRECTION_DAYS} days ago, so its due date is no longer "
            f"corrected: moving it is the chair's decision. {extend}"
        )


# --- people in chat --------------------------------------------------------------------------------


def require_snooze(actor: Actor, action: Owned, *, covering: bool = False) -> None:
    """Snoozing an action's reminders: its owner, or the deputy covering for them while they are away."""
    if action.owner_id == actor.id or covering:
        return
    raise NotPermitted(f"Only the owner of {action.ref} can snooze its reminders.")


def require_own_absence(actor: Actor, person_id: int) -> None:
    """An absence: the person themselves; the coordinator may record anyone's."""
    if person_id != actor.id and actor.role is not Role.COORDINATOR:
        raise NotPermitted("Only the coordinator records someone else's absence: give your own dates.")
