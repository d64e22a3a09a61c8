"""``/action link``: the coordinator ties a chat account to the person it belongs to.

The only way to move a person to another account of a platform: an account whose profile merely
shows a bound person's e-mail is refused (``bot.identity.bind``)."""

from __future__ import annotations

import logging

from bot import commands as cmd
from bot import permissions
from bot.chat import phrases
from bot.errors import UnknownPerson, UsageError
from bot.identity import chat_column
from bot.services import queries
from bot.services.context import Context
from bot.views import Reply, Text

log = logging.getLogger(__name__)


def link(context: Context, command: cmd.Link) -> Reply:
    session, actor = context.session, context.actor
    permissions.require_coordinator(actor, "link chat accounts to people")
    column = chat_column(command.platform or "")
    if column is None or not command.user_id:
        raise UsageError(
            f"I can't tell which chat account '{command.name or '?'}' is.",
            f"Mention them (@name) in a chat they are in, or give their Teams object id: {cmd.USAGE['link']}",
        )
    person = queries.person_by_email(session, command.email)
    if person is None:
        raise UnknownPerson(
            f"Nobody on the board has the e-mail {command.email}.",
            "Add them first: python -m bot people add EMAIL NAME --role ROLE",
        )
    words = phrases.PLATFORM_NAMES[command.platform or ""]
    before = ""
    holder = queries.person_by_chat_id(session, column, command.user_id)
    if holder is not None and holder.id != person.id:
        # One chat account is one person: the coordinator's link moves it.
        setattr(holder, column.key, None)
        session.flush()
        before = f" It was linked to {holder.name} <{holder.email}> before."
    setattr(person, column.key, command.user_id)
    person.unreachable = None
    log.info("%s linked %s account %s to %s", actor.email, words, command.user_id, person.email)
    return Reply(Text(f"Linked: that {words} account is now {person.name} <{person.email}>.{before}"))
