"""Listings as text: the command that shows another page, and the filters in words."""

from __future__ import annotations

import re

from bot.commands.types import ListActions, Listing, Mention, Mine, Outstanding
from bot.dates import format_date


def with_page(command: Listing, page: int) -> str:
    """The command a person types to see ``page`` of the same listing; it parses back to the same filters."""
    verb = {Mine: "mine", ListActions: "list", Outstanding: "outstanding"}[type(command)]
    return " ".join(["/action", verb, *_filter_words(command), f"page:{page}"])


def describe_filters(command: Listing) -> str:
    """A listing's filters in words, e.g. ``review CC, overdue, due by Wed 15 Apr 2026``; '' when none."""
    return ", ".join(words for words, _typed in _filters(command))


def _filter_words(command: Listing) -> list[str]:
    return [typed for _words, typed in _filters(command)]


def _filters(command: Listing) -> list[tuple[str, str]]:
    """Each filter of a listing in words and as typed (``due:`` in ISO, never misread)."""
    pairs: list[tuple[str, str]] = []
    if isinstance(command, ListActions | Outstanding):
        if command.review:
            pairs.append((f"review {command.review}", f"review:{command.review}"))
        if command.agency:
            pairs.append((f"agency {command.agency}", f"agency:{_quoted(command.agency)}"))
    if isinstance(command, ListActions):
        if command.owner:
            pairs.append((f"owner {_mention_words(command.owner)}", f"owner:{_mention_text(command.owner)}"))
        if command.status:
            pairs.append((f"status {command.status.value.replace('_', ' ')}", f"status:{command.status.value}"))
        if command.overdue:
            pairs.append(("overdue", "overdue"))
        if command.due_by:
            pairs.append((f"due by {format_date(command.due_by)}", f"due:{command.due_by.isoformat()}"))
    return pairs


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
