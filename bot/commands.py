"""The ``/action`` language: text in, a command or a usage error out. Pure: no I/O, no clock.

Decisions a user sees:

- A leading ``/action`` or ``action`` is optional; keywords, filter keys and refs ignore
  case; smart quotes and odd spaces from phones are made plain.
- ``/action CC-3`` on its own shows the action, like ``/action show CC-3``.
- ``owner:me`` (or ``@me``) is the person asking: ``Mention(None, "me", None)``.
- ``update CC-3 <note>``: a first word of on-track / at-risk / off-track (or green / amber /
  red, with or without the hyphen) sets the RAG, and the rest is the note; ``update CC-3
  at-risk`` alone sets the RAG with no note; ``update CC-3`` alone opens a form.
- ``extend CC-3 <date> <reason>``: the longest run of leading words that reads as a date is
  the date (``next friday``, ``31 Mar 2026``, ``in 2 weeks``); the rest is the reason.
- A filter value with spaces goes in double quotes: ``agency:"social care"``.
  ``due:`` takes a date (due on or before it) or a span from today (``due:14d``).
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, TypeAlias

from bot.dates import CHAT_HINT, NotADate, format_date, parse_date, parse_future_date
from bot.errors import BadDate, UsageError
from storage.models import Rag, Status

MAX_TEXT = 3000  # a Slack section block holds 3,000 characters; longer text could not be echoed


@dataclass(frozen=True)
class Mention:
    """A person named in a command: a chat user id, a name typed after @, or an e-mail."""

    user_id: str | None
    name: str | None
    email: str | None

    @property
    def is_me(self) -> bool:
        """True for ``me``: the person sending the command."""
        return self.user_id is None and self.email is None and self.name == "me"


@dataclass(frozen=True)
class Help:
    topic: str | None


@dataclass(frozen=True)
class Mine:
    page: int = 1


@dataclass(frozen=True)
class ListActions:
    review: str | None = None
    agency: str | None = None
    owner: Mention | None = None
    status: Status | None = None
    overdue: bool = False
    due_by: date | None = None
    page: int = 1


@dataclass(frozen=True)
class Show:
    ref: str


@dataclass(frozen=True)
class UpdateAction:
    ref: str
    rag: Rag | None
    note: str | None


@dataclass(frozen=True)
class Done:
    ref: str
    evidence: str


@dataclass(frozen=True)
class Extend:
    ref: str
    new_due: date
    reason: str


@dataclass(frozen=True)
class Approve:
    ref: str


@dataclass(frozen=True)
class Decline:
    ref: str
    reason: str


@dataclass(frozen=True)
class Outstanding:
    agency: str | None = None
    review: str | None = None
    page: int = 1


@dataclass(frozen=True)
class SignOff:
    ref: str
    note: str | None


@dataclass(frozen=True)
class History:
    ref: str


@dataclass(frozen=True)
class Digest:
    preview: bool


@dataclass(frozen=True)
class Impact:
    ref: str
    note: str


@dataclass(frozen=True)
class Pack:
    pass


@dataclass(frozen=True)
class Link:
    """``link EMAIL WHO``: the coordinator ties a chat account to a person whose chat e-mail differs.

    ``platform`` and ``user_id`` are None when only a name was typed (``@Jo``): the surface that
    received the command resolves its own mentions (Teams looks the mention up) before the service runs.
    """

    email: str
    platform: str | None  # "teams" or "slack"
    user_id: str | None
    name: str | None = None


Command: TypeAlias = (
    Help
    | Mine
    | ListActions
    | Show
    | UpdateAction
    | Done
    | Extend
    | Approve
    | Decline
    | Outstanding
    | SignOff
    | History
    | Digest
    | Impact
    | Pack
    | Link
)

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
}

_DATES_HELP = (
    f"{CHAT_HINT}\n"
    "A date without a year is the next one on or after today. `friday` and `next friday` both mean "
    "the first Friday after today (on a Friday, a week today); `end of week` is this Friday. "
    "Every date is echoed back in full, e.g. Tue 31 Mar 2026, so you can check it."
)

HELP_TOPICS = (*USAGE, "dates")
_ALIASES = {"?": "help", "sign-off": "signoff", "sign_off": "signoff"}
_FILTER_KEYS = {
    "list": ("review", "agency", "owner", "status", "due", "overdue", "page"),
    "outstanding": ("agency", "review", "page"),
    "mine": ("page",),
}
_STATUS_WORDS = {
    "not_started": Status.NOT_STARTED,
    "notstarted": Status.NOT_STARTED,
    "in_progress": Status.IN_PROGRESS,
    "inprogress": Status.IN_PROGRESS,
    "complete": Status.COMPLETE,
    "completed": Status.COMPLETE,
    "done": Status.COMPLETE,
    "signed_off": Status.SIGNED_OFF,
    "signedoff": Status.SIGNED_OFF,
}
_RAG_WORDS = {
    "ontrack": Rag.GREEN,
    "green": Rag.GREEN,
    "atrisk": Rag.AMBER,
    "amber": Rag.AMBER,
    "offtrack": Rag.RED,
    "red": Rag.RED,
}

_QUOTES = str.maketrans(dict.fromkeys("“”„‟″", '"') | dict.fromkeys("‘’‚‛′", "'"))
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")
_ODD_SPACE = re.compile(r"[^\S\n\r\t]")  # any white space but the line breaks and tabs people mean
_DASHES = re.compile("[\u2010\u2011\u2012\u2013\u2014\u2015\u2212]")
_LEADING_COMMAND = re.compile(r"/?action(?=\s|$)", re.IGNORECASE)
# A word: a quoted stretch or a Slack <@U123|name> stays inside one word.
_WORD = re.compile(r'(?:[^\s"<]+|"[^"]*"?|<[^<>]*>|<)+')
# <review code>-<the plan's own action number>: CC-3, CR-1.1, CR-CSC1 (the number has a digit).
_REF = re.compile(r"([a-z][a-z0-9_]{0,19})-((?=[a-z0-9./_-]*\d)[a-z0-9][a-z0-9./_-]{0,19})", re.IGNORECASE | re.ASCII)
_REVIEW_CODE = re.compile(r"[a-z](?:[a-z0-9_-]{0,18}[a-z0-9_])?", re.IGNORECASE | re.ASCII)
_RAG_AT_START = re.compile(
    r"((?:on|off)[-_ ]?track|at[-_ ]?risk|green|amber|red)(?=$|[\s:,.;])", re.IGNORECASE | re.ASCII
)
_SLACK_USER = re.compile(r"<@([a-z0-9]+)(?:\|([^>]*))?>", re.IGNORECASE | re.ASCII)
_MAILTO = re.compile(r"<mailto:([^|>]+)(?:\|[^>]*)?>", re.IGNORECASE)
_EMAIL = re.compile(r"[^@\s<>\"]+@[^@\s<>\"]+\.[^@\s<>\".]+")
_PLAIN_NAME = re.compile(r"@?([^<>@|]+)")  # spaces only arrive inside quotes: owner:"Jo Smith"
_MAX_DATE_WORDS = 6  # "thu 31st of march 2026" is the longest date form
_OBJECT_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE | re.ASCII)
_CHAT_ID = re.compile(r"(teams|slack):(\S+)", re.IGNORECASE)


@dataclass(frozen=True)
class _Word:
    text: str
    end: int  # where the word ends in the normalised input, so the rest keeps its spacing


def parse(text: str, today: date) -> Command | UsageError:
    """Read one ``/action`` command; a UsageError value (never raised) says what was wrong."""
    body = _normalise(text)
    words = [_Word(match.group(), match.end()) for match in _WORD.finditer(body)]
    try:
        return _parse(body, words, today)
    except UsageError as error:
        return error


def help_text(topic: str | None = None) -> str:
    """The help a person sees for ``/action help [topic]``."""
    topic = _ALIASES.get(topic, topic) if topic else None
    if topic == "dates":
        return f"*Dates*\n{_DATES_HELP}"
    if topic in USAGE:
        return f"`{USAGE[topic]}`\n{_ABOUT[topic]}"
    lines = [f"`{line}`" for line in USAGE.values()]
    return "\n".join(["*Commands*", *lines, "", _DATES_HELP, "More: `/action help <command>`."])


def _normalise(text: str) -> str:
    text = _INVISIBLE.sub("", text.translate(_QUOTES))
    text = _ODD_SPACE.sub(" ", text).strip()
    lead = _LEADING_COMMAND.match(text)
    return text[lead.end() :].strip() if lead else text


def _parse(body: str, words: list[_Word], today: date) -> Command:
    if not words:
        return Help(None)
    verb = _DASHES.sub("-", words[0].text.lower())
    taken = 1
    if verb == "sign" and len(words) > 1 and words[1].text.lower() == "off":
        verb, taken = "signoff", 2
    verb = _ALIASES.get(verb, verb)
    if verb in USAGE:
        return _COMMANDS[verb](_Args(body, words[taken:], verb), today)
    ref = _ref(words[0].text)
    if ref and len(words) == 1:
        return Show(ref)
    raise _unknown_command(words[0].text)


@dataclass(frozen=True)
class _Args:
    """The words after the command word, with the text they came from."""

    body: str
    words: list[_Word]
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
        ref = _ref(self.words[0].text)
        if ref is None:
            word = _short(self.words[0].text)
            raise self.fail(f"'{word}' is not an action ref: a review code, a hyphen, a number (CC-3).")
        return ref

    def nothing_after(self, skip: int) -> None:
        if len(self.words) > skip:
            after = "the ref" if skip else "it"
            raise self.fail(f"'{self.verb}' takes nothing after {after}: '{_short(self.rest(skip))}'.")

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


def _unknown_command(word: str) -> UsageError:
    message = f"Unknown command '{_short(word)}'."
    close = difflib.get_close_matches(word.lower(), list(USAGE), n=1)
    if close:
        message += f" Did you mean '{close[0]}'?"
    return UsageError(message, "\n".join(USAGE.values()))


def _ref(word: str) -> str | None:
    """The ref in its stored form (``cc-03`` is ``CC-3``), or None when the word is not a ref."""
    match = _REF.fullmatch(_strip_punctuation(word))
    if match is None:
        return None
    number = match.group(2)
    return f"{match.group(1).upper()}-{int(number) if number.isdigit() else number.upper()}"


def _strip_punctuation(word: str) -> str:
    """``CC-3:`` and ``CC–3`` (a phone's dash) are CC-3."""
    return _DASHES.sub("-", word).rstrip(":,.;")


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:39] + "…"


