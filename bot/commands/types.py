"""The ``/action`` language's commands as values: what the parser returns and the services carry out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

from storage.models import Pace, Rag, Role, Status

__all__ = [
    "MAX_TEXT", "Approve", "Command", "Decline", "Digest", "Done", "Extend", "Help", "History", "Impact", "Link",
    "ListActions", "Listing", "Mention", "Mine", "Outstanding", "Pack", "Show", "SignOff", "UpdateAction",
    "Import", "Withdraw",
    "AddAction", "Assign", "EditAction", "Find",
    "Away", "Leaver", "People", "PersonAdd", "ReminderSettings", "Snooze",
]  # fmt: skip

MAX_TEXT = 3000  # a Slack section block holds 3,000 characters; longer text could not be echoed


@dataclass(frozen=True)
class Mention:
    """A person named in a command: a chat user id, a name typed after @, or an e-mail."""

    user_id: str | None
    name: str | None
    email: str | None

    @property
    def is_me(self) -> bool:
        """True for ``me``: the person sending the command."""
        return self.user_id is None and self.email is None and self.name == "me"


@dataclass(frozen=True)
class Help:
    topic: str | None


@dataclass(frozen=True)
class Mine:
    page: int = 1


@dataclass(frozen=True)
class ListActions:
    review: str | None = None
    agency: str | None = None
    owner: Mention | None = None
    status: Status | None = None
    overdue: bool = False
    due_by: date | None = None
    page: int = 1


@dataclass(frozen=True)
class Show:
    ref: str


@dataclass(frozen=True)
class UpdateAction:
    ref: str
    rag: Rag | None
    note: str | None
    form: str = "update"  # "done"/"extend": ``update CC-3 done`` asks for the evidence, never stores the word


@dataclass(frozen=True)
class Done:
    ref: str
    evidence: str


@dataclass(frozen=True)
class Extend:
    ref: str
    new_due: date
    reason: str


@dataclass(frozen=True)
class Approve:
    ref: str


@dataclass(frozen=True)
class Decline:
    ref: str
    reason: str


@dataclass(frozen=True)
class Outstanding:
    agency: str | None = None
    review: str | None = None
    page: int = 1


@dataclass(frozen=True)
class SignOff:
    ref: str
    note: str | None


@dataclass(frozen=True)
class Withdraw:
    ref: str
    reason: str


@dataclass(frozen=True)
class History:
    ref: str


@dataclass(frozen=True)
class Digest:
    preview: bool


@dataclass(frozen=True)
class Impact:
    ref: str
    note: str


@dataclass(frozen=True)
class Pack:
    page: int = 1


@dataclass(frozen=True)
class Import:
    """``/action import``: how to load a plan in chat (the spreadsheet itself comes as an upload)."""


@dataclass(frozen=True)
class Link:
    """``link EMAIL WHO``: the coordinator ties a chat account to a person whose chat e-mail differs.

    ``platform`` and ``user_id`` are None when only a name was typed (``@Jo``): the surface that
    received the command resolves its own mentions (Teams looks the mention up) before the service runs.
    """

    email: str
    platform: str | None  # "teams" or "slack"
    user_id: str | None
    name: str | None = None


# --- running the plan in chat: add, edit, assign, find (bot.services.editing) -------------


@dataclass(frozen=True)
class AddAction:
    """``add CC <text> [owner:] [agency:] [due:]``; no text: the form."""

    review: str
    text: str | None
    owner: Mention | None = None
    agency: str | None = None
    due: date | None = None


@dataclass(frozen=True)
class EditAction:
    """``edit CC-3`` (the form) or ``edit CC-3 text:"..." owner:@jo ...``: None is "not given", "" clears."""

    ref: str
    text: str | None = None
    agency: str | None = None
    supporting: str | None = None  # the supporting agencies, comma-separated
    owner: Mention | None = None
    recommendation: str | None = None  # the recommendation's number in the review
    target: str | None = None  # the plan's wording when it names no date ("Ongoing")
    due: date | None = None  # a correction of a wrong date (the coordinator, within 7 days of loading)
    reason: str | None = None

    @property
    def is_form(self) -> bool:
        """Nothing given: the form opens, filled in with what the action says now."""
        return all(getattr(self, name) is None for name in EDIT_FIELDS) and self.due is None


EDIT_FIELDS = ("text", "agency", "supporting", "owner", "recommendation", "target")


@dataclass(frozen=True)
class Assign:
    ref: str
    owner: Mention
    reason: str | None = None


@dataclass(frozen=True)
class Find:
    words: str
    page: int = 1


# --- people in chat: who is who, joiners and leavers, absences, snoozes, reminder settings --------------


@dataclass(frozen=True)
class People:
    """``people [agency:police]``: who is who, their role and agency, and whether the bot can reach them."""

    agency: str | None = None
    page: int = 1


@dataclass(frozen=True)
class PersonAdd:
    """``person add EMAIL "Name" role:agency_lead agency:police``: the coordinator adds someone."""

    email: str
    name: str
    role: Role
    agency: str | None = None


@dataclass(frozen=True)
class Leaver:
    """``leaver EMAIL handover:@user``: their open actions move to ``handover``, and their access ends."""

    email: str
    handover: Mention


@dataclass(frozen=True)
class Away:
    """``away <from> <to> [deputy:@user] [for:@user]``; ``away off`` ends an absence (start is None)."""

    start: date | None
    end: date | None
    deputy: Mention | None = None
    person: Mention | None = None  # the coordinator records someone else's absence


@dataclass(frozen=True)
class Snooze:
    """``snooze CC-3 <date> <reason>``: no nudge about the action before ``until``."""

    ref: str
    until: date
    reason: str


@dataclass(frozen=True)
class ReminderSettings:
    """``settings`` shows my reminder setting; ``settings weekly`` / ``settings daily`` change it."""

    pace: Pace | None = None


Command: TypeAlias = (
    Help
    | Mine
    | ListActions
    | Show
    | UpdateAction
    | Done
    | Extend
    | Approve
    | Decline
    | Outstanding
    | SignOff
    | History
    | Digest
    | Impact
    | Pack
    | Link
    | Import
    | Withdraw
    | AddAction
    | EditAction
    | Assign
    | Find
    | People
    | PersonAdd
    | Leaver
    | Away
    | Snooze
    | ReminderSettings
)
Listing: TypeAlias = Mine | ListActions | Outstanding
