"""The blocks a report or a meeting pack is made of (headings, sentences, tables, lists, charts), and the
words they use for statuses and RAG. render.py writes a Document out as HTML and as Markdown."""

from __future__ import annotations

from dataclasses import dataclass, field

from storage.models import Rag, Status

MARKING = "OFFICIAL-SENSITIVE: case-review action plans. Children are named only by each review's pseudonym."
STATUS_WORDS = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.COMPLETE: "complete, awaiting sign-off",
    Status.SIGNED_OFF: "signed off",
    Status.WITHDRAWN: "withdrawn",
}
RAG_WORDS = {Rag.GREEN: "on track", Rag.AMBER: "at risk", Rag.RED: "off track", Rag.BLUE: "complete"}
# The displayed RAG's words, as the charts' legends and text alternatives count it (bot.rules.rag): red is
# overdue as well as what owners report off track, amber is also "due soon with no recent update".
SHOWN_RAG_WORDS = {
    Rag.BLUE: "complete",
    Rag.GREEN: "on track",
    Rag.AMBER: "at risk, or due soon with no update",
    Rag.RED: "overdue or off track",
}


@dataclass(frozen=True)
class Heading:
    level: int
    text: str
    anchor: str | None = None


@dataclass(frozen=True)
class Para:
    text: str
    emphasis: bool = False  # a call-out: something the reader must not miss


@dataclass(frozen=True)
class Table:
    headings: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    caption: str | None = None


@dataclass(frozen=True)
class Item:
    title: str  # e.g. the ref
    text: str
    details: tuple[str, ...] = ()


@dataclass(frozen=True)
class Items:
    items: tuple[Item, ...]
    empty: str  # said instead of an empty list, so no list is ever silently blank


@dataclass(frozen=True)
class Image:
    name: str  # file name beside the Markdown
    alt: str
    png: bytes


Block = Heading | Para | Table | Items | Image


@dataclass(frozen=True)
class Document:
    title: str
    blocks: tuple[Block, ...]
    images: tuple[Image, ...] = field(default=())
