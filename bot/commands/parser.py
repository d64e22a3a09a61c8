"""The ``/action`` language: text in, a command or a usage error out. Pure: no I/O, no clock.

Decisions a user sees:

- A leading ``/action`` or ``action`` is optional; keywords, filter keys and refs ignore
  case; smart quotes and odd spaces from phones are made plain.
- ``/action CC-3`` on its own shows the action, like ``/action show CC-3``.
- ``owner:me`` (or ``@me``) is the person asking: ``Mention(None, "me", None)``.
- ``update CC-3 <note>``: a first word of on-track / at-risk / off-track (or green / amber /
  red, with or without the hyphen) sets the RAG, and the rest is the note; ``update CC-3
  at-risk`` alone sets the RAG with no note; ``update CC-3`` alone opens a form.
  ``update CC-3 done`` (``complete``, ``finished``) asks for the evidence in the done form and
  ``update CC-3 extend ...`` opens the extension form: the word is never stored as a note.
- ``extend CC-3 <date> <reason>``: the longest run of leading words that reads as a date is
  the date (``next friday``, ``31 Mar 2026``, ``in 2 weeks``); the rest is the reason.
- A filter value with spaces goes in double quotes: ``agency:"social care"``.
  ``due:`` takes a date (due on or before it) or a span from today (``due:14d``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from bot.commands import editing
from bot.commands.filters import filters_after
from bot.commands.help import ALIASES, HELP_TOPICS, USAGE
from bot.commands.people_args import COMMANDS as PEOPLE_COMMANDS
from bot.commands.types import (
    Approve,
    Command,
    Decline,
    Digest,
    Done,
    Extend,
    Help,
    History,
    Impact,
    Import,
    Link,
    Mine,
    Outstanding,
    Pack,
    Show,
    SignOff,
    UpdateAction,
    Withdraw,
)  # fmt: skip
from bot.commands.words import (
    CHAT_ID,
    DASHES,
    EMAIL,
    LEADING_COMMAND,
    MAILTO,
    MAX_DATE_WORDS,
    OBJECT_ID,
    RAG_AT_START,
    RAG_WORDS,
    SLACK_USER,
    WORD,
    Args,
    Word,
    normalise,
    ref_in,
    short,
    unknown_command,
)  # fmt: skip
from bot.dates import CHAT_HINT, NotADate, date_phrase, format_date, parse_date, parse_future_date
from bot.errors import BadDate, UsageError


def parse(text: str, today: date) -> Command | UsageError:
    """Read one ``/action`` command; a UsageError value (never raised) says what was wrong."""
    body = normalise(text)
    words = [Word(match.group(), match.end()) for match in WORD.finditer(body)]
    try:
        return _parse(body, words, today)
    except UsageError as error:
        return error


def _parse(body: str, words: list[Word], today: date) -> Command:
    if not words:
        return Help(None)
    verb = DASHES.sub("-", words[0].text.lower())
    taken = 1
    if verb == "sign" and len(words) > 1 and words[1].text.lower() == "off":
        verb, taken = "signoff", 2
    verb = ALIASES.get(verb, verb)
    if verb in USAGE:
        return _COMMANDS[verb](Args(body, words[taken:], verb), today)
    ref = ref_in(words[0].text)
    if ref and len(words) == 1:
        return Show(ref)
    raise unknown_command(words[0].text)


# --- the commands, one small function each ------------------------------------------------


def _help(args: Args, today: date) -> Command:
    if not args.words:
        return Help(None)
    topic = " ".join(word.text.lower() for word in args.words)
    topic = LEADING_COMMAND.sub("", topic).strip()
    topic = {"sign off": "signoff"}.get(topic, ALIASES.get(topic, topic))
    if topic not in HELP_TOPICS:
        raise UsageError(f"There is no help on '{short(topic)}'.", "Topics: " + ", ".join(HELP_TOPICS))
    return Help(topic)


def _mine(args: Args, today: date) -> Command:
    return Mine(page=filters_after(args, today).page)


def _pack(args: Args, today: date) -> Command:
    return Pack(page=filters_after(args, today).page)  # like mine: only page: is accepted


def _import(args: Args, today: date) -> Command:
    args.nothing_after(0)
    return Import()


def _ref_only(command: Callable[[str], Command]) -> Callable[[Args, date], Command]:
    """A command that takes an action's ref and nothing else (show, history, approve)."""

    def read(args: Args, today: date) -> Command:
        ref = args.ref()
        args.nothing_after(1)
        return command(ref)

    return read


# ``update CC-3 done`` means "mark it complete": ask for the evidence rather than store the word.
_MEANS_FORM = {"done": "done", "complete": "done", "completed": "done", "finished": "done", "extend": "extend"}


