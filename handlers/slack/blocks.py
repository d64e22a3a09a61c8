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

from bot.chat import document as doc
from bot.chat import forms as spec
from bot.chat import phrases as say
from bot.chat.compose import document, headline
from bot.chat.phrases import RAG_LABELS
from bot.views import ActionView, Problem, View
from storage.models import Rag

Block = dict[str, Any]
Message = dict[str, Any]  # {"text": notification text, "blocks": [...]}

MAX_BLOCKS = 50  # per message
MAX_MODAL_BLOCKS = 100  # per modal or App Home
MAX_SECTION = 3000  # characters of a section's text
MAX_MESSAGE_CHARS = 12000  # keep each message comfortably inside Slack's size limit
MAX_BUTTON_VALUE = 2000


# action_id of each button, and callback_id / block_id of each form: the handlers route on them.
SHOW, MORE, APPROVE, DECLINE, HOME_PAGE = "show_action", "more", "approve_extension", "decline_extension", "home_page"
IMPORT_UPLOAD, CANCEL_UPLOAD = "import_upload", "cancel_upload"  # value: the pending upload's token
OPEN_FORM = {
    "update": "open_update_form",
    "done": "open_done_form",
    "extend": "open_extend_form",
    "impact": "open_impact_form",
    "add": "open_add_form",
    "edit": "open_edit_form",
    "snooze": "open_snooze_form",
}
FORM_OF_BUTTON = {action_id: form for form, action_id in OPEN_FORM.items()}
CALLBACK = {
    "update": "update_form",
    "done": "done_form",
    "extend": "extend_form",
    "decline": "decline_form",
    "impact": "impact_form",
    "add": "add_form",
    "edit": "edit_form",
    "snooze": "snooze_form",
}
FORM_OF_CALLBACK = {callback: form for form, callback in CALLBACK.items()}
# A form input's block_id is its field's neutral name (bot.chat.forms); Slack keys errors by it.
RAG_BLOCK, NOTE_BLOCK, EVIDENCE_BLOCK, DUE_BLOCK, REASON_BLOCK = (
    spec.RAG,
    spec.NOTE,
    spec.EVIDENCE,
    spec.DUE,
    spec.REASON,
)
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


# ------------------------------------------------------------------------------- the document's markup


def _when(at: datetime) -> str:
    """A time stamp Slack shows in the reader's own time zone, with a UTC fallback."""
    fallback = f"{at:%a %d %b %Y %H:%M} UTC"
    return f"<!date^{int(at.timestamp())}^{{date_short_pretty}} {{time}}|{fallback}>"


def mrkdwn(part: doc.Span) -> str:
    """A span as mrkdwn: what people typed is escaped, once; styles become Slack's marks."""
    text = escape(part.text)
    if part.style == doc.BOLD:
        return f"*{text}*"
    if part.style == doc.ITALIC:
        return f"_{text}_"
    if part.style in (doc.CODE, doc.MONO):
        return f"`{text}`"
    if part.style == doc.RAG:
        return RAG_LABELS[Rag(part.text)]
    if part.style == doc.WHEN and part.at is not None:
        return _when(part.at)
    if part.style == doc.CHANNEL:
        return f"<#{text}>"
    return text


def marked(line: doc.Line) -> str:
    return "".join(mrkdwn(part) for part in line)


def due_words(action: ActionView) -> str:
    """'due Tue 31 Mar 2026 (*3 days overdue*; originally Fri 27 Feb 2026)'."""
    return marked(say.due(action))


def action_summary(action: ActionView, *, text_limit: int | None = say.LIST_TEXT) -> str:
    """An action in a few lines of mrkdwn: ref in bold, RAG, due date, text, agency, owner, status."""
    return "\n".join(marked(line) for line in say.summary(action, text_limit))


_ICONS = {doc.DONE: "✅ ", doc.WARNING: "⚠️ "}


