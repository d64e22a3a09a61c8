"""What people type in Teams, turned into an ``/action`` line. Pure.

Teams sends a message's text with the bot's @mention in it (``<at>Action Tracker</at> mine``) in
channels, and sometimes as HTML (``<p>update CC-3 ...</p>``, ``&amp;``). The bot's own mention is
removed; a mention of someone else becomes their e-mail (for ``owner:``) or, in ``link``, their
Teams account; tags are dropped and entities read back, so what is stored is what was meant.
A leading ``/`` is optional, as is the word ``action``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

_BREAK = re.compile(r"<br\s*/?>|</p>|</div>", re.IGNORECASE)
_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")
_LINK_VERB = re.compile(r"^/?(?:action\s+)?link\b", re.IGNORECASE)


@dataclass(frozen=True)
class Mentioned:
    """An @mention in a message: its text in the message, and who it names."""

    text: str  # "<at>Jo Bloggs</at>"
    user_id: str  # the Teams id (29:...; the bot's is 28:...)
    name: str


@dataclass(frozen=True)
class Resolved:
    """What the bot found out about a mentioned person from the conversation's member list."""

    aad_object_id: str | None
    email: str | None


def command_text(
    text: str | None, mentions: Sequence[Mentioned], bot_id: str | None, resolved: Mapping[str, Resolved]
) -> str:
    """The ``/action`` line a Teams message carries."""
    body = text or ""
    for mention in mentions:
        if mention.user_id == bot_id:
            body = body.replace(mention.text, " ")
    linking = bool(_LINK_VERB.match(_plain(body)))
    for mention in mentions:
        if mention.user_id == bot_id:
            continue
        found = resolved.get(mention.user_id)
        if linking and found and found.aad_object_id:
            replacement = f"teams:{found.aad_object_id}"
        elif not linking and found and found.email:
            replacement = found.email
        else:
            replacement = f'@"{mention.name}"'
        body = body.replace(mention.text, replacement)
    body = _plain(body)
    if body.startswith("/") and not body[1:].lower().startswith("action"):
        body = body[1:]
    return body.strip()


def _plain(text: str) -> str:
    text = _BREAK.sub("\n", text)
    text = _TAG.sub("", text)
    return html.unescape(text).replace("\xa0", " ").strip()
