"""Block Kit rendering: view models in, Slack messages, modals and the App Home out. Pure functions.

Every piece of text that came from a person (notes, evidence, reasons, names, titles) is escaped
once, by ``escape``, before it goes into mrkdwn: Slack then shows ``<!channel>`` or
``<https://evil|click>`` as typed instead of pinging a channel or faking a link.

Slack's limits shape the output: a message holds 50 blocks and a section 3,000 characters, so
long text is split over sections and a long view over several messages, never cut. Lists are
paged by the services; their "More" button carries the command that shows the next page.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from functools import singledispatch
from typing import Any

from bot.dates import format_date
from bot.views import (
    ActionDetail,
    ActionList,
    ActionView,
    Changed,
    Digest,
    DigestPreview,
    DigestSection,
    Escalation,
    ExtensionDecided,
    ExtensionRequested,
    History,
    HistoryEntry,
    ImpactCheck,
    Nudge,
    OpenForm,
    Outstanding,
    OutstandingGroup,
    Problem,
    Reminder,
    Text,
    View,
)
from handlers.text import STATUS_WORDS
from handlers.text import render as render_text
from storage.models import Rag

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": notification text, "blocks": [...]}

MAX_BLOCKS = 50  # per message
MAX_MODAL_BLOCKS = 100  # per modal or App Home
MAX_SECTION = 3000  # characters of a section's text
MAX_MESSAGE_CHARS = 12000  # keep each message comfortably inside Slack's size limit
MAX_BUTTON_VALUE = 2000
LIST_TEXT = 280  # an action's text in a list; /action show gives all of it

RAG_LABELS = {Rag.RED: "🔴 Red", Rag.AMBER: "🟠 Amber", Rag.GREEN: "🟢 Green", Rag.BLUE: "🔵 Blue"}
RAG_CHOICES = {
    "on-track": ("🟢 On track", Rag.GREEN),
    "at-risk": ("🟠 At risk", Rag.AMBER),
    "off-track": ("🔴 Off track", Rag.RED),
}

# action_id of each button, and callback_id / block_id of each form: the handlers route on them.
SHOW, MORE, APPROVE, DECLINE, HOME_PAGE = "show_action", "more", "approve_extension", "decline_extension", "home_page"
OPEN_FORM = {
    "update": "open_update_form",
    "done": "open_done_form",
    "extend": "open_extend_form",
    "impact": "open_impact_form",
}
FORM_OF_BUTTON = {action_id: form for form, action_id in OPEN_FORM.items()}
CALLBACK = {
    "update": "update_form",
    "done": "done_form",
    "extend": "extend_form",
    "decline": "decline_form",
    "impact": "impact_form",
}
FORM_OF_CALLBACK = {callback: form for form, callback in CALLBACK.items()}
RAG_BLOCK, NOTE_BLOCK, EVIDENCE_BLOCK, DUE_BLOCK, REASON_BLOCK = "rag", "note", "evidence", "due", "reason"
VALUE = "value"  # the action_id of every form input


def escape(text: str) -> str:
    """Make text safe for mrkdwn: ``&``, ``<`` and ``>`` only, as Slack asks, and exactly once."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def rag_label(rag: Rag) -> str:
    """'🔴 Red', '🟠 Amber', '🟢 Green' or '🔵 Blue'."""
    return RAG_LABELS[rag]


# ------------------------------------------------------------------------------- building blocks


def section(mrkdwn: str, accessory: Block | None = None) -> Block:
    block: Block = {"type": "section", "text": {"type": "mrkdwn", "text": mrkdwn}}
    if accessory is not None:
        block["accessory"] = accessory
    return block


def sections(mrkdwn: str, accessory: Block | None = None) -> list[Block]:
    """Already-escaped mrkdwn as one or more sections of at most 3,000 characters."""
    parts = _split(mrkdwn, MAX_SECTION)
    blocks = [section(part) for part in parts]
    if accessory is not None:
        blocks[0]["accessory"] = accessory
    return blocks


def context(mrkdwn: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": mrkdwn[:MAX_SECTION]}]}


def button(text: str, action_id: str, value: str, style: str | None = None) -> Block:
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": text, "emoji": True},
        "action_id": action_id,
        "value": value,
    }
    if style:
        element["style"] = style
    return element


