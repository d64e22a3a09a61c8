"""Plain-text renderer: view models to words, for the console, the CLI and plain chat. Markup only:
the words are ``bot.chat.phrases``' and the layout of each view is ``bot.chat.compose``'s."""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch

from bot.chat import document as doc
from bot.chat import phrases as say
from bot.chat.compose import document
from bot.chat.phrases import RAG_WORDS, STATUS_WORDS, change_words
from bot.views import ActionView, HistoryEntry
from storage.models import Rag, Status

__all__ = ["RAG_WORDS", "STATUS_WORDS", "action_line", "change_words", "due_words", "history_line", "render", "table"]


def render(view: object) -> str:
    """The text of any view model."""
    return "\n".join(part for element in document(view) if (part := _element(element)) is not None)


def span(part: doc.Span) -> str:
    """A span as plain text: styles are dropped, a RAG is written in capitals."""
    if part.style == doc.RAG:
        return f"[{RAG_WORDS[Rag(part.text)]}]"
    if part.style == doc.CHANNEL:
        return f"#{part.text}"
    return part.text


def words(line: doc.Line) -> str:
    return "".join(span(part) for part in line)


def due_words(action: ActionView) -> str:
    """'due Tue 31 Mar 2026 (12 days overdue; originally ...)'."""
    return words(say.due(action))


def history_line(entry: HistoryEntry) -> str:
    """'Wed 01 Apr 2026 10:00 BST · Jo Bloggs via slack · update · rag green → amber · "note"'."""
    return words(say.history(entry)).removeprefix("• ")


def action_line(action: ActionView) -> str:
    """One action on two lines (three with an extension asked)."""
    head = f"[{RAG_WORDS[action.rag]}] {action.ref} · {action.agency} · {say.owner(action)} · {due_words(action)}"
    if action.status is not Status.IN_PROGRESS:
        head += f" · {say.status(action)}"
    body = f"    {say.shorten(action.text, 160)}"
    if action.pending_extension:
        body += f"\n    {words(say.extension_asked(action)).removeprefix('⏳ ')}"
    return f"{head}\n{body}"


@singledispatch
def _element(element: object) -> str | None:
    return None  # buttons and dividers have no words of their own


@_element.register
def _(element: doc.Para) -> str:
    lines = [words(line) for line in element.lines]
    if element.tone == doc.CHART:
        lines[0] = f"[chart] {lines[0]}"
    if element.heading is not None:
        lines = ["", f"== {element.heading}", *lines]
    return "\n".join(lines)


@_element.register
def _(element: doc.Item) -> str:
    return action_line(element.action) + (f"\n    ({element.note})" if element.note else "")


@_element.register
def _(element: doc.Facts) -> str:
    return "\n".join(f"{label}: {words(value)}" for label, value in element.pairs)


@_element.register
def _(element: doc.Paging) -> str | None:
    if element.pages <= 1:
        return None
    more = f" More: {element.next_command}" if element.next_command else ""
    return f"{say.page_of(element.page, element.pages)}.{more}"


@_element.register
def _(element: doc.FormPrompt) -> str:
    typed = words(say.typed_form(element.form, element.ref))
    return typed if element.action is None else f"{typed}\n{action_line(element.action)}"


@_element.register
def _(element: doc.Markup) -> str:
    return element.body


@_element.register
def _(element: doc.Divider) -> str:
    return ""


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """A fixed-width text table."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]

    def row_line(cells: Sequence[str]) -> str:
        return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=False)).rstrip()

    return "\n".join([row_line(headers), row_line(["-" * width for width in widths])] + [row_line(r) for r in rows])