# --- the commands, one small function each ------------------------------------------------


def _help(args: _Args, today: date) -> Command:
    if not args.words:
        return Help(None)
    topic = " ".join(word.text.lower() for word in args.words)
    topic = _LEADING_COMMAND.sub("", topic).strip()
    topic = {"sign off": "signoff"}.get(topic, _ALIASES.get(topic, topic))
    if topic not in HELP_TOPICS:
        raise UsageError(f"There is no help on '{_short(topic)}'.", "Topics: " + ", ".join(HELP_TOPICS))
    return Help(topic)


def _mine(args: _Args, today: date) -> Command:
    return Mine(page=_filters(args, today).page)


def _pack(args: _Args, today: date) -> Command:
    args.nothing_after(0)
    return Pack()


def _show(args: _Args, today: date) -> Command:
    ref = args.ref()
    args.nothing_after(1)
    return Show(ref)


def _history(args: _Args, today: date) -> Command:
    ref = args.ref()
    args.nothing_after(1)
    return History(ref)


def _approve(args: _Args, today: date) -> Command:
    ref = args.ref()
    args.nothing_after(1)
    return Approve(ref)


def _update(args: _Args, today: date) -> Command:
    ref = args.ref()
    note = args.optional_text(1, "note")
    # Dashes are made plain for matching only; the note keeps the person's own.
    lead = _RAG_AT_START.match(_DASHES.sub("-", note)) if note else None
    if note is None or lead is None:
        return UpdateAction(ref, None, note)
    rag = _RAG_WORDS[re.sub(r"[-_ ]", "", lead.group(1).lower())]
    # "on-track: meeting booked" and "at risk - no staff" leave the note without the separator.
    return UpdateAction(ref, rag, note[lead.end() :].lstrip(" \t\r\n:,.;-–—") or None)


