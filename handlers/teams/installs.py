"""The app installed or removed: keep or forget the conversation, so nudges and the digest can reach it.

Teams tells the bot with ``installationUpdate`` and ``conversationUpdate`` (the bot among the
members added or removed); both are handled, and handling one twice changes nothing. A person who
installs the app is matched to the board at once (by Entra id, else the e-mail on their member
record) and greeted once, so their first reminder can come before they have typed anything.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from microsoft_teams.api import ConversationUpdateActivity, InstallUpdateActivity
from microsoft_teams.apps import ActivityContext, App

from bot.views import Text
from handlers.teams import cards
from handlers.teams.cards import card_activity
from handlers.teams.conversations import CHANNEL, PERSONAL, Place
from handlers.teams.deps import TeamsDeps, place_of, tenant_of

log = logging.getLogger(__name__)


def welcome(known: bool, teams_id: str | None) -> Text:
    """The greeting in a new 1:1 chat."""
    if known:
        return Text(
            "Hello: I'm the board's action tracker. I'll remind you here about your case-review actions before "
            "and after they are due, and you can update them from the cards or by typing, for example:\n"
            "mine\nupdate CC-3 on-track Audit booked for May\nhelp"
        )
    link = f" If the board has you under another e-mail, the coordinator can link you: action link <e-mail> {teams_id}"
    return Text(
        "Hello: I'm the board's action tracker, but I don't know you yet. Ask the board's coordinator to add you "
        "with the e-mail address you use in Teams." + (link if teams_id else "")
    )


def register(app: App, deps: TeamsDeps) -> None:
    """Listen for installs, removals and the bot joining or leaving conversations."""

    async def added(ctx: ActivityContext[Any], place: Place) -> None:
        await asyncio.to_thread(deps.conversations.remember, place)
        if place.kind == CHANNEL:
            log.info(
                "Teams: added to team %r; its channel id is %s (DIGEST_CHANNEL=teams:%s makes it the sub-group "
                "channel)", place.name, place.conversation_id, place.conversation_id,
            )  # fmt: skip
            return
        if place.kind != PERSONAL:
            return
        activity = ctx.activity
        identity, _ = await deps.directory.identity(ctx.api, activity.conversation.id, activity.from_)
        person_id = await asyncio.to_thread(deps.directory.adopt, identity)
        if person_id is not None:
            await asyncio.to_thread(deps.conversations.remember, place)  # now tied to the person
        if await asyncio.to_thread(deps.once, f"welcome:{place.conversation_id}"):
            await ctx.send(card_activity(cards.card(welcome(person_id is not None, identity.user_id))))

    async def removed(place: Place) -> None:
        await asyncio.to_thread(deps.conversations.forget, place.conversation_id)
        log.info("Teams: removed from %s conversation %s", place.kind, place.conversation_id[:60])

    @app.on_installation_update
    async def on_installation_update(ctx: ActivityContext[InstallUpdateActivity]) -> None:
        activity = ctx.activity
        if not deps.tenant_allowed(tenant_of(activity)):
            log.warning("ignored an installation from tenant %s", tenant_of(activity))
            return
        place = place_of(activity)
        if str(activity.action).startswith("remove"):
            await removed(place)
        else:
            await added(ctx, place)

    @app.on_conversation_update
    async def on_conversation_update(ctx: ActivityContext[ConversationUpdateActivity]) -> None:
        activity = ctx.activity
        if not deps.tenant_allowed(tenant_of(activity)):
            return
        bot_id = activity.recipient.id
        place = place_of(activity)
        if any(member.id == bot_id for member in activity.members_removed or []):
            await removed(place)
        elif any(member.id == bot_id for member in activity.members_added or []):
            await added(ctx, place)
