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