def actions(*elements: Block) -> Block:
    return {"type": "actions", "elements": list(elements)}


def _split(text: str, limit: int) -> list[str]:
    """Cut escaped text into pieces of at most ``limit`` characters: at a line break, else a space,
    never inside an ``&amp;`` entity; nothing is dropped."""
    pieces: list[str] = []
    while len(text) > limit:
        window = text[:limit]
        cut = window.rfind("\n")
        if cut < limit // 2:
            cut = window.rfind(" ")
        if cut < limit // 2:
            cut = limit
            amp = window.rfind("&", limit - 5)
            if amp != -1 and ";" not in window[amp:]:
                cut = amp
        pieces.append(text[:cut])
        text = text[cut:].lstrip("\n") if text[cut : cut + 1] == "\n" else text[cut:]
    pieces.append(text)
    return [piece for piece in pieces if piece] or [""]


# ------------------------------------------------------------------------------- actions


def due_words(action: ActionView) -> str:
    """'due Tue 31 Mar 2026 (*3 days overdue*; originally Fri 27 Feb 2026)'."""
    notes = []
    if action.days_overdue:
        notes.append(f"*{action.days_overdue} day{'s' if action.days_overdue != 1 else ''} overdue*")
    if action.extended:
        notes.append(f"originally {format_date(action.original_due)}")
    return f"due {format_date(action.due)}" + (f" ({'; '.join(notes)})" if notes else "")


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def action_summary(action: ActionView, *, text_limit: int | None = LIST_TEXT) -> str:
    """An action in a few lines of mrkdwn: ref in bold, RAG, due date, text, agency, owner, status."""
    text = action.text if text_limit is None else _shorten(action.text, text_limit)
    lines = [
        f"*{escape(action.ref)}* · {rag_label(action.rag)} · {due_words(action)}",
        escape(text),
        f"{escape(action.agency)} · {escape(action.owner or 'no owner')} · {STATUS_WORDS[action.status]}",
    ]
    if action.pending_extension:
        lines.append(f"⏳ Extension asked: to {format_date(action.pending_extension.requested_due)}")
    return "\n".join(lines)


def action_buttons(action: ActionView) -> list[Block]:
    """Post update, Mark complete and Request extension, while the action is open; none after."""
    if not action.status.is_open:
        return []
    ref = action.ref
    elements = [
        button("Post update", OPEN_FORM["update"], ref, "primary"),
        button("Mark complete", OPEN_FORM["done"], ref),
    ]
    if action.pending_extension is None:
        elements.append(button("Request extension", OPEN_FORM["extend"], ref))
    return [actions(*elements)]


def _details_button(action: ActionView) -> Block:
    return button("Details", SHOW, action.ref)


def _paging(page: int, pages: int, next_command: str | None) -> list[Block]:
    if pages <= 1:
        return []
    if next_command and len(next_command) <= MAX_BUTTON_VALUE:
        return [context(f"Page {page} of {pages}"), actions(button(f"More (page {page + 1})", MORE, next_command))]
    more = f" More: `{escape(next_command)}`" if next_command else ""
    return [context(f"Page {page} of {pages}.{more}")]


# ------------------------------------------------------------------------------- messages


@singledispatch
def _blocks(view: object) -> list[Block]:
    # A view with no Block Kit renderer yet is shown as the plain-text renderer's words: never lost.
    return sections(escape(render_text(view)))


@singledispatch
def _text(view: object) -> str:
    """The notification text shown where blocks cannot be (notifications, old clients)."""
    words = render_text(view)
    return escape(_shorten(words.splitlines()[0] if words else "", 150))


@_blocks.register
def _(view: ActionList) -> list[Block]:
    if not view.actions:
        return [section(f"*{escape(view.title)}*\n{escape(view.empty)}")]
    count = f"{view.total} action{'s' if view.total != 1 else ''}"
    blocks = [section(f"*{escape(view.title)}*: {count}")]
    blocks += [section(action_summary(action), _details_button(action)) for action in view.actions]
    return blocks + _paging(view.page, view.pages, view.next_command)


@_text.register
def _(view: ActionList) -> str:
    return escape(view.title)


