"""Every sentence a person reads in chat, written once. Pure.

Renderers (``handlers/text.py``, ``handlers/slack/blocks.py``, ``handlers/teams/cards.py``) add
only markup: a phrase is a line of spans whose styles (bold, a RAG, a time stamp) each platform
draws its own way.
"""

from __future__ import annotations

from datetime import date

from bot.chat.document import (
    APPROVE,
    BOLD,
    CODE,
    DECLINE,
    FORM,
    MORE,
    OURS,
    RAG,
    SHOW,
    WHEN,
    Button,
    Line,
    Span,
    line,
)
from bot.dates import format_date
from bot.views import ActionView, DeliveryProblem, HistoryEntry, PersonLine, ReviewProgress, UpdateLine
from storage.models import Rag, Status

RAG_WORDS = {Rag.RED: "RED", Rag.AMBER: "AMBER", Rag.GREEN: "GREEN", Rag.BLUE: "BLUE"}
RAG_LABELS = {Rag.RED: "🔴 Red", Rag.AMBER: "🟠 Amber", Rag.GREEN: "🟢 Green", Rag.BLUE: "🔵 Blue"}
RAG_CHOICES = {
    "on-track": ("🟢 On track", Rag.GREEN),
    "at-risk": ("🟠 At risk", Rag.AMBER),
    "off-track": ("🔴 Off track", Rag.RED),
}
STATUS_WORDS = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.COMPLETE: "complete, awaiting sign-off",
    Status.SIGNED_OFF: "signed off",
    Status.WITHDRAWN: "withdrawn by the chair",
}
LIST_TEXT = 280  # an action's text in a list; /action show gives all of it
NO_DIGEST_CHANNEL = "the sub-group channel (DIGEST_CHANNEL is not set)"
OLD_BUTTON = "That button is from an older message and no longer works."
WENT_WRONG = (
    "Sorry, something went wrong on our side and it has been logged. Check with `/action show` before trying again."
)
NOTHING_SAVED = "Nothing was saved: please check the form."
TEMPORARILY_UNAVAILABLE = (
    "The action tracker's database is temporarily unavailable, so nothing was changed. "
    "Please try again in a few minutes."
)

# What each form is for, on its button, its title and its Submit.
FORM_BUTTONS = {
    "update": "Post update",
    "done": "Mark complete",
    "extend": "Request extension",
    "decline": "Decline extension",
    "impact": "Record impact",
    "add": "Add an action",
    "edit": "Edit action",
    "snooze": "Snooze",
}
FORM_TITLES = {
    "update": "Post an update on {ref}",
    "done": "Mark {ref} complete",
    "extend": "Request an extension for {ref}",
    "decline": "Decline the extension for {ref}",
    "impact": "Record the impact of {ref}",
    "add": "Add an action to {ref}",
    "edit": "Edit {ref}",
    "snooze": "Snooze reminders about {ref}",
}
FORM_ASKS = {
    "update": "post an update on",
    "done": "mark complete",
    "extend": "request an extension for",
    "impact": "record the impact of",
    "add": "add an action to",
    "edit": "edit",
    "snooze": "snooze reminders about",
}
TYPED_FORMS = {
    "update": "/action update {ref} [on-track|at-risk|off-track] <what has happened>",
    "done": "/action done {ref} <evidence>",
    "extend": "/action extend {ref} <new due date> <reason>",
    "impact": "/action impact {ref} <what has changed, and the evidence>",
    "add": "/action add {ref} <what is to be done> [owner:@user] [agency:police] [due:<date>]",
    "edit": '/action edit {ref} text:"..." agency:police supporting:"Health, Education" owner:@user '
    'recommendation:2 target:"Ongoing"',
    "snooze": "/action snooze {ref} <date> <reason>",
}
TYPED_INTRO = {"add": "Type the action: ", "edit": "Type the fields to change: "}


def plural(count: int, noun: str) -> str:
    """'1 action', '3 actions'."""
    return f"{count} {noun}{'s' if count != 1 else ''}"