def _done(args: _Args, today: date) -> Command:
    ref = args.ref()
    return Done(ref, args.required_text(1, "evidence", "the evidence that shows the action is complete"))


def _decline(args: _Args, today: date) -> Command:
    ref = args.ref()
    return Decline(ref, args.required_text(1, "reason", "a reason"))


def _impact(args: _Args, today: date) -> Command:
    ref = args.ref()
    return Impact(ref, args.required_text(1, "note", "a note on whether the change has held"))


def _signoff(args: _Args, today: date) -> Command:
    ref = args.ref()
    return SignOff(ref, args.optional_text(1, "note"))


def _digest(args: _Args, today: date) -> Command:
    if not args.words:
        return Digest(preview=False)
    if len(args.words) == 1 and args.words[0].text.lower().lstrip("-") == "preview":
        return Digest(preview=True)
    raise args.fail(f"'digest' takes only 'preview', not '{_short(args.rest(0))}'.")


def _link(args: _Args, today: date) -> Command:
    if len(args.words) < 2:
        raise args.fail("'link' needs the person's e-mail on the board, then their chat account.")
    typed = args.words[0].text
    mailto = _MAILTO.fullmatch(typed)
    email = (mailto.group(1) if mailto else typed).lower()
    if not _EMAIL.fullmatch(email):
        raise args.fail(f"'{_short(typed)}' is not an e-mail address: give the e-mail the board has for them first.")
    who = args.rest(1)
    slack = _SLACK_USER.fullmatch(who)
    if slack:
        return Link(email, "slack", slack.group(1).upper(), slack.group(2) or None)
    chat = _CHAT_ID.fullmatch(who)
    if chat:
        return Link(email, chat.group(1).lower(), chat.group(2))
    if _OBJECT_ID.fullmatch(who):
        return Link(email, "teams", who.lower())
    name = who.replace('"', "").lstrip("@").strip()
    if who.startswith("@") and name:
        return Link(email, None, None, name)
    raise args.fail(f"'{_short(who)}' is not a chat account: mention them (@name) or give their Teams object id.")


