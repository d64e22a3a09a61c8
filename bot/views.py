"""View models: what the services return and every surface (console, Slack, Teams) renders."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, overload

from bot.errors import UserError
from storage.models import Pace, Rag, Status


@dataclass(frozen=True)
class ExtensionView:
    requested_due: date
    reason: str
    requested_by: str
    requested_at: datetime


@dataclass(frozen=True)
class ActionView:
    """One action as a person sees it: displayed RAG, owner, dates."""

    ref: str
    text: str
    review_code: str
    review_title: str
    agency: str
    owner: str | None
    owner_email: str | None
    due: date | None  # None: the plan names no date; ``target`` keeps its wording
    original_due: date | None
    status: Status
    rag: Rag  # displayed RAG (blue when done, red when overdue, ...)
    owner_rag: Rag
    days_overdue: int
    progress: str | None
    evidence: str | None
    pending_extension: ExtensionView | None = None
    signed_off_on: date | None = None
    target: str | None = None  # the plan's wording when it names no date ("Ongoing")
    lead_name: str | None = None  # a lead named without an e-mail: cannot be nudged until one is known

    @property
    def extended(self) -> bool:
        return self.due != self.original_due

    @property
    def owner_text(self) -> str:
        """The owner's name; a lead named without an e-mail says they cannot be nudged yet."""
        if self.owner:
            return self.owner
        if self.lead_name:
            return f"{self.lead_name} (named lead: cannot be nudged until an address is known)"
        return "no owner"

    @property
    def due_text(self) -> str:
        """``Tue 31 Mar 2015``, or ``needs a date (plan: 'Ongoing')``."""
        return due_text(self.due, self.target)


@dataclass(frozen=True)
class ActionList:
    """A page of actions with a title; ``more`` says how many did not fit on this page."""

    title: str
    actions: tuple[ActionView, ...]
    page: int = 1
    pages: int = 1
    total: int = 0
    next_command: str | None = None  # the command that shows the next page
    empty: str = "No actions match."


@dataclass(frozen=True)
class ActionDetail:
    """``/action show``: one action with its recent history."""

    action: ActionView
    recent: tuple[HistoryEntry, ...] = ()


@dataclass(frozen=True)
class OutstandingGroup:
    review_code: str
    review_title: str
    agency: str
    actions: tuple[ActionView, ...]  # overdue first (most overdue first), then amber, then the rest
    overdue: int
    amber: int


@dataclass(frozen=True)
class Outstanding:
    """The chair's view: open actions grouped by review and agency, overdue first."""

    groups: tuple[OutstandingGroup, ...]
    total: int
    overdue: int
    amber: int
    filters: str = ""
    page: int = 1
    pages: int = 1
    next_command: str | None = None


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    who: str
    source: str
    kind: str
    changes: dict[str, list[object]]
    note: str | None


@dataclass(frozen=True)
class History:
    ref: str
    entries: tuple[HistoryEntry, ...]


@dataclass(frozen=True)
class Changed:
    """The result of a change: what happened, in words, and the action as it now is."""

    summary: str
    action: ActionView
    duplicate: bool = False  # the same change had already been recorded; nothing was written


@dataclass(frozen=True)
class ExtensionRequested:
    """Sent to the chair: an owner asks for a later due date."""

    action: ActionView
    requested_due: date
    reason: str
    requested_by: str


@dataclass(frozen=True)
class ExtensionDecided:
    """Sent to the requester: the chair's decision."""

    action: ActionView
    approved: bool
    decided_by: str
    note: str | None


@dataclass(frozen=True)
class OpenForm:
    """The command needs a form (e.g. ``/action update CC-3`` with no note)."""

    form: str  # "update", "done", "extend", "add", "edit"
    action: ActionView | None  # None: the form is about a review (``add CC``), named by ``subject``
    asked: bool = False  # the person typed ``update CC-3 done``: ask "Mark CC-3 complete? Evidence:"
    subject: str = ""  # the review code an ``add`` form is for
    values: tuple[tuple[str, str], ...] = ()  # the fields filled in when the form opens (``edit``: as now)

    @property
    def ref(self) -> str:
        """What the form is about: the action's ref, or the review's code."""
        return self.action.ref if self.action is not None else self.subject


