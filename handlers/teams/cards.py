"""Adaptive Cards: view models in, cards out. Pure functions.

Everything a person typed (notes, evidence, reasons, names, titles) goes into a ``TextRun``,
which Teams shows exactly as typed: unlike a ``TextBlock`` it is not read as Markdown, so a note
cannot fake a link or bold a word. Buttons are ``Action.Execute`` (Universal Actions): the click
comes back to the bot as an ``adaptiveCard/action`` invoke whose answer replaces the card for the
person who clicked, which is how forms open, validate in place and close.

Teams takes about 28 KB per message, so a long view is split over several cards, never cut.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from functools import singledispatch
from typing import Any

from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.cards import (
    ActionSet,
    AdaptiveCard,
    CardElement,
    ChoiceSetInput,
    Container,
    DateInput,
    ExecuteAction,
    RichTextBlock,
    TeamsCardProperties,
    TextInput,
    TextRun,
)
from microsoft_teams.cards import Choice as CardChoice
from microsoft_teams.cards.core import ActionStyle

from bot.commands import MAX_TEXT
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
from handlers.text import STATUS_WORDS, due_words, history_line
from handlers.text import render as render_text
from storage.models import Rag

MAX_CARD_CHARS = 20_000  # JSON per card: well inside Teams' 28 KB message limit, with the envelope
LIST_TEXT = 280  # an action's text in a list; `show` gives all of it

RAG_LABELS = {Rag.RED: "🔴 Red", Rag.AMBER: "🟠 Amber", Rag.GREEN: "🟢 Green", Rag.BLUE: "🔵 Blue"}
RAG_CHOICES = {
    "on-track": ("🟢 On track", Rag.GREEN),
    "at-risk": ("🟠 At risk", Rag.AMBER),
    "off-track": ("🔴 Off track", Rag.RED),
}

# The verbs of the Action.Execute buttons, and the ids of the form inputs: the handlers route on them.
SHOW, FORM, SUBMIT, APPROVE, MORE = "show", "form", "submit", "approve", "more"
RAG_INPUT, NOTE_INPUT, EVIDENCE_INPUT, DUE_INPUT, REASON_INPUT = "rag", "note", "evidence", "due", "reason"
FORMS = ("update", "done", "extend", "decline", "impact")

Run = tuple[str, dict[str, Any]]  # text and TextRun options


# ------------------------------------------------------------------------------- building blocks


def run(text: str, **style: Any) -> Run:
    """A piece of a line: text shown as typed, with optional weight, italic or color."""
    return text, style


def bold(text: str) -> Run:
    return run(text, weight="Bolder")


def line(*parts: str | Run, color: str | None = None, subtle: bool = False) -> RichTextBlock:
    """One paragraph of runs; plain strings are runs without style."""
    runs: list[CardElement] = []
    for part in parts:
        text, style = (part, {}) if isinstance(part, str) else part
        if not text:
            continue
        if color:
            style = {"color": color, **style}
        if subtle:
            style = {"is_subtle": True, **style}
        runs.append(TextRun(text=text, **style))
    if not runs:
        runs.append(TextRun(text=" "))
    return RichTextBlock(inlines=runs)


def heading(text: str) -> RichTextBlock:
    return line(run(text, weight="Bolder", size="Medium"))


def button(
    title: str, verb: str, data: Mapping[str, str], *, style: ActionStyle | None = None, inputs: bool = False
) -> ExecuteAction:
    """An Action.Execute button; ``inputs`` says whether it sends the card's inputs (a form's Submit)."""
    return ExecuteAction(
        title=title, verb=verb, data=dict(data), style=style, associated_inputs="auto" if inputs else "none"
    )


def buttons(*actions: ExecuteAction) -> ActionSet:
    return ActionSet(actions=list(actions))


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def rag_label(rag: Rag) -> str:
    return RAG_LABELS[rag]


# ------------------------------------------------------------------------------- actions


def action_summary(action: ActionView, *, text_limit: int | None = LIST_TEXT) -> list[CardElement]:
    """An action in a few lines: ref in bold, RAG, due date, text, agency, owner, status."""
    text = action.text if text_limit is None else _shorten(action.text, text_limit)
    lines: list[CardElement] = [
        line(bold(action.ref), f" · {rag_label(action.rag)} · {due_words(action)}"),
        line(text),
        line(f"{action.agency} · {action.owner or 'no owner'} · {STATUS_WORDS[action.status]}", subtle=True),
    ]
    if action.pending_extension:
        lines.append(line(f"⏳ Extension asked: to {format_date(action.pending_extension.requested_due)}"))
    return lines


def action_buttons(action: ActionView) -> list[CardElement]:
    """Post update, Mark complete and Request extension while the action is open; none after."""
    if not action.status.is_open:
        return []
    ref = {"ref": action.ref}
    actions = [
        button("Post update", FORM, {**ref, "form": "update"}, style="positive"),
        button("Mark complete", FORM, {**ref, "form": "done"}),
    ]
    if action.pending_extension is None:
        actions.append(button("Request extension", FORM, {**ref, "form": "extend"}))
    return [buttons(*actions)]


def details_button(action: ActionView) -> ActionSet:
    return buttons(button("Details", SHOW, {"ref": action.ref}))


def _listed(action: ActionView) -> Container:
    return Container(items=[*action_summary(action), details_button(action)], separator=True)


def _paging(page: int, pages: int, next_command: str | None) -> list[CardElement]:
    if pages <= 1:
        return []
    elements: list[CardElement] = [line(f"Page {page} of {pages}", subtle=True)]
    if next_command:
        elements.append(buttons(button(f"More (page {page + 1})", MORE, {"command": next_command})))
    return elements


# ------------------------------------------------------------------------------- views


@singledispatch
def _body(view: object) -> list[CardElement]:
    # A view with no card renderer yet is shown as the plain-text renderer's words: never lost.
    return _paragraphs(render_text(view))


def _paragraphs(text: str) -> list[CardElement]:
    return [line(part) for part in text.split("\n")]


@_body.register
def _(view: ActionList) -> list[CardElement]:
    if not view.actions:
        return [heading(view.title), line(view.empty)]
    count = f"{view.total} action{'s' if view.total != 1 else ''}"
    body: list[CardElement] = [line(run(view.title, weight="Bolder", size="Medium"), f": {count}")]
    body += [_listed(action) for action in view.actions]
    return body + _paging(view.page, view.pages, view.next_command)


@_body.register
def _(view: ActionDetail) -> list[CardElement]:
    action = view.action
    body: list[CardElement] = [
        line(run(action.ref, weight="Bolder", size="Medium"), f" · {action.review_title} ({action.review_code})"),
        line(action.text),
    ]
    owner_rag = f" (owner says {rag_label(action.owner_rag)})" if action.owner_rag != action.rag else ""
    body += [
        line(bold("RAG: "), rag_label(action.rag) + owner_rag),
        line(bold("Due: "), due_words(action)),
        line(bold("Status: "), STATUS_WORDS[action.status]),
        line(bold("Agency: "), action.agency),
        line(bold("Owner: "), action.owner or "no owner"),
    ]
    if action.progress:
        body.append(line(bold("Latest progress: "), action.progress))
    if action.evidence:
        body.append(line(bold("Evidence: "), action.evidence))
    if action.pending_extension:
        ext = action.pending_extension
        body.append(line(bold("⏳ Extension asked "), f"by {ext.requested_by}: to {format_date(ext.requested_due)}"))
        body.append(line(f"Reason: {ext.reason}"))
    if view.recent:
        body.append(line(bold("Recent changes")))
        body += [line(f"• {history_line(entry)}", subtle=True) for entry in view.recent]
    return body + action_buttons(action)


@_body.register
def _(view: History) -> list[CardElement]:
    if not view.entries:
        return [line(bold(view.ref), " has no recorded changes.")]
    count = f" ({len(view.entries)} changes)"
    body: list[CardElement] = [line(run(f"History of {view.ref}", weight="Bolder", size="Medium"), count)]
    return body + [line(f"• {history_line(entry)}") for entry in view.entries]


def _group(group: OutstandingGroup) -> list[CardElement]:
    counts = f" ({len(group.actions)} shown, {group.overdue} overdue, {group.amber} amber)"
    title = line(bold(f"{group.review_code} {group.review_title} — {group.agency}"), counts)
    return [title] + [_listed(action) for action in group.actions]


@_body.register
def _(view: Outstanding) -> list[CardElement]:
    if not view.total:
        return [line(f"No outstanding actions{view.filters}.")]
    counts = f": {view.total} open, {view.overdue} overdue, {view.amber} amber"
    body: list[CardElement] = [line(run(f"Outstanding actions{view.filters}", weight="Bolder", size="Medium"), counts)]
    for group in view.groups:
        body += _group(group)
    return body + _paging(view.page, view.pages, view.next_command)


@_body.register
def _(view: Changed) -> list[CardElement]:
    body: list[CardElement] = [line(("" if view.duplicate else "✅ ") + view.summary)]
    body += action_summary(view.action)
    if view.action.progress and not view.duplicate:
        body.append(line(bold("Latest progress: "), view.action.progress))
    return body + action_buttons(view.action)


@_body.register
def _(view: ExtensionRequested) -> list[CardElement]:
    action = view.action
    body: list[CardElement] = [
        line(
            bold(view.requested_by),
            " asks to move ",
            bold(action.ref),
            f" from {format_date(action.due)} to ",
            bold(format_date(view.requested_due)),
            ".",
        ),
        line(f"Reason: {view.reason}"),
        *action_summary(action),
    ]
    ref = {"ref": action.ref}
    decide = buttons(
        button("Approve", APPROVE, ref, style="positive"),
        button("Decline", FORM, {**ref, "form": "decline"}, style="destructive"),
    )
    return body + [decide]


@_body.register
def _(view: ExtensionDecided) -> list[CardElement]:
    action = view.action
    verdict = "approved" if view.approved else "declined"
    body: list[CardElement] = [
        line(
            f"{view.decided_by} {verdict} the extension for ",
            bold(action.ref),
            f": it is due {format_date(action.due)}.",
        )
    ]
    if view.note:
        body.append(line(f"Reason: {view.note}"))
    return body + action_summary(action) + action_buttons(action)


@_body.register
def _(view: OpenForm) -> list[CardElement]:
    return form_body(view.form, view.action)


@_body.register
def _(view: Text) -> list[CardElement]:
    # Our own words (help, confirmations), written with Slack's *bold* and `code`: shown plainly.
    body: list[CardElement] = []
    for text in view.body.split("\n"):
        stripped = text.strip()
        if len(stripped) > 2 and stripped.startswith("*") and stripped.endswith("*"):
            body.append(line(bold(stripped.strip("*"))))
        else:
            body.append(line(text.replace("`", "")))
    return body


@_body.register
def _(view: Problem) -> list[CardElement]:
    body: list[CardElement] = [line(f"⚠️ {view.message}", color="Attention")]
    if view.hint:
        body += [line(part.replace("`", ""), subtle=True) for part in view.hint.split("\n")]
    return body


def _reminder(reminder: Reminder, *, with_buttons: bool) -> Container:
    items = [*action_summary(reminder.action), line(run(reminder.reason, italic=True))]
    items += action_buttons(reminder.action) if with_buttons else [details_button(reminder.action)]
    return Container(items=items, separator=True)


@_body.register
def _(view: Nudge) -> list[CardElement]:
    count = len(view.reminders)
    head = f"Hello {view.name}: {count} of your actions need{'s' if count == 1 else ''} attention."
    return [line(head)] + [_reminder(reminder, with_buttons=True) for reminder in view.reminders]


@_body.register
def _(view: ImpactCheck) -> list[CardElement]:
    head = f"Hello {view.name}: months ago these actions were signed off. Has the change held for children?"
    body: list[CardElement] = [line(head)]
    for reminder in view.reminders:
        record = buttons(
            button("Record impact", FORM, {"ref": reminder.action.ref, "form": "impact"}, style="positive")
        )
        items = [*action_summary(reminder.action), line(run(reminder.reason, italic=True)), record]
        body.append(Container(items=items, separator=True))
    return body


@_body.register
def _(view: Escalation) -> list[CardElement]:
    head = f"{view.name}, these actions are overdue by {view.escalate_after_days} days or more:"
    body: list[CardElement] = [line(head)]
    body += [_reminder(reminder, with_buttons=False) for reminder in view.reminders]
    return body + [line("See them all with: action outstanding", subtle=True)]


def _digest_lines(section: DigestSection) -> list[CardElement]:
    lines: list[CardElement] = [
        line(
            bold(review.code),
            f" {review.title}: {review.total} actions · 🔴 {review.red} · 🟠 {review.amber} · 🟢 {review.green} · "
            f"🔵 {review.blue} · ",
            run(review.bar, font_type="Monospace"),
        )
        for review in section.reviews
    ]
    lines += [
        line("• ", bold(a.ref), f" · {rag_label(a.rag)} · {due_words(a)} · {a.agency} · {a.owner or 'no owner'}")
        for a in section.actions
    ]
    for update in section.updates:
        note = f": {_shorten(update.note, LIST_TEXT)}" if update.note else ""
        lines.append(line("• ", bold(update.ref), f" · {update.who} · {update.kind.replace('_', ' ')}{note}"))
    for problem in section.problems:
        detail = f" ({problem.detail})" if problem.detail else ""
        lines.append(line(f"• {problem.who} · {problem.what} · {problem.state.replace('_', ' ')}{detail}"))
    return lines or [line(section.empty, subtle=True)]


@_body.register
def _(view: Digest) -> list[CardElement]:
    title = f"Weekly digest, week of {format_date(view.week)}"
    if view.parts > 1:
        title += f" ({view.part} of {view.parts})"
    body: list[CardElement] = [heading(title)]
    for section in view.sections:
        body.append(Container(items=[line(bold(section.heading)), *_digest_lines(section)], separator=True))
    # Charts are pictures of the numbers above; a card holds no uploaded file, so their words go instead.
    body += [line(f"📊 {chart.fallback}", subtle=True) for chart in view.charts]
    return body


@_body.register
def _(view: DigestPreview) -> list[CardElement]:
    where = view.channel or "the sub-group channel (DIGEST_CHANNEL is not set)"
    body: list[CardElement] = [line(f"Preview of the digest for {where}:")]
    for part in view.parts:
        body += _body(part)
    return body


# ------------------------------------------------------------------------------- forms


_FORM_TITLES = {
    "update": "Post an update on {ref}",
    "done": "Mark {ref} complete",
    "extend": "Request an extension for {ref}",
    "decline": "Decline the extension for {ref}",
    "impact": "Record the impact of {ref}",
}
_FORM_SUBMIT = {
    "update": "Post update",
    "done": "Mark complete",
    "extend": "Request extension",
    "decline": "Decline extension",
    "impact": "Record impact",
}


def _text_input(input_id: str, label: str, placeholder: str, values: Mapping[str, str]) -> TextInput:
    return TextInput(
        id=input_id,
        label=label,
        placeholder=placeholder,
        is_multiline=True,
        is_required=True,
        error_message=f"{label} is needed.",
        max_length=MAX_TEXT,
        value=values.get(input_id) or None,
    )


def _inputs(form: str, action: ActionView, values: Mapping[str, str], today: date | None) -> list[CardElement]:
    if form == "update":
        choices = [CardChoice(title=label, value=key) for key, (label, _) in RAG_CHOICES.items()]
        rag = ChoiceSetInput(
            id=RAG_INPUT,
            label="How is it going?",
            choices=choices,
            style="expanded",
            value=values.get(RAG_INPUT) or None,
        )
        note = _text_input(NOTE_INPUT, "What has happened since the last update?", "Your progress note", values)
        return [rag, note]
    if form == "done":
        return [_text_input(EVIDENCE_INPUT, "Evidence", "What shows the action is complete?", values)]
    if form == "extend":
        due = DateInput(
            id=DUE_INPUT,
            label="New due date",
            is_required=True,
            error_message="Pick the new due date.",
            min=(today + timedelta(days=1)).isoformat() if today else None,
            value=values.get(DUE_INPUT) or None,
        )
        return [due, _text_input(REASON_INPUT, "Reason", "Why the action needs more time", values)]
    if form == "decline":
        return [_text_input(REASON_INPUT, "Reason", "The owner is told it", values)]
    return [_text_input(NOTE_INPUT, "What has changed since sign-off", "What has changed, and the evidence", values)]


def form_body(
    form: str,
    action: ActionView,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    today: date | None = None,
) -> list[CardElement]:
    """A form for an action: its inputs (keeping what was typed), each error under its field, Submit and Back."""
    values, errors = values or {}, errors or {}
    body: list[CardElement] = [heading(_FORM_TITLES[form].format(ref=action.ref)), *action_summary(action)]
    if errors:
        body.append(line("⚠️ Nothing was saved: please check the form.", color="Attention"))
    for element in _inputs(form, action, values, today):
        body.append(element)
        message = errors.get(getattr(element, "id", "") or "")
        if message:
            body.append(line(message, color="Attention"))
    ref = {"ref": action.ref}
    submit = button(_FORM_SUBMIT[form], SUBMIT, {**ref, "form": form}, style="positive", inputs=True)
    return body + [buttons(submit, button("Back", SHOW, ref))]


def form_card(
    form: str,
    action: ActionView,
    *,
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    today: date | None = None,
) -> AdaptiveCard:
    """The form as a card (what a button click or an invalid submission answers with)."""
    return _card(
        form_body(form, action, values=values, errors=errors, today=today), _FORM_TITLES[form].format(ref=action.ref)
    )


# ------------------------------------------------------------------------------- cards


def summary(view: View) -> str:
    """A one-line summary: the card's fallback text and the notification people see."""
    words = render_text(view) if not isinstance(view, OpenForm) else _FORM_TITLES[view.form].format(ref=view.action.ref)
    first = words.strip().splitlines()[0] if words.strip() else ""
    return _shorten(first, 150)