def _update(args: Args, today: date) -> Command:
    ref = args.ref()
    note = args.optional_text(1, "note")
    first = note.split()[0].lower().strip(".!:,") if note else ""
    if first in _MEANS_FORM and (first == "extend" or len(note.split()) == 1):  # type: ignore[union-attr]
        return UpdateAction(ref, None, None, _MEANS_FORM[first])
    # Dashes are made plain for matching only; the note keeps the person's own.
    lead = RAG_AT_START.match(DASHES.sub("-", note)) if note else None
    if note is None or lead is None:
        return UpdateAction(ref, None, note)
    rag = RAG_WORDS[re.sub(r"[-_ ]", "", lead.group(1).lower())]
    # "on-track: meeting booked" and "at risk - no staff" leave the note without the separator.
    return UpdateAction(ref, rag, note[lead.end() :].lstrip(" \t\r\n:,.;-–—") or None)


def _done(args: Args, today: date) -> Command:
    ref = args.ref()
    return Done(ref, args.required_text(1, "evidence", "the evidence that shows the action is complete"))


def _decline(args: Args, today: date) -> Command:
    ref = args.ref()
    return Decline(ref, args.required_text(1, "reason", "a reason"))


def _impact(args: Args, today: date) -> Command:
    ref = args.ref()
    return Impact(ref, args.required_text(1, "note", "a note on whether the change has held"))


def _signoff(args: Args, today: date) -> Command:
    ref = args.ref()
    return SignOff(ref, args.optional_text(1, "note"))


def _withdraw(args: Args, today: date) -> Command:
    ref = args.ref()
    return Withdraw(ref, args.required_text(1, "reason", "why the action is no longer needed"))


def _digest(args: Args, today: date) -> Command:
    if not args.words:
        return Digest(preview=False)
    if len(args.words) == 1 and args.words[0].text.lower().lstrip("-") == "preview":
        return Digest(preview=True)
    raise args.fail(f"'digest' takes only 'preview', not '{short(args.rest(0))}'.")


def _link(args: Args, today: date) -> Command:
    if len(args.words) < 2:
        raise args.fail("'link' needs the person's e-mail on the board, then their chat account.")
    typed = args.words[0].text
    mailto = MAILTO.fullmatch(typed)
    email = (mailto.group(1) if mailto else typed).lower()
    if not EMAIL.fullmatch(email):
        raise args.fail(f"'{short(typed)}' is not an e-mail address: give the e-mail the board has for them first.")
    who = args.rest(1)
    slack = SLACK_USER.fullmatch(who)
    if slack:
        return Link(email, "slack", slack.group(1).upper(), slack.group(2) or None)
    chat = CHAT_ID.fullmatch(who)
    if chat:
        return Link(email, chat.group(1).lower(), chat.group(2))
    if OBJECT_ID.fullmatch(who):
        return Link(email, "teams", who.lower())
    name = who.replace('"', "").lstrip("@").strip()
    if who.startswith("@") and name:
        return Link(email, None, None, name)
    raise args.fail(f"'{short(who)}' is not a chat account: mention them (@name) or give their Teams object id.")


def _extend(args: Args, today: date) -> Command:
    ref = args.ref()
    words = [word.text.replace('"', "") for word in args.words[1:]]  # extend CC-3 "next friday" ...
    if not words:
        raise args.fail("'extend' needs the new due date and a reason.", CHAT_HINT)
    count = _leading_date_words(words, today, args)
    if count == 0:
        message = f"'extend' needs the new due date first: I can't read '{short(date_phrase(words))}' as a date."
        raise args.fail(message, CHAT_HINT)
    try:
        new_due = parse_future_date(" ".join(words[:count]), today)
    except BadDate as error:
        raise args.fail(error.message, error.hint) from None
    missing = f"a reason for moving the due date to {format_date(new_due)}"
    return Extend(ref, new_due, args.required_text(1 + count, "reason", missing))


def _leading_date_words(words: list[str], today: date, args: Args) -> int:
    """How many leading words make the longest date; 0 when none do."""
    for count in range(min(len(words), MAX_DATE_WORDS), 0, -1):
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


def _list(args: Args, today: date) -> Command:
    return filters_after(args, today)


def _outstanding(args: Args, today: date) -> Command:
    found = filters_after(args, today)
    return Outstanding(agency=found.agency, review=found.review, page=found.page)


_COMMANDS = {
    "help": _help,
    "mine": _mine,
    "list": _list,
    "show": _ref_only(Show),
    "update": _update,
    "done": _done,
    "extend": _extend,
    "approve": _ref_only(Approve),
    "decline": _decline,
    "outstanding": _outstanding,
    "signoff": _signoff,
    "history": _ref_only(History),
    "digest": _digest,
    "impact": _impact,
    "pack": _pack,
    "link": _link,
    "import": _import,
    "withdraw": _withdraw,
    # running the plan in chat (bot.commands.editing)
    "add": editing.add,
    "edit": editing.edit,
    "assign": editing.assign,
    "find": editing.find,
    **PEOPLE_COMMANDS,  # people, person add, leaver, away, snooze, settings
}