def _extend(args: _Args, today: date) -> Command:
    ref = args.ref()
    words = [word.text.replace('"', "") for word in args.words[1:]]  # extend CC-3 "next friday" ...
    if not words:
        raise args.fail("'extend' needs the new due date and a reason.", CHAT_HINT)
    count = _leading_date_words(words, today, args)
    if count == 0:
        message = f"'extend' needs the new due date first: I can't read '{_short(words[0])}' as a date."
        raise args.fail(message, CHAT_HINT)
    try:
        new_due = parse_future_date(" ".join(words[:count]), today)
    except BadDate as error:
        raise args.fail(error.message, error.hint) from None
    missing = f"a reason for moving the due date to {format_date(new_due)}"
    return Extend(ref, new_due, args.required_text(1 + count, "reason", missing))


def _leading_date_words(words: list[str], today: date, args: _Args) -> int:
    """How many leading words make the longest date; 0 when none do."""
    for count in range(min(len(words), _MAX_DATE_WORDS), 0, -1):
        try:
            parse_date(" ".join(words[:count]), today)
        except NotADate:
            continue
        except BadDate as error:
            # A date, but a wrong one ("31 Feb", "Fri 3 Apr 2027"): say so rather than
            # settle for a shorter reading the person did not mean.
            raise args.fail(error.message, error.hint) from None
        return count
    return 0


# --- filters for list, outstanding and mine -----------------------------------------------


def _list(args: _Args, today: date) -> Command:
    return _filters(args, today)


def _outstanding(args: _Args, today: date) -> Command:
    found = _filters(args, today)
    return Outstanding(agency=found.agency, review=found.review, page=found.page)


def _filters(args: _Args, today: date) -> ListActions:
    """The filters after ``list``, ``outstanding`` or ``mine``, in any order, each at most once."""
    allowed = _FILTER_KEYS[args.verb]
    words = [word.text for word in args.words]
    found = ListActions()
    seen: set[str] = set()
    index = 0
    while index < len(words):
        key, value, used = _one_filter(words, index, today, args)
        if key not in allowed:
            raise _unknown_filter(key, allowed, args)
        if key in seen and key != "overdue":
            raise args.fail(f"'{key}:' is given twice.")
        seen.add(key)
        change: dict[str, Any] = {_FILTER_FIELDS.get(key, key): value}
        found = replace(found, **change)
        index += used
    return found


