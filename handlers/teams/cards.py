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

from bot.chat import document as doc
from bot.chat import forms as chat_forms
from bot.chat import phrases as say
from bot.chat.compose import document, headline
from bot.chat.phrases import RAG_CHOICES, RAG_LABELS
from bot.commands import MAX_TEXT
from bot.views import ActionView, View
from storage.models import Rag

# Teams refuses a message over about 28 KB, counted in bytes of the activity as sent (UTF-8 JSON):
# Arabic or Chinese text takes two or three bytes a character, an emoji four. A card's activity is
# kept below MAX_ACTIVITY_BYTES less what the SDK adds on sending (conversation, from, recipient, ids).
MAX_ACTIVITY_BYTES = 28_000
ENVELOPE_BYTES = 2_500

# The verbs of the Action.Execute buttons: the handlers route on them. A form input's id is its field's
# neutral name (bot.chat.forms), which is how Teams sends it back.
SHOW, FORM, SUBMIT, APPROVE, MORE = "show", "form", "submit", "approve", "more"

Run = tuple[str, dict[str, Any]]  # text and TextRun options


# ------------------------------------------------------------------------------- building blocks


def run(text: str, **style: Any) -> Run:
    """A piece of a line: text shown as typed, with optional weight, italic or color."""
    return text, style


def bold(text: str) -> Run:
    return run(text, weight="Bolder")


def line(*parts: str | Run, color: str | None = None, subtle: bool = False) -> RichTextBlock:
    """One paragraph of runs; plain strings are runs without style. Neighbours of one style are one run,
    which keeps a long card (the digest) inside Teams' size."""
    merged: list[tuple[str, dict[str, Any]]] = []
    for part in parts:
        text, style = (part, {}) if isinstance(part, str) else part
        if not text:
            continue
        if color:
            style = {"color": color, **style}
        if subtle:
            style = {"is_subtle": True, **style}
        if merged and merged[-1][1] == style:
            merged[-1] = (merged[-1][0] + text, style)
        else:
            merged.append((text, style))
    runs: list[CardElement] = [TextRun(text=text, **style) for text, style in merged]
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


def rag_label(rag: Rag) -> str:
    return RAG_LABELS[rag]


# ------------------------------------------------------------------------------- the document's markup


def text_run(part: doc.Span) -> Run:
    """A span as a TextRun's text and style: shown as typed, never read as Markdown."""
    if part.style == doc.BOLD:
        return bold(part.text)
    if part.style == doc.ITALIC:
        return run(part.text, italic=True)
    if part.style in (doc.CODE, doc.MONO):
        return run(part.text, font_type="Monospace")
    if part.style == doc.RAG:
        return run(RAG_LABELS[Rag(part.text)])
    if part.style == doc.OURS:
        return run(part.text.replace("`", ""))  # our own words, written with Slack's `code`
    return run(part.text)


def runs(spans: doc.Line, **options: Any) -> RichTextBlock:
    return line(*(text_run(part) for part in spans), **options)


def due_words(action: ActionView) -> str:
    return "".join(text for text, _ in map(text_run, say.due(action)))


def action_summary(action: ActionView, *, text_limit: int | None = say.LIST_TEXT) -> list[CardElement]:
    """An action in a few lines: ref in bold, RAG, due date, text, agency, owner, status."""
    lines = say.summary(action, text_limit)
    return [runs(lines[0]), runs(lines[1]), runs(lines[2], subtle=True), *map(runs, lines[3:])]


def card_button(spec: doc.Button) -> ExecuteAction:
    """A neutral button as an Action.Execute: the verb and its data are what the handlers route on."""
    style: ActionStyle | None = {"primary": "positive", "danger": "destructive"}.get(spec.style)  # type: ignore[assignment]
    if spec.verb == doc.MORE:
        return button(spec.label, MORE, {"command": spec.command}, style=style)
    if spec.verb in (doc.IMPORT, doc.CANCEL):
        return button(spec.label, spec.verb, {"token": spec.ref}, style=style)
    if spec.verb in (doc.FORM, doc.DECLINE):
        return button(spec.label, FORM, {"ref": spec.ref, "form": spec.form}, style=style)
    return button(spec.label, SHOW if spec.verb == doc.SHOW else APPROVE, {"ref": spec.ref}, style=style)