def shorten(text: str, limit: int | None) -> str:
    # Only list views shorten; /action show always gives the whole text.
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rag(value: Rag) -> Span:
    return Span(value.value, RAG)


def due(action: ActionView) -> Line:
    """'due Tue 31 Mar 2026 (3 days overdue; originally Fri 27 Feb 2026)', the days overdue in bold."""
    notes: list[Span] = []
    if action.days_overdue:
        notes.append(Span(f"{plural(action.days_overdue, 'day')} overdue", BOLD))
    if action.extended:
        notes += [Span("; ")] if notes else []
        notes.append(Span(f"originally {format_date(action.original_due)}"))
    wrapped: list[str | Span] = [" (", *notes, ")"] if notes else []
    return line(f"due {format_date(action.due)}" if action.due else action.due_text, *wrapped)


def owner(action: ActionView) -> str:
    """The owner's name; a lead named without an e-mail says they cannot be nudged yet."""
    return action.owner_text


def status(action: ActionView) -> str:
    return STATUS_WORDS[action.status]


def extension_asked(action: ActionView) -> Line:
    assert action.pending_extension is not None
    return line(f"⏳ Extension asked: to {format_date(action.pending_extension.requested_due)}")


def summary(action: ActionView, text_limit: int | None = LIST_TEXT) -> tuple[Line, ...]:
    """An action in a few lines: ref in bold, RAG, due date; its text; agency, owner, status."""
    lines = [
        line(Span(action.ref, BOLD), " · ", rag(action.rag), " · ", *due(action)),
        line(shorten(action.text, text_limit)),
        line(f"{action.agency} · {owner(action)} · {status(action)}"),
    ]
    if action.pending_extension:
        lines.append(extension_asked(action))
    return tuple(lines)


def brief(action: ActionView, *, agency: bool = True) -> Line:
    """'• CC-3 · 🔴 Red · due ... · Police · Pat Lead': an action on one line (the digest, the App Home)."""
    tail = f" · {action.agency} · {owner(action)}" if agency else f" · {owner(action)}"
    return line("• ", Span(action.ref, BOLD), " · ", rag(action.rag), " · ", *due(action), tail)


def owner_says(action: ActionView) -> Line:
    return line(" (owner says ", rag(action.owner_rag), ")") if action.owner_rag != action.rag else ()


def change_words(entry: HistoryEntry) -> str:
    """'RAG on track → at risk, owner Jo Bloggs → Pat Lead'; a created action is summed up by its due date.

    The services put names in place of ids (``bot.services.history``); here fields and values become words."""
    if entry.kind == "created":
        new_due = entry.changes.get("due", [None, None])[1]
        return f"due {_value('due', new_due)}" if new_due else ""
    return ", ".join(
        f"{FIELD_WORDS.get(name, name.removesuffix('_id').replace('_', ' '))} {_value(name, old)} → {_value(name, new)}"
        for name, (old, new) in entry.changes.items()
    )


# The fields of an action in history, in words (ids are names by the time they get here).
FIELD_WORDS = {
    "rag": "RAG", "due": "due", "original_due": "original due date", "requested_due": "requested due date",
    "agency": "lead agency", "supporting_agencies": "supporting agencies", "target": "target wording",
    "lead_name": "named lead", "completed_on": "completed on", "signed_off_on": "signed off on",
    "withdrawn_on": "withdrawn on", "completed_by": "completed by", "signed_off_by": "signed off by",
}  # fmt: skip
_DAYS = ("due", "original_due", "requested_due", "completed_on", "signed_off_on", "withdrawn_on")
_OWNER_RAG = {"green": "on track", "amber": "at risk", "red": "off track", "blue": "complete"}


def _value(name: str, value: object) -> str:
    if value in (None, "", []):
        return "—"
    if isinstance(value, list):
        return ", ".join(map(str, value))
    if name in _DAYS and isinstance(value, str):
        try:
            return format_date(date.fromisoformat(value))
        except ValueError:
            return value
    if name == "rag":
        return _OWNER_RAG.get(str(value), str(value))
    if name == "status" and str(value) in Status.__members__.values():
        return STATUS_WORDS[Status(str(value))]
    return str(value)


