"""The filters of ``list``, ``outstanding`` and ``mine``: in any order, each at most once."""

from __future__ import annotations

import difflib
import re
from dataclasses import replace
from datetime import date
from typing import Any, TypeAlias

from bot.commands.types import ListActions, Mention
from bot.commands.words import (
    DASHES,
    EMAIL,
    FILTER_KEYS,
    MAILTO,
    MAX_DATE_WORDS,
    PLAIN_NAME,
    REVIEW_CODE,
    SLACK_USER,
    STATUS_WORDS,
    Args,
    short,
)  # fmt: skip
from bot.dates import CHAT_HINT, NotADate, parse_date
from bot.errors import BadDate, UsageError
from storage.models import Status


def filters_after(args: Args, today: date) -> ListActions:
    """The filters after ``list``, ``outstanding`` or ``mine``, in any order, each at most once."""
    allowed = FILTER_KEYS[args.verb]
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


def _one_filter(words: list[str], index: int, today: date, args: Args) -> _Filter:
    """One filter starting at ``words[index]``: its key, its value and how many words it took."""
    word = words[index].rstrip(",;")  # "review:CC, overdue"
    if word.lower() == "overdue":
        return "overdue", True, 1
    if _looks_like_person(word):
        return "owner", _mention(word, args), 1
    key, colon, raw = word.partition(":")
    key = key.lower()
    if not colon or not key:
        raise _unknown_filter(word, FILTER_KEYS[args.verb], args)
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


def _page_number(value: str, args: Args) -> int:
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= 9999:
        raise args.fail(f"'page:{short(value)}' needs a page number, e.g. page:2.")
    return int(value)


def _unknown_filter(key: str, allowed: tuple[str, ...], args: Args) -> UsageError:
    shown = ", ".join(name if name == "overdue" else f"{name}:" for name in allowed)
    message = f"Unknown filter '{short(key)}'"
    close = difflib.get_close_matches(key.lower().rstrip(":"), list(allowed), n=1)
    if close:
        message += f" (did you mean '{close[0]}'?)"
    return args.fail(f"{message}. '{args.verb}' takes {shown}.")


def _status_filter(value: str, words: list[str], index: int, args: Args) -> _Filter:
    # "status:in progress": take the next word too when the two make a status.
    if index + 1 < len(words):
        joined = STATUS_WORDS.get(_status_key(f"{value} {words[index + 1]}"))
        if joined and value.lower() in ("in", "not", "signed"):
            return "status", joined, 2
    status = STATUS_WORDS.get(_status_key(value))
    if status is None:
        names = ", ".join(member.value for member in Status)
        raise args.fail(f"'{short(value)}' is not a status: use one of {names}.")
    return "status", status, 1


def _status_key(value: str) -> str:
    return re.sub(r"[-_\s]+", "_", DASHES.sub("-", value.lower()))


def _due_filter(value: str, words: list[str], index: int, today: date, args: Args) -> _Filter:
    # A date may run over several words ("due:31 Mar 2026"); stop at the next filter.
    following = [value]
    for word in words[index + 1 : index + MAX_DATE_WORDS]:
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
    raise args.fail(f"due: I can't read '{short(' '.join(following))}' as a date.", CHAT_HINT)


def _review_code(value: str, args: Args) -> str:
    if not REVIEW_CODE.fullmatch(value):
        raise args.fail(f"'{short(value)}' is not a review code: codes are short, like CC.")
    return value.upper()


# --- people -------------------------------------------------------------------------------


def _looks_like_person(word: str) -> bool:
    return word.startswith(("@", "<@", "<mailto:")) or (":" not in word and bool(EMAIL.fullmatch(word)))


def _mention(value: str, args: Args) -> Mention:
    """``<@U0123ABC|jo>``, ``<@U0123ABC>``, ``<mailto:jo@x.org|jo@x.org>``, ``jo@x.org``, ``@jo``, ``me``."""
    slack = SLACK_USER.fullmatch(value)
    if slack:
        return Mention(slack.group(1).upper(), slack.group(2) or None, None)
    mailto = MAILTO.fullmatch(value)
    if mailto and EMAIL.fullmatch(mailto.group(1)):
        return Mention(None, None, mailto.group(1).lower())
    if EMAIL.fullmatch(value):
        return Mention(None, None, value.lower())
    plain = PLAIN_NAME.fullmatch(value)
    name = plain.group(1).strip() if plain else ""
    if name:
        return Mention(None, "me" if name.lower() == "me" else name, None)
    raise args.fail(f"'{short(value)}' is not a person: use @name, an e-mail address or me.")


def mention_in(value: str, args: Args) -> Mention:
    """A person a command names (``handover:``, ``deputy:``), read as ``owner:`` reads them."""
    return _mention(value, args)
