"""Help for ``/action``: usage lines and what each command does, as a neutral structure.

A page is a title, entries (a usage line and a summary) and notes; code in a summary is a
``Code`` span, so each surface renders it its own way. ``plain_text`` is the plain rendering.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TypeAlias

from bot.dates import CHAT_HINT

USAGE: dict[str, str] = {
    "help": "/action help [command]",
    "mine": "/action mine",
    "list": ("/action list [review:CC] [agency:police] [owner:@user] [status:in_progress] [overdue] [due:<date|14d>]"),
    "show": "/action show CC-3",
    "update": "/action update CC-3 [on-track|at-risk|off-track] <note>",
    "done": "/action done CC-3 <evidence>",
    "extend": "/action extend CC-3 <new due date> <reason>",
    "approve": "/action approve CC-3",
    "decline": "/action decline CC-3 <reason>",
    "outstanding": "/action outstanding [agency:police] [review:CC]",
    "signoff": "/action signoff CC-3 [note]",
    "history": "/action history CC-3",
    "digest": "/action digest [preview]",
    "impact": "/action impact CC-3 <note>",
    "pack": "/action pack",
    "link": "/action link <board e-mail> <@person or Teams object id>",
    "import": "/action import",
    "withdraw": "/action withdraw CC-3 <reason>",
    # running the plan in chat
    "add": "/action add CC <text> [owner:@user] [agency:police] [due:<date>]",
    "edit": '/action edit CC-3 [text:"..."] [agency:police] [supporting:"..."] [owner:@user] '
    '[recommendation:2] [target:"..."] [due:<date> <reason>]',
    "assign": "/action assign CC-3 @user [reason]",
    "find": "/action find <words>",
    # people in chat
    "people": "/action people [agency:police]",
    "person": '/action person add EMAIL "Name" role:agency_lead agency:police',
    "leaver": "/action leaver EMAIL handover:@user",
    "away": "/action away <from> <to> [deputy:@user]",
    "snooze": "/action snooze CC-3 <date> <reason>",
    "settings": "/action settings [weekly|daily]",
}

_ABOUT: dict[str, str] = {
    "help": "Shows the commands; `/action help <command>` explains one, `/action help dates` the dates.",
    "mine": "Lists the open actions you own; page:2 shows the next page.",
    "list": (
        "Lists actions. Filters go in any order: review:CC, agency:police, owner:@jo (or owner:me), "
        "status:not_started, in_progress, complete or signed_off, overdue, and due:<date> for actions "
        "due by then (due:14d is within 14 days), and page:2 for the next page. Put a value with spaces "
        'in quotes: agency:"social care".'
    ),
    "show": "Shows one action: what it is, who owns it, when it is due, its status and RAG.",
    "update": (
        "Records progress. Start with on-track, at-risk or off-track (or green, amber, red) to set "
        "your RAG; the rest is your note. `/action update CC-3` alone opens a form."
    ),
    "done": "Marks the action complete with the evidence that shows it; the chair then signs it off.",
    "extend": (
        "Asks the chair for a new due date: the date first (31/03/2026, 31 Mar, next friday, "
        "in 2 weeks, end of month), then the reason."
    ),
    "approve": "Chair: approves the extension requested on the action.",
    "decline": "Chair: declines the extension requested on the action, saying why.",
    "outstanding": "Chair: the open actions, overdue first; filter by agency: and review:; page:2 for more.",
    "signoff": "Chair: signs off a completed action, with an optional note. Never your own action.",
    "history": "Every change to the action: who, when, from where, and what.",
    "digest": "Coordinator: sends the weekly digest now; `preview` shows it without posting it.",
    "impact": "After sign-off: records whether the change has held, and how you know.",
    "pack": "Coordinator: builds the pack for the sub-group meeting.",
    "link": (
        "Coordinator: links a chat account to the person it belongs to, when the e-mail on their Slack or "
        "Teams profile is not the one the board has. Mention them (@name), or give their Teams object id "
        "(the bot tells people it does not know their id)."
    ),
    "import": (
        "Coordinator: loads a plan from a spreadsheet. Upload the .xlsx or .csv in a direct message to the "
        "bot: it shows what the import would change, then Import or Cancel."
    ),
    "withdraw": (
        "Chair: closes an open action that is superseded or no longer needed, saying why. It stays in the "
        "history, the digest and the annual report, and is never nudged."
    ),
    # running the plan in chat
    "add": (
        "Coordinator: adds an action to a review; it gets the review's next number (CC-8). Give the owner, the "
        "lead agency (the owner's, if left out) and the due date, or type `/action add CC` alone for a form."
    ),
    "edit": (
        "Coordinator: changes an action's text, lead and supporting agencies, owner, recommendation or target "
        "wording; `/action edit CC-3` alone opens a form. A due date is the chair's decision "
        "(`/action extend`), except that within 7 days of loading the plan the coordinator may correct a "
        "wrong one: `/action edit CC-3 due:<date> <reason>`."
    ),
    "assign": (
        "Coordinator or chair: gives the action a new owner, with an optional reason. The old and the new "
        "owner are told, and the chair when someone else reassigns."
    ),
    "find": "Finds actions whose text, progress or evidence has all the words; page:2 for more.",
    # people in chat
    "people": (
        "Who is who: each person's role and agency, whether the bot can reach them in chat, and who is away. "
        "Filter with agency:police; page:2 for more."
    ),
    "person": (
        "Coordinator: adds someone to the board, matched by e-mail when they first use the bot. Roles: "
        "coordinator, chair, agency_lead (needs agency:) or member. A name with spaces may go in quotes."
    ),
    "leaver": (
        "Coordinator: someone has left. Their open actions move to the handover person and both are told; "
        "their access ends; the history keeps their name."
    ),
    "away": (
        "Records an absence, first and last day (`/action away 2/3 13/3 deputy:@jo`). Meanwhile your reminders "
        "and escalations go to the deputy, and you stay the owner; with no deputy they wait until you are "
        "back. `/action away off` ends it early; the coordinator adds for:@person for someone else."
    ),
    "snooze": (
        "Owner: no reminder about the action before the date, with a reason for the record. Never past the "
        "due date: if it needs longer, ask for an extension."
    ),
    "settings": (
        "Your reminders: as they fall (`/action settings daily`) or one direct message on Monday with "
        "everything (`/action settings weekly`). `/action settings` alone shows yours, with buttons."
    ),
}

_DATES_HELP = (
    f"{CHAT_HINT}\n"
    "A date without a year is the next one on or after today. `friday` and `next friday` both mean "
    "the first Friday after today (on a Friday, a week today); `end of week` is this Friday. "
    "Every date is echoed back in full, e.g. Tue 31 Mar 2026, so you can check it."
)


HELP_TOPICS = (*USAGE, "dates")
ALIASES = {"?": "help", "sign-off": "signoff", "sign_off": "signoff"}


@dataclass(frozen=True)
class Code:
    """Words a person types as they are: a command, a filter."""

    text: str


Span: TypeAlias = str | Code
Line: TypeAlias = tuple[Span, ...]


@dataclass(frozen=True)
class HelpEntry:
    usage: str  # typed as it stands: always code
    summary: Line = ()


@dataclass(frozen=True)
class HelpPage:
    title: str | None
    entries: tuple[HelpEntry, ...]
    notes: tuple[Line, ...] = ()


def spans(text: str) -> Line:
    """A sentence whose `back-quoted` parts are code."""
    parts = re.split(r"`([^`]*)`", text)
    return tuple(Code(part) if index % 2 else part for index, part in enumerate(parts) if part)


def help_page(topic: str | None = None) -> HelpPage:
    """The help a person sees for ``/action help [topic]``."""
    topic = ALIASES.get(topic, topic) if topic else None
    dates = tuple(spans(line) for line in _DATES_HELP.split("\n"))
    if topic == "dates":
        return HelpPage("Dates", (), dates)
    if topic in USAGE:
        return HelpPage(None, (HelpEntry(USAGE[topic], spans(_ABOUT[topic])),))
    entries = tuple(HelpEntry(usage) for usage in USAGE.values())
    return HelpPage("Commands", entries, ((), *dates, spans("More: `/action help <command>`.")))


def plain_text(page: HelpPage) -> str:
    """A help page as plain text: code as typed, no markup."""
    lines = [page.title] if page.title else []
    for entry in page.entries:
        lines += [entry.usage] + ([_plain(entry.summary)] if entry.summary else [])
    lines += [_plain(note) for note in page.notes]
    return "\n".join(lines)


def _plain(line: Line) -> str:
    return "".join(span.text if isinstance(span, Code) else span for span in line)


def help_text(topic: str | None = None) -> str:
    """The help for ``/action help [topic]`` as plain text."""
    return plain_text(help_page(topic))