def history(entry: HistoryEntry) -> Line:
    """'• Wed 01 Apr 2026 10:00 BST · Jo Bloggs via slack · update · rag green → amber · "note"'."""
    parts: list[str | Span] = [Span(f"{entry.at:%a %d %b %Y %H:%M %Z}", WHEN, entry.at)]
    parts.append(f" · {entry.who} via {entry.source} · {entry.kind.replace('_', ' ')}")
    changes = change_words(entry)
    if changes:
        parts.append(f" · {changes}")
    if entry.note:
        parts.append(f' · "{entry.note}"')
    return line("• ", *parts)


def count_line(shown: int, overdue: int, amber: int) -> str:
    return f"{shown} shown, {overdue} overdue, {amber} amber"


def totals(total: int, overdue: int, amber: int) -> str:
    return f"{total} open, {overdue} overdue, {amber} amber"


def page_of(page: int, pages: int) -> str:
    return f"Page {page} of {pages}"


def more_button(page: int, command: str) -> Button:
    return Button(f"More (page {page + 1})", MORE, command=command)


def details(action: ActionView) -> Button:
    return Button("Details", SHOW, action.ref)


def change_buttons(action: ActionView) -> tuple[Button, ...]:
    """Post update, Mark complete and Request extension while the action is open; none after."""
    if not action.status.is_open:
        return ()
    ref = action.ref
    found = [Button("Post update", FORM, ref, "update", "primary"), Button("Mark complete", FORM, ref, "done")]
    if action.pending_extension is None:
        found.append(Button("Request extension", FORM, ref, "extend"))
    return tuple(found)


def reminder_buttons(action: ActionView) -> tuple[Button, ...]:
    """Under each reminder: act on it in one click (Post update, Mark complete, Request extension), then
    Snooze while it is open and has a due date."""
    snooze = (snooze_button(action),) if action.status.is_open and action.due else ()
    return change_buttons(action) + snooze


NUDGE_WHY = "Each action says why it is here. You hear about an action at most once a week, and again when it is due."
ESCALATION_WHY = "Your weekly summary of long-overdue actions, sent with the digest."


def decide_buttons(action: ActionView) -> tuple[Button, ...]:
    return (
        Button("Approve", APPROVE, action.ref, style="primary"),
        Button("Decline", DECLINE, action.ref, "decline", "danger"),
    )


def impact_button(action: ActionView) -> Button:
    return Button(FORM_BUTTONS["impact"], FORM, action.ref, "impact", "primary")


def review_line(review: ReviewProgress) -> Line:
    """'CC SCR Child C: 4 actions · 🔴 1 · 🟠 1 · 🟢 1 · 🔵 1 · ▓▓░░'."""
    counts = f"🔴 {review.red} · 🟠 {review.amber} · 🟢 {review.green} · 🔵 {review.blue}"
    return line(Span(review.code, BOLD), f" {review.title}: {plural(review.total, 'action')} · {counts} · ",
                Span(review.bar, CODE))  # fmt: skip


def update_line(update: UpdateLine) -> Line:
    note = f": {shorten(update.note, LIST_TEXT)}" if update.note else ""
    return line("• ", Span(update.ref, BOLD), f" · {update.who} · {update.kind.replace('_', ' ')}{note}")


def digest_counts(counts: tuple[tuple[str, int], ...]) -> Line:
    """'150 actions · 98 open · 12 overdue · ...': the digest's first line, the numbers in bold."""
    found: list[str | Span] = []
    for number, (what, count) in enumerate(counts):
        found += ([" · "] if number else []) + [Span(str(count), BOLD), f" {what}"]
    return line(*found)


def digest_more(more: int, command: str | None) -> Line:
    """'…and 37 more: /action list overdue' under a digest list that shows only its first few."""
    if not command:
        return line(f"…and {more} more.")
    return line(f"…and {more} more: ", Span(command, CODE))


