"""The words of a command: how typed text is made plain, split into words and read back as typed."""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

from bot.commands.help import USAGE
from bot.commands.types import MAX_TEXT
from bot.errors import UsageError
from storage.models import Rag, Status

FILTER_KEYS = {
    "list": ("review", "agency", "owner", "status", "due", "overdue", "page"),
    "outstanding": ("agency", "review", "page"),
    "mine": ("page",),
    "pack": ("page",),
    "people": ("agency", "page"),
}
STATUS_WORDS = {
    "not_started": Status.NOT_STARTED,
    "notstarted": Status.NOT_STARTED,
    "in_progress": Status.IN_PROGRESS,
    "inprogress": Status.IN_PROGRESS,
    "complete": Status.COMPLETE,
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "signed_off": Status.SIGNED_OFF,
    "signedoff": Status.SIGNED_OFF,
    "withdrawn": Status.WITHDRAWN,
}
RAG_WORDS = {
    "ontrack": Rag.GREEN,
    "green": Rag.GREEN,
    "atrisk": Rag.AMBER,
    "amber": Rag.AMBER,
    "offtrack": Rag.RED,
    "red": Rag.RED,
}

QUOTES = str.maketrans(dict.fromkeys("“”„‟″", '"') | dict.fromkeys("‘’‚‛′", "'"))
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
ODD_SPACE = re.compile(r"[^\S\n\r\t]")  # any white space but the line breaks and tabs people mean
DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
LEADING_COMMAND = re.compile(r"/?action(?=\s|$)", re.IGNORECASE)
# A word: a quoted stretch or a Slack <@U123|name> stays inside one word.
WORD = re.compile(r'(?:[^\s"<]+|"[^"]*"?|<[^<>]*>|<)+')
# <review code>-<the plan's own action number>: CC-3, CR-1.1, CR-CSC1 (the number has a digit).
_REF = re.compile(r"([a-z][a-z0-9_]{0,19})-((?=[a-z0-9./_-]*\d)[a-z0-9][a-z0-9./_-]{0,19})", re.IGNORECASE | re.ASCII)
REVIEW_CODE = re.compile(r"[a-z](?:[a-z0-9_-]{0,18}[a-z0-9_])?", re.IGNORECASE | re.ASCII)
RAG_AT_START = re.compile(
    r"((?:on|off)[-_ ]?track|at[-_ ]?risk|green|amber|red)(?=$|[\s:,.;])", re.IGNORECASE | re.ASCII
)
SLACK_USER = re.compile(r"<@([a-z0-9]+)(?:\|([^>]*))?>", re.IGNORECASE | re.ASCII)
MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>", re.IGNORECASE)
EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+")
PLAIN_NAME = re.compile(r"@?([^<>@|]+)")  # spaces only arrive inside quotes: owner:"Jo Smith"
MAX_DATE_WORDS = 6  # "thu 31st of march 2026" is the longest date form
OBJECT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE | re.ASCII)
CHAT_ID = re.compile(r"(teams|slack):(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class Word:
    text: str
    end: int  # where the word ends in the normalised input, so the rest keeps its spacing


def normalise(text: str) -> str:
    text = INVISIBLE.sub("", text.translate(QUOTES))
    text = ODD_SPACE.sub(" ", text).strip()
    lead = LEADING_COMMAND.match(text)
    return text[lead.end() :].strip() if lead else text


@dataclass(frozen=True)
class Args:
    """The words after the command word, with the text they came from."""

    body: str
    words: list[Word]
    verb: str

    def fail(self, message: str, extra: str | None = None) -> UsageError:
        hint = USAGE[self.verb] if extra is None else f"{USAGE[self.verb]}\n{extra}"
        return UsageError(message, hint)

    def rest(self, skip: int) -> str:
        """The text after the first ``skip`` words, exactly as typed, trimmed."""
        if skip >= len(self.words):
            return ""
        start = self.words[skip - 1].end if skip else self.words[0].end - len(self.words[0].text)
        return self.body[start:].strip()

    def ref(self) -> str:
        if not self.words:
            raise self.fail(f"Which action? Give its ref after '{self.verb}', e.g. CC-3.")
        ref = ref_in(self.words[0].text)
        if ref is None:
            word = short(self.words[0].text)
            raise self.fail(f"'{word}' is not an action ref: a review code, a hyphen, a number (CC-3).")
        return ref

    def nothing_after(self, skip: int) -> None:
        if len(self.words) > skip:
            after = "the ref" if skip else "it"
            raise self.fail(f"'{self.verb}' takes nothing after {after}: '{short(self.rest(skip))}'.")

    def optional_text(self, skip: int, noun: str) -> str | None:
        """A note, evidence or reason: the rest as typed, trimmed; None when there is none."""
        value = self.rest(skip)
        if len(value) > MAX_TEXT:
            raise self.fail(
                f"The {noun} is {len(value):,} characters; the limit is {MAX_TEXT:,}.",
                "Shorten it, or put the detail in a document and give its link.",
            )
        return value or None

    def required_text(self, skip: int, noun: str, missing: str) -> str:
        """As optional_text, but saying what is ``missing`` when there is no text."""
        value = self.optional_text(skip, noun)
        if value is None:
            raise self.fail(f"'{self.verb}' needs {missing}.")
        return value


def unknown_command(word: str) -> UsageError:
    message = f"Unknown command '{short(word)}'."
    close = difflib.get_close_matches(word.lower(), list(USAGE), n=1)
    if close:
        message += f" Did you mean '{close[0]}'?"
    return UsageError(message, "\n".join(USAGE.values()))


def ref_in(word: str) -> str | None:
    """The ref in its stored form (``cc-03`` is ``CC-3``), or None when the word is not a ref."""
    match = _REF.fullmatch(strip_punctuation(word))
    if match is None:
        return None
    number = match.group(2)
    return f"{match.group(1).upper()}-{int(number) if number.isdigit() else number.upper()}"


def strip_punctuation(word: str) -> str:
    """``CC-3:`` and ``CC–3`` (a phone's dash) are CC-3."""
    return DASHES.sub("-", word).rstrip(":,.;")


def short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"