@_blocks.register
def _(view: ActionDetail) -> list[Block]:
    action = view.action
    head = f"*{escape(action.ref)}* · {escape(action.review_title)} ({escape(action.review_code)})"
    blocks = sections(f"{head}\n{escape(action.text)}")
    owner_rag = f" (owner says {rag_label(action.owner_rag)})" if action.owner_rag != action.rag else ""
    fields = [
        f"*RAG*\n{rag_label(action.rag)}{owner_rag}",
        f"*Due*\n{due_words(action)}",
        f"*Status*\n{STATUS_WORDS[action.status]}",
        f"*Agency*\n{escape(action.agency)}",
        f"*Owner*\n{escape(action.owner or 'no owner')}",
    ]
    blocks.append({"type": "section", "fields": [{"type": "mrkdwn", "text": field} for field in fields]})
    if action.progress:
        blocks += sections(f"*Latest progress*\n{escape(action.progress)}")
    if action.evidence:
        blocks += sections(f"*Evidence*\n{escape(action.evidence)}")
    if action.pending_extension:
        ext = action.pending_extension
        blocks += sections(
            f"⏳ *Extension asked* by {escape(ext.requested_by)}: to {format_date(ext.requested_due)}\n"
            f"Reason: {escape(ext.reason)}"
        )
    if view.recent:
        blocks += sections("*Recent changes*\n" + "\n".join(history_line(entry) for entry in view.recent))
    return blocks + action_buttons(action)


@_text.register
def _(view: ActionDetail) -> str:
    return f"{escape(view.action.ref)}: {rag_label(view.action.rag)}, {due_words(view.action)}"


def _when(at: datetime) -> str:
    """A time stamp Slack shows in the reader's own time zone, with a UTC fallback."""
    fallback = f"{at:%a %d %b %Y %H:%M} UTC"
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def history_line(entry: HistoryEntry) -> str:
    """One change: when, who, from where, what, and the note."""
    changes = ", ".join(f"{escape(name)} {_value(old)} → {_value(new)}" for name, (old, new) in entry.changes.items())
    parts = [_when(entry.at), f"{escape(entry.who)} via {escape(entry.source)}", entry.kind.replace("_", " ")]
    if changes:
        parts.append(changes)
    if entry.note:
        parts.append(f"“{escape(entry.note)}”")
    return "• " + " · ".join(parts)


def _value(value: object) -> str:
    return "—" if value in (None, "") else escape(str(value))


@_blocks.register
def _(view: History) -> list[Block]:
    if not view.entries:
        return [section(f"*{escape(view.ref)}* has no recorded changes.")]
    lines = "\n".join(history_line(entry) for entry in view.entries)
    return sections(f"*History of {escape(view.ref)}* ({len(view.entries)} changes)\n{lines}")


@_text.register
def _(view: History) -> str:
    return f"History of {escape(view.ref)}"


def _group_blocks(group: OutstandingGroup) -> list[Block]:
    counts = f"{len(group.actions)} shown, {group.overdue} overdue, {group.amber} amber"
    title = f"*{escape(group.review_code)} {escape(group.review_title)} — {escape(group.agency)}* ({counts})"
    return [section(title)] + [section(action_summary(a), _details_button(a)) for a in group.actions]


@_blocks.register
def _(view: Outstanding) -> list[Block]:
    if not view.total:
        return [section(f"No outstanding actions{escape(view.filters)}.")]
    head = f"*Outstanding actions{escape(view.filters)}*: {view.total} open, {view.overdue} overdue, {view.amber} amber"
    blocks = [section(head)]
    for group in view.groups:
        blocks += _group_blocks(group)
    return blocks + _paging(view.page, view.pages, view.next_command)


@_text.register
def _(view: Outstanding) -> str:
    return f"Outstanding actions: {view.total} open, {view.overdue} overdue"


@_blocks.register
def _(view: Changed) -> list[Block]:
    blocks = sections(("✅ " if not view.duplicate else "") + escape(view.summary))
    blocks += sections(action_summary(view.action))
    if view.action.progress and not view.duplicate:
        blocks += sections(f"*Latest progress*\n{escape(view.action.progress)}")
    return blocks + action_buttons(view.action)


@_text.register
def _(view: Changed) -> str:
    return escape(view.summary)