FULL_LIST_BUTTON = "Full list"


def full_list(command: str) -> Line:
    """The digest's last line: where every open action is listed."""
    return line("Every open action, overdue first: ", Span(command, CODE))


def full_list_button(command: str) -> Button:
    """Runs the full list for whoever clicks it (shown to them only)."""
    return Button(FULL_LIST_BUTTON, MORE, command=command)


def problem_line(problem: DeliveryProblem) -> Line:
    detail = f" ({problem.detail})" if problem.detail else ""
    return line(f"• {problem.who} · {problem.what} · {problem.state.replace('_', ' ')}{detail}")


def pack_heading(heading: str, continued: bool) -> str:
    """A meeting pack section's name; '(continued)' on the pages after its first."""
    return f"{heading} (continued)" if continued else heading


FORM_QUESTIONS = {
    "done": "Mark {ref} complete? Evidence:",
    "extend": "Request an extension for {ref}? New due date and reason:",
}


def form_question(form: str, ref: str) -> Line:
    """What ``update CC-3 done`` asks instead of storing the word as a note."""
    return line(FORM_QUESTIONS[form].format(ref=ref))


def typed_form(form: str, ref: str) -> Line:
    if form in TYPED_INTRO:  # add, edit: the console has no form, so it says the command to type
        return line(TYPED_INTRO[form], Span(TYPED_FORMS[form].format(ref=ref), CODE))
    return line("Add a note to ", Span(ref, BOLD), ": ", Span(TYPED_FORMS[form].format(ref=ref), CODE))


def not_changeable(action: ActionView) -> str:
    return f"{action.ref} is {status(action)}, so it can no longer be changed here."


def digest_channel_lost(channel: str) -> str:
    return (
        f"The bot was removed from the sub-group channel ({channel}), so the weekly digest cannot be posted there. "
        "Invite it back in that channel with /invite @Action Tracker; nothing else needs doing."
    )


def no_extension_waiting(ref: str) -> str:
    return f"{ref} has no extension request waiting for a decision."


def ours(text: str) -> Span:
    return Span(text, OURS)


def teams_link_hint(user_id: str) -> str:
    return (
        f"Your Teams id is {user_id}. If the board has you under another e-mail address, "
        f"the coordinator can link you: action link <board e-mail> {user_id}"
    )


PLATFORM_NAMES = {"slack": "Slack", "teams": "Teams"}


def claim_refused(platform: str) -> tuple[str, str]:
    """To an account whose profile e-mail belongs to someone bound to another account: the refusal and the way on."""
    words = PLATFORM_NAMES.get(platform, platform)
    return (
        f"The e-mail on this {words} account belongs to someone the board knows under another {words} account, "
        "so I can't act for them from here: nothing was shown or changed.",
        "If this is your new account, ask the board's coordinator to link it to you (/action link).",
    )


def claim_told_person(platform: str, user_id: str, email: str) -> str:
    words = PLATFORM_NAMES.get(platform, platform)
    return (
        f"Another {words} account ({user_id}) whose profile shows your e-mail address ({email}) tried to use "
        "the action tracker. I refused it and nothing was changed. If it was you on a new account, "
        "ask the board's coordinator to link it."
    )


def claim_told_coordinator(platform: str, user_id: str, name: str, email: str) -> str:
    words = PLATFORM_NAMES.get(platform, platform)
    return (
        f"A {words} account ({user_id}) whose profile shows the e-mail of {name} <{email}> was refused: "
        f"{name} is linked to another {words} account, which I kept. If the new account is theirs, "
        f"link it: {link_example(platform, email, user_id)}"
    )


def link_example(platform: str, email: str, user_id: str) -> str:
    return f"action link {email} {user_id}" if platform == "teams" else f"/action link {email} @them"


# ----------------------------------------------------------------------- loading a plan in chat