def action_buttons(action: ActionView) -> list[CardElement]:
    """Post update, Mark complete and Request extension while the action is open; none after."""
    return _element(doc.Buttons(say.change_buttons(action)))


_ICONS = {doc.DONE: "✅ ", doc.WARNING: "⚠️ ", doc.CHART: "📊 "}


@singledispatch
def _element(element: object) -> list[CardElement]:
    return []


@_element.register
def _(element: doc.Para) -> list[CardElement]:
    found: list[CardElement] = []
    for number, spans in enumerate(element.lines):
        if number == 0:
            spans = (doc.Span(_ICONS.get(element.tone, "")), *spans)
        if element.tone == doc.WARNING:
            found.append(runs(spans, color="Attention") if number == 0 else runs(spans, subtle=True))
        else:
            found.append(runs(spans, subtle=element.tone in (doc.SUBTLE, doc.CHART)))
    if element.heading is not None:
        return [Container(items=[line(bold(element.heading)), *found], separator=True)]
    return found


@_element.register
def _(element: doc.Item) -> list[CardElement]:
    items = action_summary(element.action)
    if element.note:
        items.append(line(run(element.note, italic=True)))
    controls = ([element.accessory] if element.accessory else []) + list(element.buttons)
    if not controls:
        return items
    return [Container(items=[*items, buttons(*map(card_button, controls))], separator=True)]


@_element.register
def _(element: doc.Buttons) -> list[CardElement]:
    return [buttons(*map(card_button, element.buttons))] if element.buttons else []


@_element.register
def _(element: doc.Facts) -> list[CardElement]:
    return [line(bold(f"{label}: "), *(text_run(part) for part in value)) for label, value in element.pairs]


@_element.register
def _(element: doc.Paging) -> list[CardElement]:
    if element.pages <= 1:
        return []
    found: list[CardElement] = [line(say.page_of(element.page, element.pages), subtle=True)]
    if element.next_command:
        found.append(buttons(card_button(say.more_button(element.page, element.next_command))))
    return found


@_element.register
def _(element: doc.FormPrompt) -> list[CardElement]:
    return form_body(element.form, element.action, subject=element.ref, values=dict(element.values))


@_element.register
def _(element: doc.Markup) -> list[CardElement]:
    # Our own words (help, confirmations), written with Slack's *bold* and `code`: shown plainly.
    found: list[CardElement] = []
    for text in element.body.split("\n"):
        stripped = text.strip()
        if len(stripped) > 2 and stripped.startswith("*") and stripped.endswith("*"):
            found.append(line(bold(stripped.strip("*"))))
        else:
            found.append(line(text.replace("`", "")))
    return found


def _body(view: object) -> list[CardElement]:
    return [part for element in document(view) for part in _element(element)]


# ------------------------------------------------------------------------------- forms


def _input(
    spec: chat_forms.Field, action: ActionView | None, values: Mapping[str, str], today: date | None
) -> CardElement:
    label, value = spec.label_for(action), values.get(spec.name) or None
    if spec.kind == chat_forms.CHOICE:
        choices = [CardChoice(title=title, value=key) for key, (title, _) in RAG_CHOICES.items()]
        return ChoiceSetInput(id=spec.name, label=label, choices=choices, style="expanded", value=value)
    if spec.kind == chat_forms.DATE:
        earliest = (today + timedelta(days=1)).isoformat() if today else None
        return DateInput(id=spec.name, label=label, is_required=not spec.optional, error_message=spec.missing or None,
                         min=earliest, value=value)  # fmt: skip
    return TextInput(id=spec.name, label=label, placeholder=spec.placeholder, is_multiline=spec.multiline,
                     is_required=not spec.optional, error_message=spec.missing or None, max_length=MAX_TEXT,
                     value=value)  # fmt: skip


