"""Messages to the bot: the /action language typed in a 1:1 chat, a group chat or a channel (with @mention)."""

from __future__ import annotations

import asyncio
import logging

from microsoft_teams.api.activities.message.message import MessageActivity, MessageActivityInput
from microsoft_teams.apps import ActivityContext, App

from handlers.teams import incoming, uploads
from handlers.teams.conversations import PERSONAL
from handlers.teams.deps import OTHER_TENANT, TeamsDeps, mentions_of, place_of, tenant_of

log = logging.getLogger(__name__)


async def on_message(ctx: ActivityContext[MessageActivity], deps: TeamsDeps) -> None:
    """A message: the /action line it carries goes to the chat controller; the answer goes where it may be read."""
    activity = ctx.activity
    if not deps.tenant_allowed(tenant_of(activity)):
        log.warning("refused a message from tenant %s", tenant_of(activity))
        await ctx.send(MessageActivityInput(text=OTHER_TENANT))
        return
    if not await asyncio.to_thread(deps.once, f"{activity.conversation.id}:{activity.id}"):
        return  # Teams delivered it again: already carried out
    place = place_of(activity)
    await asyncio.to_thread(deps.conversations.remember, place)
    identity, known = await deps.directory.identity(ctx.api, activity.conversation.id, activity.from_)
    attached = uploads.attached_file(activity)
    if attached is not None:  # a spreadsheet dropped in the chat: loading a plan
        await uploads.on_upload(ctx, deps, attached, place, identity)
        return
    bot_id = activity.recipient.id
    mentions = mentions_of(activity)
    resolved = {
        mention.user_id: incoming.Resolved(
            *await deps.directory.member(ctx.api, activity.conversation.id, mention.user_id)
        )
        for mention in mentions
        if mention.user_id != bot_id
    }
    text = incoming.command_text(activity.text, mentions, bot_id, resolved)
    reply = await asyncio.to_thread(deps.run_text, text, identity, known)
    if place.kind == PERSONAL and not known:
        await asyncio.to_thread(deps.conversations.remember, place)  # now matched: tie the chat to the person
    await deps.answer(ctx, reply.view, place, identity)
    deps.notices.send(deps.chat, reply)  # after the answer, off its path


def register(app: App, deps: TeamsDeps) -> None:
    """Listen for messages."""

    @app.on_message
    async def message(ctx: ActivityContext[MessageActivity]) -> None:
        await on_message(ctx, deps)