@_blocks.register
def _(view: ExtensionRequested) -> list[Block]:
    action = view.action
    ask = (
        f"*{escape(view.requested_by)}* asks to move *{escape(action.ref)}* from {format_date(action.due)} "
        f"to *{format_date(view.requested_due)}*.\nReason: {escape(view.reason)}"
    )
    blocks = sections(ask) + sections(action_summary(action))
    decide = actions(
        button("Approve", APPROVE, action.ref, "primary"),
        button("Decline", DECLINE, action.ref, "danger"),
    )
    return blocks + [decide]


@_text.register
def _(view: ExtensionRequested) -> str:
    return f"{escape(view.requested_by)} asks to extend {escape(view.action.ref)} to {format_date(view.requested_due)}"


@_blocks.register
def _(view: ExtensionDecided) -> list[Block]:
    action = view.action
    verdict = "approved" if view.approved else "declined"
    line = (
        f"{escape(view.decided_by)} {verdict} the extension for *{escape(action.ref)}*: "
        f"it is due {format_date(action.due)}."
    )
    if view.note:
        line += f"\nReason: {escape(view.note)}"
    return sections(line) + sections(action_summary(action)) + action_buttons(action)


@_text.register
def _(view: ExtensionDecided) -> str:
    return f"Extension for {escape(view.action.ref)} {'approved' if view.approved else 'declined'}"


_FORM_WORDS = {
    "update": "post an update on",
    "done": "mark complete",
    "extend": "request an extension for",
    "impact": "record the impact of",
}
_FORM_BUTTONS = {
    "update": "Post update",
    "done": "Mark complete",
    "extend": "Request extension",
    "impact": "Record impact",
}


@_blocks.register
def _(view: OpenForm) -> list[Block]:
    action = view.action
    ask = f"Use the button to {_FORM_WORDS[view.form]} *{escape(action.ref)}*."
    open_button = actions(button(_FORM_BUTTONS[view.form], OPEN_FORM[view.form], action.ref, "primary"))
    return sections(ask) + sections(action_summary(action)) + [open_button]


@_text.register
def _(view: OpenForm) -> str:
    return f"{_FORM_BUTTONS[view.form]}: {escape(view.action.ref)}"


@_blocks.register
def _(view: Text) -> list[Block]:
    return sections(escape(view.body))


@_text.register
def _(view: Text) -> str:
    return escape(_shorten(view.body.splitlines()[0] if view.body else "", 150))


@_blocks.register
def _(view: Problem) -> list[Block]:
    return sections(problem_text(view))


@_text.register
def _(view: Problem) -> str:
    return escape(view.message)


def _reminder(reminder: Reminder, *, buttons: bool) -> list[Block]:
    summary = f"{action_summary(reminder.action)}\n_{escape(reminder.reason)}_"
    if buttons:
        return sections(summary) + action_buttons(reminder.action)
    return sections(summary, _details_button(reminder.action))


@_blocks.register
def _(view: Nudge) -> list[Block]:
    count = len(view.reminders)
    head = f"Hello {escape(view.name)}: {count} of your actions need{'s' if count == 1 else ''} attention."
    blocks = [section(head)]
    for reminder in view.reminders:
        blocks += _reminder(reminder, buttons=True)
    return blocks


@_text.register
def _(view: Nudge) -> str:
    return f"{len(view.reminders)} of your actions need attention"


@_blocks.register
def _(view: ImpactCheck) -> list[Block]:
    head = f"Hello {escape(view.name)}: months ago these actions were signed off. Has the change held for children?"
    blocks = [section(head)]
    for reminder in view.reminders:
        summary = f"{action_summary(reminder.action)}\n_{escape(reminder.reason)}_"
        record = actions(button(_FORM_BUTTONS["impact"], OPEN_FORM["impact"], reminder.action.ref, "primary"))
        blocks += sections(summary) + [record]
    return blocks


@_text.register
def _(view: ImpactCheck) -> str:
    return f"Has the change held? {len(view.reminders)} signed-off action(s)"


@_blocks.register
def _(view: Escalation) -> list[Block]:
    head = f"{escape(view.name)}, these actions are overdue by {view.escalate_after_days} days or more:"
    blocks = [section(head)]
    for reminder in view.reminders:
        blocks += _reminder(reminder, buttons=False)
    return blocks + [context("See them all with `/action outstanding`.")]