def slack_button(spec: doc.Button) -> Block:
    """A neutral button as a Block Kit button: the verb and form pick the action_id the handlers route on."""
    action_id = {
        doc.SHOW: SHOW,
        doc.MORE: MORE,
        doc.APPROVE: APPROVE,
        doc.DECLINE: DECLINE,
        doc.IMPORT: IMPORT_UPLOAD,
        doc.CANCEL: CANCEL_UPLOAD,
    }.get(spec.verb)
    value = spec.command if spec.verb == doc.MORE else spec.ref
    return button(spec.label, action_id or OPEN_FORM[spec.form], value, spec.style or None)


def action_buttons(action: ActionView) -> list[Block]:
    """Post update, Mark complete and Request extension, while the action is open; none after."""
    return _buttons(doc.Buttons(say.change_buttons(action)))


def _buttons(element: doc.Buttons) -> list[Block]:
    return [actions(*map(slack_button, element.buttons))] if element.buttons else []


@singledispatch
def _element(element: object) -> list[Block]:
    return []


@_element.register
def _(element: doc.Para) -> list[Block]:
    if element.tone == doc.CHART:
        return []  # the chart itself is uploaded beside the message
    text = "\n".join(marked(line) for line in element.lines)
    text = _ICONS.get(element.tone, "") + text
    if element.heading is not None:
        text = f"*{escape(element.heading)}*\n{text}"
    return [context(text)] if element.tone == doc.SUBTLE else sections(text)


@_element.register
def _(element: doc.Item) -> list[Block]:
    text = action_summary(element.action) + (f"\n_{escape(element.note)}_" if element.note else "")
    accessory = slack_button(element.accessory) if element.accessory else None
    return sections(text, accessory) + _buttons(doc.Buttons(element.buttons))


@_element.register
def _(element: doc.Buttons) -> list[Block]:
    return _buttons(element)


@_element.register
def _(element: doc.Facts) -> list[Block]:
    fields = [f"*{label}*\n{marked(value)}" for label, value in element.pairs]
    if element.wide:
        return [block for field in fields for block in sections(field)]
    return [{"type": "section", "fields": [{"type": "mrkdwn", "text": field} for field in fields]}]


@_element.register
def _(element: doc.Paging) -> list[Block]:
    page, pages, next_command = element.page, element.pages, element.next_command
    if pages <= 1:
        return []
    if next_command and len(next_command) <= MAX_BUTTON_VALUE:
        return [context(say.page_of(page, pages)), actions(slack_button(say.more_button(page, next_command)))]
    more = f" More: `{escape(next_command)}`" if next_command else ""
    return [context(f"{say.page_of(page, pages)}.{more}")]


@_element.register
def _(element: doc.FormPrompt) -> list[Block]:
    action, form = element.action, element.form
    ask = f"Use the button to {say.FORM_ASKS[form]} *{escape(element.ref)}*."
    open_button = actions(button(say.FORM_BUTTONS[form], OPEN_FORM[form], element.ref, "primary"))
    about = sections(action_summary(action)) if action is not None else []
    return sections(ask) + about + [open_button]


@_element.register
def _(element: doc.Markup) -> list[Block]:
    return sections(escape(element.body))


@_element.register
def _(element: doc.Divider) -> list[Block]:
    return [{"type": "divider"}]


def _blocks(view: object, elements: Sequence[doc.Element] | None = None) -> list[Block]:
    composed = document(view) if elements is None else elements
    return [block for element in composed for block in _element(element)]


def _text(view: object, elements: Sequence[doc.Element] | None = None) -> str:
    """The notification text shown where blocks cannot be (notifications, old clients)."""
    return escape(headline(view, elements))


def view_blocks(view: View) -> list[Block]:
    """The blocks of any view model (messages, the App Home and modals share them)."""
    return _blocks(view)


def problem_text(problem: Problem) -> str:
    """A problem as escaped mrkdwn: what was wrong, then the right form."""
    return "\n".join(block["text"]["text"] for block in _blocks(problem))


def messages(view: View) -> list[Message]:
    """A view as one or more messages of at most 50 blocks each; a long view is split, never cut."""
    elements = document(view)  # composed once, for the blocks and the notification text
    blocks, text = _blocks(view, elements), _text(view, elements)
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