UPLOAD_TYPES = (".xlsx", ".csv")
IMPORT_HOW = {
    "slack": "Upload the plan's spreadsheet (.xlsx or .csv) in a direct message to me (my Messages tab).",
    "teams": "Attach the plan's spreadsheet (.xlsx or .csv) in our 1:1 chat.",
    "console": "Type /import PATH with the plan's spreadsheet (.xlsx or .csv).",
}
IMPORT_NEXT = (
    "I check every row and show what the import would change, with Import and Cancel buttons; nothing is "
    "written until you press Import, and the file is not kept afterwards."
)
IMPORT_ONLY_COORDINATOR = "Only the board's coordinator can load a plan; I have not read your file."
IMPORT_ONLY_COORDINATOR_HINT = "Send the spreadsheet to the coordinator, who can upload it here."
UPLOAD_BUTTONS = ("Import", "Cancel")
UPLOAD_CONSOLE_CHOICE = "Type /import yes to import it, or /import no to discard it."
UPLOAD_MORE = "the import's answer lists them all"
UPLOAD_GONE = "That upload was already imported or cancelled, or it expired: nothing more was done."
UPLOAD_GONE_HINT = "To load a plan, upload its spreadsheet again (/action import says how)."
UPLOAD_CANCELLED = "Cancelled: nothing was imported, and I have discarded the file."
UPLOAD_TOO_BIG = "That file is too large for an action plan ({size} MB; at most {limit} MB): nothing was read."
UPLOAD_NOT_FETCHED = "I could not download that file from {where}: nothing was imported. Please upload it again."
UPLOAD_NOT_A_SHEET = "'{name}' is not a spreadsheet I can read: upload the plan as .xlsx (Excel Workbook) or .csv."


def import_how(platform: str) -> str:
    """What /action import answers: where to put the spreadsheet on this surface, and what happens next."""
    return f"{IMPORT_HOW.get(platform, IMPORT_HOW['slack'])} {IMPORT_NEXT}"


def upload_rejected_hint(hint: str | None) -> str:
    """A refused sheet's hint, in chat: fix the cells and upload it again."""
    fix = "Fix these cells in the spreadsheet and upload it again; nothing was written."
    return (
        fix
        if not hint
        else hint.replace("Fix these cells and import the plan again (a dry run checks it without importing).", fix)
    )


# --- people in chat: /action people, settings, snooze ------------------------------------------

ROLE_WORDS = {
    "coordinator": "coordinator",
    "chair": "chair",
    "agency_lead": "agency lead",
    "member": "member (read only)",
}
PACE_SAID = {
    "as_they_fall": "as they fall: a direct message on the working day a reminder is due",
    "weekly": "weekly: one direct message on Monday (or the next working day) with everything due",
}
PACE_BUTTONS = {"as_they_fall": "As they fall", "weekly": "One weekly DM on Monday"}
PACE_COMMANDS = {"as_they_fall": "/action settings daily", "weekly": "/action settings weekly"}


def person_line(person: PersonLine) -> tuple[Line, ...]:
    """'Jo Bloggs <jo@…> · agency lead, Police · reachable on Slack', then an absence or setting if any."""
    agency = f", {person.agency}" if person.agency else ""
    found = [line(Span(person.name, BOLD), f" <{person.email}> · {person.role}{agency} · {person.reach}")]
    extras = [person.away] if person.away else []
    if person.weekly:
        extras.append("reminders weekly, on Monday")
    if extras:
        found.append(line("   " + "; ".join(extras)))
    return tuple(found)


def pace_said(pace: str) -> str:
    return PACE_SAID[pace]


def pace_buttons(current: str) -> tuple[Button, ...]:
    """One button per choice; the current one is marked."""
    return tuple(
        Button(("✓ " if pace == current else "") + label, MORE, command=PACE_COMMANDS[pace],
               style="primary" if pace != current else "")
        for pace, label in PACE_BUTTONS.items()
    )  # fmt: skip


def snooze_button(action: ActionView) -> Button:
    """Snooze on a reminder: opens the snooze form (no reminder before a date, never past the due date)."""
    return Button(FORM_BUTTONS["snooze"], FORM, action.ref, "snooze")