@dataclass(frozen=True)
class Text:
    """Plain words: help, confirmations that carry no action."""

    body: str


@dataclass(frozen=True)
class Problem:
    """A user error: what was wrong and the right form; nothing was changed."""

    message: str
    hint: str | None = None
    kind: str | None = None  # the typed error's class ("BadDate"), so a form shows it beside its field

    @classmethod
    def of(cls, error: UserError) -> Problem:
        """The problem a typed error describes."""
        return cls(error.message, error.hint, type(error).__name__)


@dataclass(frozen=True)
class Reminder:
    """One action in a nudge or an escalation, with why it is mentioned now."""

    action: ActionView
    reason: str  # "due in 7 days", "3 days overdue"


class Built(Sequence["Reminder"]):
    """A message's reminders, each built when it is first read: a DM shows its first few of any number
    (bot.chat.compose.DM_ITEMS) and counts the rest, so the sweep builds the views of only those shown.

    It reads like the tuple of every reminder (length, slices, iteration, equality).
    """

    def __init__(self, sources: Sequence[Any], build: Callable[[Any], Reminder]) -> None:
        self._sources, self._build = sources, build
        self._built: dict[int, Reminder] = {}

    def __len__(self) -> int:
        return len(self._sources)

    @overload
    def __getitem__(self, index: int) -> Reminder: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Reminder, ...]: ...

    def __getitem__(self, index: int | slice) -> Reminder | tuple[Reminder, ...]:
        if isinstance(index, slice):
            return tuple(self._item(n) for n in range(*index.indices(len(self))))
        if not -len(self) <= index < len(self):
            raise IndexError(index)
        return self._item(index % len(self))

    def _item(self, index: int) -> Reminder:
        if index not in self._built:
            self._built[index] = self._build(self._sources[index])
        return self._built[index]

    def __iter__(self) -> Iterator[Reminder]:
        return (self._item(n) for n in range(len(self)))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sequence) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Built({len(self)} reminders)"


@dataclass(frozen=True)
class Nudge:
    """A direct message to an owner listing every action of theirs that needs attention today."""

    name: str
    reminders: Sequence[Reminder]


@dataclass(frozen=True)
class Escalation:
    """A direct message to the chair: actions overdue beyond ESCALATE_AFTER_DAYS."""

    name: str
    reminders: Sequence[Reminder]
    escalate_after_days: int


@dataclass(frozen=True)
class ImpactCheck:
    """A direct message to an owner months after sign-off: has the change held?"""

    name: str
    reminders: Sequence[Reminder]


@dataclass(frozen=True)
class PackEntry:
    """One action in the meeting pack: its ref, its words and what the sub-group should know."""

    ref: str
    text: str
    details: tuple[str, ...]


@dataclass(frozen=True)
class PackSection:
    heading: str  # "Overdue (3)"
    entries: tuple[PackEntry, ...]
    empty: str  # said when the section has nothing
    continued: bool = False  # the section began on an earlier page


@dataclass(frozen=True)
class MeetingPack:
    """The sub-group meeting pack for chat: sections of exceptions, paged like every long answer."""

    title: str
    intro: tuple[str, ...]
    sections: tuple[PackSection, ...]
    page: int = 1
    pages: int = 1
    next_command: str | None = None


@dataclass(frozen=True)
class Reminders:
    """Everything one person is sent in one sweep, as one direct message (nudges, impact checks, escalations)."""

    parts: tuple[Nudge | Escalation | ImpactCheck, ...]


@dataclass(frozen=True)
class ReviewProgress:
    code: str
    title: str
    total: int
    red: int
    amber: int
    green: int
    blue: int
    bar: str  # progress bar of complete and signed-off actions


@dataclass(frozen=True)
class UpdateLine:
    ref: str
    who: str
    kind: str
    note: str | None
    at: datetime


@dataclass(frozen=True)
class DeliveryProblem:
    """A message that did not (or may not) reach someone: shown to the coordinator."""

    who: str
    what: str  # "nudge about CC-3", "digest"
    state: str  # undeliverable, uncertain, gave_up, channel_problem
    detail: str | None


