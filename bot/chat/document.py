"""The neutral document a view becomes before any platform's markup: paragraphs of styled spans,
actions, buttons and facts. Each renderer (text, Slack blocks, Teams cards) turns these few
element types into its markup; the words come from ``bot.chat.phrases`` and are written once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.views import ActionView

# Span styles. ``rag`` spans hold a Rag value, drawn by each renderer its own way ("[RED]", "🔴 Red");
# ``ours`` is our own wording that may hold `code` (help, hints); ``when`` carries a time stamp.
PLAIN, BOLD, ITALIC, CODE, MONO, RAG, OURS, WHEN, CHANNEL = (
    "", "bold", "italic", "code", "mono", "rag", "ours", "when", "channel",
)  # fmt: skip

# Paragraph tones.
NORMAL, TITLE, SUBTLE, WARNING, DONE, CHART = "", "title", "subtle", "warning", "done", "chart"

# Button verbs: what a click asks for. Each platform maps them to its own ids.
SHOW, MORE, FORM, APPROVE, DECLINE = "show", "more", "form", "approve", "decline"
IMPORT, CANCEL = "import", "cancel"  # a pending upload: ``ref`` carries its token


@dataclass(frozen=True)
class Span:
    """A piece of a line with one style; person-typed text is always a span, so each renderer escapes it."""

    text: str
    style: str = PLAIN
    at: datetime | None = None  # for WHEN spans


Line = tuple[Span, ...]


@dataclass(frozen=True)
class Para:
    """Lines shown together; ``heading`` is a section's name (the digest)."""

    lines: tuple[Line, ...]
    tone: str = NORMAL
    heading: str | None = None


@dataclass(frozen=True)
class Button:
    label: str
    verb: str
    ref: str = ""
    form: str = ""
    command: str = ""  # MORE: the command that shows the next page
    style: str = ""  # "primary" or "danger"


@dataclass(frozen=True)
class Buttons:
    buttons: tuple[Button, ...]


@dataclass(frozen=True)
class Item:
    """An action in a list or a reminder: its summary, why it is mentioned, and its buttons."""

    action: ActionView
    note: str | None = None  # "due in 7 days"
    accessory: Button | None = None  # beside the summary (Details)
    buttons: tuple[Button, ...] = ()  # under it


@dataclass(frozen=True)
class Facts:
    """Label and value pairs (an action's RAG, due date, ...); ``wide`` pairs each take a paragraph."""

    pairs: tuple[tuple[str, Line], ...]
    wide: bool = False


@dataclass(frozen=True)
class Paging:
    page: int
    pages: int
    next_command: str | None


@dataclass(frozen=True)
class FormPrompt:
    """A command that needs a form: Slack offers a button, Teams shows the form, text gives the command."""

    form: str
    action: ActionView | None  # None: a form about a review (add), named by ``subject``
    subject: str = ""
    values: tuple[tuple[str, str], ...] = ()  # the fields filled in when it opens

    @property
    def ref(self) -> str:
        return self.action.ref if self.action is not None else self.subject


@dataclass(frozen=True)
class Markup:
    """Our own text written with *bold* and `code` (help): each platform shows it its way."""

    body: str


@dataclass(frozen=True)
class Divider:
    pass


Element = Para | Buttons | Item | Facts | Paging | FormPrompt | Markup | Divider


def plain(text: str) -> Span:
    return Span(text)


def bold(text: str) -> Span:
    return Span(text, BOLD)


def line(*parts: str | Span) -> Line:
    """A line of spans; plain strings are plain spans."""
    return tuple(Span(part) if isinstance(part, str) else part for part in parts)


def para(*lines: Line | str, tone: str = NORMAL, heading: str | None = None) -> Para:
    return Para(tuple(line(item) if isinstance(item, str) else item for item in lines), tone, heading)


def words(spans: Line) -> str:
    """The plain words of a line, every style dropped."""
    return "".join(span.text for span in spans)