def form_body(
    form: str,
    action: ActionView | None,
    *,
    subject: str = "",
    values: Mapping[str, str] | None = None,
    errors: Mapping[str, str] | None = None,
    today: date | None = None,
) -> list[CardElement]:
    """A form for an action (or a review: add): its inputs (keeping what was typed, or filled in as the action
    is), each error under its field, Submit and Back."""
    values, errors = values or {}, errors or {}
    spec = chat_forms.FORMS[form]
    ref_of = action.ref if action is not None else subject
    body: list[CardElement] = [heading(spec.title(ref_of)), *(action_summary(action) if action else [])]
    if spec.intro and (action is None or form == "edit"):
        body.append(line(spec.intro.format(ref=ref_of)))
    if errors:
        body.append(line(f"⚠️ {say.NOTHING_SAVED}", color="Attention"))
    for field in spec.fields:
        body.append(_input(field, action, values, today))
        if errors.get(field.name):
            body.append(line(errors[field.name], color="Attention"))
    ref = {"ref": ref_of}
    submit = button(spec.button, SUBMIT, {**ref, "form": form}, style="positive", inputs=True)
    if action is None:
        return body + [buttons(submit)]  # no action to go back to
    return body + [buttons(submit, button("Back", SHOW, ref))]


def form_card(form: str, action: ActionView | None, **options: Any) -> AdaptiveCard:
    """The form as a card (what a button click or an invalid submission answers with); options as ``form_body``'s."""
    title = chat_forms.FORMS[form].title(action.ref if action is not None else options.get("subject", ""))
    return _card(form_body(form, action, **options), title)


# ------------------------------------------------------------------------------- cards


def summary(view: View) -> str:
    """A one-line summary: the card's fallback text and the notification people see."""
    return headline(view)


def _card(body: Sequence[CardElement], fallback: str) -> AdaptiveCard:
    return AdaptiveCard(
        version="1.5",
        body=list(body),
        fallback_text=fallback,
        msteams=TeamsCardProperties(width="full"),
    )


def wire_bytes(value: Any) -> int:
    """UTF-8 bytes of a JSON value as sent (not ASCII-escaped; spaced, a little over the SDK's compact form)."""
    return len(json.dumps(value, ensure_ascii=False).encode("utf-8"))


def size(element: Any) -> int:
    """Bytes of an element's JSON, as sent."""
    return wire_bytes(element.model_dump(by_alias=True, exclude_none=True))


def activity_bytes(card: AdaptiveCard) -> int:
    """Bytes of the message activity carrying ``card``, as sent (before the SDK adds the envelope)."""
    return wire_bytes(card_activity(card).model_dump(by_alias=True, exclude_none=True))


def cards(view: View) -> list[AdaptiveCard]:
    """A view as one or more cards whose activities fit Teams' limit; a long view is split, never cut."""
    return split(_body(view), summary(view))


def card(view: View) -> AdaptiveCard:
    """A view that fits one card (confirmations, button answers); the first card otherwise."""
    return cards(view)[0]


def split(body: Iterable[CardElement], fallback: str) -> list[AdaptiveCard]:
    """Body elements packed into cards that fit; each part of a split view says which part it is."""
    elements = list(body)
    # What a part costs besides its elements: the card, the activity, the fallback twice, "Part n of m".
    frame = activity_bytes(_card([line("Part 999 of 999", subtle=True)], f"{fallback} (999 of 999)"))
    budget = MAX_ACTIVITY_BYTES - ENVELOPE_BYTES - frame
    parts: list[list[CardElement]] = [[]]
    used = 0
    for element in elements:
        length = size(element) + 1  # and its comma
        if parts[-1] and used + length > budget:
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
