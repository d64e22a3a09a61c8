"""Reading ``add``, ``edit``, ``assign`` and ``find``: the coordinator's plan work, typed. Pure.

Decisions a user sees:

- ``add CC <text> [owner:@jo] [agency:police] [due:<date>]``: the options may come anywhere; the
  other words are the action's text, as typed. ``add CC`` alone opens the form.
- ``edit CC-3 text:Review the policy owner:@jo``: a field runs until the next ``key:``, so a value
  needs no quotes (quotes are fine too); ``supporting:""`` clears the supporting agencies.
  ``due:<date> <reason>`` corrects a wrong date: the words after the date are the reason.
- ``find <words> [page:2]``: every word must appear in the text, the progress or the evidence.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from bot.commands.filters import _mention, _page_number, _review_code
from bot.commands.types import EDIT_FIELDS, MAX_TEXT, AddAction, Assign, Command, EditAction, Find, Mention
from bot.commands.words import MAX_DATE_WORDS, Args, Word, ref_in, short
from bot.dates import CHAT_HINT, NotADate, parse_date
from bot.errors import BadDate

ADD_KEYS = ("owner", "agency", "due")
EDIT_KEYS = (*EDIT_FIELDS, "due", "reason")
_ONE_WORD = ("owner", "due")  # an owner is one word; a date is read by its own rule


def _key_of(word: Word, keys: tuple[str, ...]) -> str | None:
    key, colon, _ = word.text.partition(":")
    return key.lower() if colon and key.lower() in keys else None


def _unquoted(text: str) -> str:
    text = text.strip()
    return text[1:-1].strip() if len(text) >= 2 and text[0] == text[-1] == '"' else text.strip('"').strip()


def _after_key(args: Args, index: int) -> str:
    """The value typed right after ``key:`` in ``args.words[index]``."""
    return args.words[index].text.partition(":")[2]


def _slice(args: Args, first: int, last: int) -> str:
    """Words ``first`` to ``last`` (inclusive), exactly as typed between them."""
    start = args.words[first].end - len(args.words[first].text)
    return args.body[start : args.words[last].end]


def _leading_date(words: list[str], today: date, args: Args, key: str) -> tuple[date, int]:
    """The longest run of leading words that reads as a date, and how many words it took."""
    for count in range(min(len(words), MAX_DATE_WORDS), 0, -1):
        try:
            return parse_date(" ".join(words[:count]).replace('"', "").strip(), today), count
        except NotADate:
            continue
        except BadDate as error:
            raise args.fail(f"{key}: {error.message}", error.hint) from None
    shown = " ".join(words[:MAX_DATE_WORDS]) or "nothing"
    raise args.fail(f"{key}: I can't read '{short(shown)}' as a date.", CHAT_HINT)


def _checked(args: Args, noun: str, value: str) -> str:
    if len(value) > MAX_TEXT:
        raise args.fail(f"The {noun} is {len(value):,} characters; the limit is {MAX_TEXT:,}.")
    return value


def add(args: Args, today: date) -> Command:
    """``add CC [text] [owner:] [agency:] [due:]``."""
    if not args.words:
        raise args.fail("Which review? Give its code after 'add', e.g. add CC <what is to be done>.")
    first = args.words[0].text
    if ref_in(first) is not None:
        raise args.fail(f"'add' takes the review's code (e.g. {first.split('-')[0].upper()}), not an action ref: "
                        "the new action gets the review's next number.")  # fmt: skip
    review = _review_code(first, args)
    found: dict[str, object] = {}
    runs: list[list[int]] = []  # the text's words, in runs between the options: each run kept as typed
    index = 1
    while index < len(args.words):
        key = _key_of(args.words[index], ADD_KEYS)
        if key is None:
            if runs and runs[-1][1] == index - 1:
                runs[-1][1] = index
            else:
                runs.append([index, index])
            index += 1
            continue
        if key in found:
            raise args.fail(f"'{key}:' is given twice.")
        value = _after_key(args, index)
        if key == "due":
            words = [value, *(word.text for word in args.words[index + 1 : index + MAX_DATE_WORDS])]
            found[key], used = _leading_date([w for w in words if w] or [""], today, args, "due")
            index += used + (0 if value else 1)
            continue
        if not _unquoted(value):
            raise args.fail(f"'{key}:' needs a value, e.g. {'owner:@jo' if key == 'owner' else 'agency:police'}.")
        found[key] = _mention(value.replace('"', ""), args) if key == "owner" else _unquoted(value)
        index += 1
    typed = " ".join(_slice(args, first, last) for first, last in runs).strip()
    if not typed and found:
        raise args.fail("'add' needs the action's text: what is to be done.")
    return AddAction(review, _checked(args, "text", typed) or None, **found)  # type: ignore[arg-type]


def edit(args: Args, today: date) -> Command:
    """``edit CC-3`` (the form) or ``edit CC-3 key:value ...``."""
    ref = args.ref()
    command = EditAction(ref)
    seen: set[str] = set()
    index = 1
    while index < len(args.words):
        key = _key_of(args.words[index], EDIT_KEYS)
        if key is None:
            fields = ", ".join(f"{name}:" for name in EDIT_KEYS)
            raise args.fail(f"'edit' takes the fields {fields}; I can't read '{short(args.words[index].text)}'.")
        if key in seen:
            raise args.fail(f"'{key}:' is given twice.")
        seen.add(key)
        end = index + 1
        while end < len(args.words) and _key_of(args.words[end], EDIT_KEYS) is None and key not in _ONE_WORD:
            end += 1
        if key == "due":
            command, end = _due_correction(args, index, command, today)
        elif key == "owner":
            value = _after_key(args, index).replace('"', "").strip()
            if not value:
                raise args.fail("'owner:' needs a person, e.g. owner:@jo or owner:jo.bloggs@police.example.org.")
            command = replace(command, owner=_mention(value, args))
        else:
            start = args.words[index].end - len(args.words[index].text) + len(key) + 1
            value = _unquoted(args.body[start : args.words[end - 1].end])
            if key == "text" and not value:
                raise args.fail("'text:' needs the action's new wording.")
            command = replace(command, **{key: _checked(args, key, value)})  # type: ignore[arg-type]
        index = end
    return command


def _due_correction(args: Args, index: int, command: EditAction, today: date) -> tuple[EditAction, int]:
    """``due:<date> [reason]``: the date, then (to the next field) the reason for the correction."""
    value = _after_key(args, index)
    following = [word.text for word in args.words[index + 1 :]]
    words = [value, *following] if value else following
    due, used = _leading_date(words or [""], today, args, "due")
    end = index + 1 + used - (1 if value else 0)
    last = end
    while last < len(args.words) and _key_of(args.words[last], EDIT_KEYS) is None:
        last += 1
    reason = _unquoted(_slice(args, end, last - 1)) if last > end else None
    if reason and command.reason is not None:
        raise args.fail("'reason:' is given twice.")
    return replace(command, due=due, reason=_checked(args, "reason", reason) if reason else command.reason), last


def assign(args: Args, today: date) -> Command:
    """``assign CC-3 @user [reason]``."""
    ref = args.ref()
    if len(args.words) < 2:
        raise args.fail(f"Who is to own {ref}? Mention them after the ref, e.g. assign {ref} @jo.")
    who = args.words[1].text.replace('"', "")  # @"Jo Smith"
    owner: Mention = _mention(who.partition(":")[2] if who.lower().startswith("owner:") else who, args)
    if owner.is_me:
        raise args.fail("Name the new owner (@name or their e-mail), not 'me'.")
    return Assign(ref, owner, args.optional_text(2, "reason"))


def find(args: Args, today: date) -> Command:
    """``find <words> [page:N]``."""
    page, kept = 1, []
    for word in args.words:
        key, colon, value = word.text.partition(":")
        if colon and key.lower() == "page" and value:
            page = _page_number(value, args)
        else:
            kept.append(word.text.replace('"', ""))
    words = " ".join(part for part in kept if part).strip()
    if not words:
        raise args.fail("'find' needs the words to look for in the actions' text, progress and evidence.")
    return Find(_checked(args, "search", words), page)