@dataclass(frozen=True)
class DigestSection:
    """One heading of the digest and its lines (actions, updates or problems)."""

    heading: str
    actions: tuple[ActionView, ...] = ()
    reviews: tuple[ReviewProgress, ...] = ()
    updates: tuple[UpdateLine, ...] = ()
    problems: tuple[DeliveryProblem, ...] = ()
    empty: str = "None."
    counts: tuple[tuple[str, int], ...] = ()  # the digest's first lines: ("overdue", 12), ...
    more: int = 0  # lines left out (the digest lists the first few exceptions of each kind)
    more_command: str | None = None  # where the whole list is: "/action list overdue"


@dataclass(frozen=True)
class Chart:
    """A picture for a channel, with the words to show when it cannot be uploaded."""

    title: str
    png: bytes
    fallback: str


@dataclass(frozen=True)
class Digest:
    """One message of the weekly digest: ``part`` of ``parts``, so a long digest is split, never cut."""

    week: date
    part: int
    parts: int
    sections: tuple[DigestSection, ...]
    charts: tuple[Chart, ...] = ()  # the current RAG chart per review, sent with the first part


@dataclass(frozen=True)
class Home:
    """A person's home page: their own open actions and, for the chair, the outstanding summary."""

    name: str
    mine: ActionList
    outstanding: Outstanding | None = None  # the chair's summary; None for everyone else


@dataclass(frozen=True)
class DigestPreview:
    """The digest shown to one person instead of posted."""

    parts: tuple[Digest, ...]
    channel: str | None


@dataclass(frozen=True)
class UploadPreview:
    """An uploaded spreadsheet, dry-run: the report, and the token its Import / Cancel buttons carry."""

    report: str
    token: str
    file_name: str


# --- people in chat ------------------------------------------------------------------------


@dataclass(frozen=True)
class PersonLine:
    """One person in ``/action people``: who, their role and agency, whether the bot can reach them."""

    name: str
    email: str
    role: str  # in words: "agency lead"
    agency: str | None
    reach: str  # "reachable on Slack", "not reachable: account_inactive"
    away: str | None = None  # "away Mon 8 Mar – Fri 12 Mar 2027, deputy Kim Lee"
    weekly: bool = False  # reminders in one DM on Monday


@dataclass(frozen=True)
class PeopleList:
    """A page of the board's people (leavers are not listed)."""

    title: str
    people: tuple[PersonLine, ...]
    page: int = 1
    pages: int = 1
    total: int = 0
    next_command: str | None = None


@dataclass(frozen=True)
class ReminderChoice:
    """``/action settings``: how my reminders come, with a button for each choice."""

    pace: Pace
    saved: bool = False  # just changed (or confirmed) by ``settings weekly`` / ``settings daily``


View = (
    ActionList
    | ActionDetail
    | Outstanding
    | History
    | Changed
    | ExtensionRequested
    | ExtensionDecided
    | OpenForm
    | Text
    | Problem
    | Nudge
    | Escalation
    | ImpactCheck
    | Reminders
    | MeetingPack
    | Digest
    | DigestPreview
    | UploadPreview
    | PeopleList
    | ReminderChoice
)


@dataclass(frozen=True)
class Recipient:
    """A person a message is for, with what each platform needs to reach them."""

    person_id: int
    name: str
    email: str
    slack_user_id: str | None = None
    teams_user_id: str | None = None


@dataclass(frozen=True)
class Notice:
    """A direct message the bot must send as a consequence of a command."""

    to: Recipient
    view: View


@dataclass(frozen=True)
class Reply:
    """What a command produces: the answer to the person, and messages to others."""

    view: View
    notices: tuple[Notice, ...] = field(default=())


def due_text(due: date | None, target: str | None) -> str:
    """A due date as people read it; an action the plan gave no date says so, with the plan's wording."""
    from bot.dates import format_date

    if due is not None:
        return format_date(due)
    return f"needs a date (plan: '{target}')" if target else "needs a date"