@_text.register
def _(view: Escalation) -> str:
    return f"{len(view.reminders)} actions are overdue by {view.escalate_after_days} days or more"


def _digest_lines(part: DigestSection) -> list[str]:
    lines = [
        f"*{escape(r.code)}* {escape(r.title)}: {r.total} actions · 🔴 {r.red} · 🟠 {r.amber} · 🟢 {r.green} · "
        f"🔵 {r.blue} · `{escape(r.bar)}`"
        for r in part.reviews
    ]
    lines += [
        f"• *{escape(a.ref)}* · {rag_label(a.rag)} · {due_words(a)} · {escape(a.agency)} · "
        f"{escape(a.owner or 'no owner')}"
        for a in part.actions
    ]
    for update in part.updates:
        note = f": {escape(_shorten(update.note, LIST_TEXT))}" if update.note else ""
        lines.append(f"• *{escape(update.ref)}* · {escape(update.who)} · {update.kind.replace('_', ' ')}{note}")
    for problem in part.problems:
        detail = f" ({escape(problem.detail)})" if problem.detail else ""
        lines.append(f"• {escape(problem.who)} · {escape(problem.what)} · {problem.state.replace('_', ' ')}{detail}")
    return lines or [escape(part.empty)]


@_blocks.register
def _(view: Digest) -> list[Block]:
    title = f"*Weekly digest, week of {format_date(view.week)}*"
    if view.parts > 1:
        title += f" ({view.part} of {view.parts})"
    blocks = [section(title)]
    for part in view.sections:
        blocks += sections(f"*{escape(part.heading)}*\n" + "\n".join(_digest_lines(part)))
    return blocks


@_text.register
def _(view: Digest) -> str:
    return f"Weekly digest, week of {format_date(view.week)}" + (
        f" ({view.part} of {view.parts})" if view.parts > 1 else ""
    )


@_blocks.register
def _(view: DigestPreview) -> list[Block]:
    where = f"<#{escape(view.channel)}>" if view.channel else "the sub-group channel (DIGEST_CHANNEL is not set)"
    blocks = [section(f"Preview of the digest for {where}:")]
    for part in view.parts:
        blocks += [{"type": "divider"}, *_blocks(part)]
    return blocks


@_text.register
def _(view: DigestPreview) -> str:
    return "Preview of the weekly digest"


def view_blocks(view: View) -> list[Block]:
    """The blocks of any view model (messages, the App Home and modals share them)."""
    return _blocks(view)


def problem_text(problem: Problem) -> str:
    """A problem as escaped mrkdwn: what was wrong, then the right form."""
    return f"⚠️ {escape(problem.message)}" + (f"\n{escape(problem.hint)}" if problem.hint else "")


def messages(view: View) -> list[Message]:
    """A view as one or more messages of at most 50 blocks each; a long view is split, never cut."""
    blocks = _blocks(view)
    text = _text(view)
    parts: list[list[Block]] = [[]]
    size = 0
    for block in blocks:
        length = len(json.dumps(block, ensure_ascii=False))
        if parts[-1] and (len(parts[-1]) >= MAX_BLOCKS - 1 or size + length > MAX_MESSAGE_CHARS):
            parts.append([])
            size = 0
        parts[-1].append(block)
        size += length
    if len(parts) == 1:
        return [{"text": text, "blocks": parts[0]}]
    return [
        {"text": text, "blocks": part + [context(f"Part {number} of {len(parts)}")]}
        for number, part in enumerate(parts, start=1)
    ]


def message(view: View) -> Message:
    """A view that fits one message (notices, confirmations); the first part otherwise."""
    return messages(view)[0]


def within(parts: Sequence[Message], budget: int) -> list[Message]:
    """At most ``budget`` messages (a response_url takes 5): the last one says what did not fit."""
    if len(parts) <= budget:
        return list(parts)
    kept = list(parts[: budget - 1])
    left = len(parts) - len(kept)
    note = (
        f"…and {left} more part{'s' if left != 1 else ''} that Slack will not take in one reply. "
        "Narrow the command (filters, page:2) or ask the coordinator for an export."
    )
    return kept + [{"text": note, "blocks": [section(note)]}]


# ------------------------------------------------------------------------------- forms (modals)
