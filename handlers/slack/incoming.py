"""What people type, as Slack sends it, turned back into plain text. Pure.

Slack sends slash-command text escaped: a typed ``&``, ``<`` or ``>`` arrives as ``&amp;``,
``&lt;`` or ``&gt;``, while real markup arrives in angle brackets: links ``<https://x|x>``,
channels ``<#C1|general>``, ``<!channel>``, and (the manifest asks for it) users ``<@U1|jo>``.
We keep user mentions for ``owner:`` filters and make everything else plain, so that what is
stored is what the person meant and is escaped once, on the way out.
Form inputs (modals) arrive as typed and need none of this.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot import commands as cmd

_MARKUP = re.compile(r"<([^<>]*)>")
_ENTITY = re.compile(r"&(amp|lt|gt);")
_ENTITIES = {"amp": "&", "lt": "<", "gt": ">"}
_USER = re.compile(r"<@([A-Za-z0-9]+)(?:\|([^<>]*))?>")
_FREE_TEXT = ("note", "evidence", "reason", "text")


def _plain(match: re.Match[str]) -> str:
    target, _, label = match.group(1).partition("|")
    if target.startswith("@"):
        return match.group(0)  # a user: the parser reads owner:<@U1|jo>
    if target.startswith("#"):
        return "#" + (label or target[1:])
    if target.startswith("!"):  # <!channel>, <!here>, <!subteam^S1|@team>, <!date^...|fallback>
        return label or "@" + target[1:].split("^")[0]
    if target.startswith("mailto:"):
        return label or target[len("mailto:") :]
    if label and label != target:
        return f"{label} ({target})"
    return label or target


def from_slack(text: str) -> str:
    """A slash command's text as the person typed it; user mentions stay as ``<@U1|name>``."""
    return _ENTITY.sub(lambda m: _ENTITIES[m.group(1)], _MARKUP.sub(_plain, text))


def plain_mentions(text: str) -> str:
    """``<@U1|jo>`` as ``@jo`` (``<@U1>`` as ``@U1``): for notes, which are read, not parsed."""
    return _USER.sub(lambda m: "@" + (m.group(2) or m.group(1)), text)


def tidy(command: cmd.Command) -> cmd.Command:
    """A command whose note, evidence or reason holds no Slack markup."""
    for field in _FREE_TEXT:
        value = getattr(command, field, None)
        if isinstance(value, str):
            command = replace(command, **{field: plain_mentions(value)})  # type: ignore[arg-type]
    return command