_FILTER_FIELDS = {"due": "due_by"}
FilterValue: TypeAlias = str | Mention | Status | date | bool | int
_Filter: TypeAlias = tuple[str, FilterValue, int]  # key, value, how many words it took
_EXAMPLES = {
    "review": "review:CC",
    "agency": "agency:police",
    "owner": "owner:@jo",
    "status": "status:in_progress",
}


def _one_filter(words: list[str], index: int, today: date, args: _Args) -> _Filter:
    """One filter starting at ``words[index]``: its key, its value and how many words it took."""
    word = words[index].rstrip(",;")  # "review:CC, overdue"
    if word.lower() == "overdue":
        return "overdue", True, 1
    if _looks_like_person(word):
        return "owner", _mention(word, args), 1
    key, colon, raw = word.partition(":")
    key = key.lower()
    if not colon or not key:
        raise _unknown_filter(word, _FILTER_KEYS[args.verb], args)
    value = raw.replace('"', "").strip()
    if key == "due":
        return _due_filter(value, words, index, today, args)
    if not value:
        raise args.fail(f"'{key}:' needs a value, e.g. {_EXAMPLES.get(key, key + ':...')}.")
    if key == "status":
        return _status_filter(value, words, index, args)
    if key == "review":
        return key, _review_code(value, args), 1
    if key == "owner":
        return key, _mention(value, args), 1
    if key == "page":
        return key, _page_number(value, args), 1
    return key, value, 1


def _page_number(value: str, args: _Args) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 9999:
        raise args.fail(f"'page:{_short(value)}' needs a page number, e.g. page:2.")
    return int(value)


def _unknown_filter(key: str, allowed: tuple[str, ...], args: _Args) -> UsageError:
    shown = ", ".join(name if name == "overdue" else f"{name}:" for name in allowed)
    message = f"Unknown filter '{_short(key)}'"
    close = difflib.get_close_matches(key.lower().rstrip(":"), list(allowed), n=1)
    if close:
        message += f" (did you mean '{close[0]}'?)"
    return args.fail(f"{message}. '{args.verb}' takes {shown}.")


def _status_filter(value: str, words: list[str], index: int, args: _Args) -> _Filter:
    # "status:in progress": take the next word too when the two make a status.
    if index + 1 < len(words):
        joined = _STATUS_WORDS.get(_status_key(f"{value} {words[index + 1]}"))
        if joined and value.lower() in ("in", "not", "signed"):
            return "status", joined, 2
    status = _STATUS_WORDS.get(_status_key(value))
    if status is None:
        names = ", ".join(member.value for member in Status)
        raise args.fail(f"'{_short(value)}' is not a status: use one of {names}.")
    return "status", status, 1


def _status_key(value: str) -> str:
    return re.sub(r"[-_\s]+", "_", _DASHES.sub("-", value.lower()))


def _due_filter(value: str, words: list[str], index: int, today: date, args: _Args) -> _Filter:
    # A date may run over several words ("due:31 Mar 2026"); stop at the next filter.
    following = [value]
    for word in words[index + 1 : index + _MAX_DATE_WORDS]:
        if ":" in word or word.lower() == "overdue":
            break
        following.append(word)
    if not value and len(following) == 1:
        raise args.fail("'due:' needs a date or a span, e.g. due:31/03/2026 or due:14d.", CHAT_HINT)
    for count in range(len(following), 0, -1):
        try:
            return "due", parse_date(" ".join(following[:count]).strip(), today), count
        except NotADate:
            continue
        except BadDate as error:
            raise args.fail(f"due: {error.message}", error.hint) from None
    raise args.fail(f"due: I can't read '{_short(' '.join(following))}' as a date.", CHAT_HINT)


def _review_code(value: str, args: _Args) -> str:
    if not _REVIEW_CODE.fullmatch(value):
        raise args.fail(f"'{_short(value)}' is not a review code: codes are short, like CC.")
    return value.upper()