def _card(body: Sequence[CardElement], fallback: str) -> AdaptiveCard:
    return AdaptiveCard(
        version="1.5",
        body=list(body),
        fallback_text=fallback,
        msteams=TeamsCardProperties(width="full"),
    )


def size(element: Any) -> int:
    """Characters of an element's JSON, as sent."""
    return len(json.dumps(element.model_dump(exclude_none=True), ensure_ascii=False))


def cards(view: View) -> list[AdaptiveCard]:
    """A view as one or more cards of at most MAX_CARD_CHARS each; a long view is split, never cut."""
    return split(_body(view), summary(view))


def card(view: View) -> AdaptiveCard:
    """A view that fits one card (confirmations, button answers); the first card otherwise."""
    return cards(view)[0]


def split(body: Iterable[CardElement], fallback: str) -> list[AdaptiveCard]:
    """Body elements packed into cards that fit; each part of a split view says which part it is."""
    parts: list[list[CardElement]] = [[]]
    used = 0
    for element in body:
        length = size(element)
        if parts[-1] and used + length > MAX_CARD_CHARS:
            parts.append([])
            used = 0
        parts[-1].append(element)
        used += length
    if len(parts) == 1:
        return [_card(parts[0], fallback)]
    return [
        _card([*part, line(f"Part {number} of {len(parts)}", subtle=True)], f"{fallback} ({number} of {len(parts)})")
        for number, part in enumerate(parts, start=1)
    ]


def card_activity(card: AdaptiveCard) -> MessageActivityInput:
    """A message carrying one card; its fallback text is the notification (``summary``) people see."""
    # ``summary`` is an Activity field Teams reads, which the SDK's input model leaves out: set it as an extra.
    return MessageActivityInput.model_validate({"summary": card.fallback_text}).add_card(card)


def as_json(adaptive_card: AdaptiveCard) -> dict[str, Any]:
    """The card as Teams receives it (camelCase, no empty fields)."""
    return adaptive_card.model_dump(exclude_none=True)