# --- people -------------------------------------------------------------------------------


def _looks_like_person(word: str) -> bool:
    return word.startswith(("@", "<@", "<mailto:")) or (":" not in word and bool(_EMAIL.fullmatch(word)))


def _mention(value: str, args: _Args) -> Mention:
    """``<@U0123ABC|jo>``, ``<@U0123ABC>``, ``<mailto:jo@x.org|jo@x.org>``, ``jo@x.org``, ``@jo``, ``me``."""
    slack = _SLACK_USER.fullmatch(value)
    if slack:
        return Mention(slack.group(1).upper(), slack.group(2) or None, None)
    mailto = _MAILTO.fullmatch(value)
    if mailto and _EMAIL.fullmatch(mailto.group(1)):
        return Mention(None, None, mailto.group(1).lower())
    if _EMAIL.fullmatch(value):
        return Mention(None, None, value.lower())
    plain = _PLAIN_NAME.fullmatch(value)
    name = plain.group(1).strip() if plain else ""
    if name:
        return Mention(None, "me" if name.lower() == "me" else name, None)
    raise args.fail(f"'{_short(value)}' is not a person: use @name, an e-mail address or me.")


_COMMANDS = {
    "help": _help,
    "mine": _mine,
    "list": _list,
    "show": _show,
    "update": _update,
    "done": _done,
    "extend": _extend,
    "approve": _approve,
    "decline": _decline,
    "outstanding": _outstanding,
    "signoff": _signoff,
    "history": _history,
    "digest": _digest,
    "impact": _impact,
    "pack": _pack,
    "link": _link,
}


# --- listings: the text that shows another page, and the filters in words -----------------

Listing: TypeAlias = Mine | ListActions | Outstanding


def with_page(command: Listing, page: int) -> str:
    """The command a person types to see ``page`` of the same listing; it parses back to the same filters."""
    verb = {Mine: "mine", ListActions: "list", Outstanding: "outstanding"}[type(command)]
    return " ".join(["/action", verb, *_filter_words(command), f"page:{page}"])


def describe_filters(command: Listing) -> str:
    """A listing's filters in words, e.g. ``review CC, overdue, due by Wed 15 Apr 2026``; '' when none."""
    parts: list[str] = []
    if isinstance(command, ListActions | Outstanding):
        parts += [f"review {command.review}"] if command.review else []
        parts += [f"agency {command.agency}"] if command.agency else []
    if isinstance(command, ListActions):
        parts += [f"owner {_mention_words(command.owner)}"] if command.owner else []
        parts += [f"status {command.status.value.replace('_', ' ')}"] if command.status else []
        parts += ["overdue"] if command.overdue else []
        parts += [f"due by {format_date(command.due_by)}"] if command.due_by else []
    return ", ".join(parts)


def _filter_words(command: Listing) -> list[str]:
    words: list[str] = []
    if isinstance(command, ListActions | Outstanding):
        words += [f"review:{command.review}"] if command.review else []
        words += [f"agency:{_quoted(command.agency)}"] if command.agency else []
    if isinstance(command, ListActions):
        words += [f"owner:{_mention_text(command.owner)}"] if command.owner else []
        words += [f"status:{command.status.value}"] if command.status else []
        words += ["overdue"] if command.overdue else []
        words += [f"due:{command.due_by.isoformat()}"] if command.due_by else []  # ISO: never misread
    return words


def _quoted(value: str) -> str:
    """A filter value as typed: quoted when bare it would split, merge or lose a trailing comma."""
    return f'"{value}"' if re.search(r"[\s<>]|[,;]$", value) or not value else value


def _mention_text(mention: Mention) -> str:
    if mention.user_id:
        return f"<@{mention.user_id}|{mention.name}>" if mention.name else f"<@{mention.user_id}>"
    if mention.email:
        return mention.email
    if mention.is_me:
        return "me"
    name = mention.name or ""
    return _quoted(name) if _quoted(name) != name else f"@{name}"


def _mention_words(mention: Mention) -> str:
    if mention.is_me:
        return "me"
    return mention.email or (f"@{mention.name}" if mention.name else f"<@{mention.user_id}>")
