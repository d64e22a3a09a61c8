"""Card buttons (Action.Execute): Details, More, Post update, Mark complete, Request extension, Approve,
Decline, Record impact, and the forms' Submit and Back.

In a 1:1 chat the answer to a click is a card that replaces the clicked one: a form opens in
place, an invalid submission comes back with the error under the field and what was typed kept,
an accepted one becomes the confirmation (so its buttons cannot be clicked twice). A card in a
channel is shared, and a replacing answer would replace it for everyone there: so a click in a
channel leaves the card as it is and is answered in the clicker's 1:1 chat.
"""

from __future__ import annotations

import asyncio
import logging

from microsoft_teams.api.activities.invoke.adaptive_card.action import AdaptiveCardInvokeActivity
from microsoft_teams.api.models.adaptive_card.adaptive_card_action_response import (
    AdaptiveCardActionCardResponse,
    AdaptiveCardActionMessageResponse,
)
from microsoft_teams.apps import ActivityContext, App

from handlers.teams.cards import card_activity
from handlers.teams.conversations import PERSONAL
from handlers.teams.deps import OTHER_TENANT, TeamsDeps, place_of, tenant_of

log = logging.getLogger(__name__)

ANSWERED_ELSEWHERE = "I've answered you in our 1:1 chat."
NO_CHAT = "I could not open a 1:1 chat with you: find me under Apps (Action Tracker) and open the chat."


Answer = AdaptiveCardActionCardResponse | AdaptiveCardActionMessageResponse


async def on_card_action(ctx: ActivityContext[AdaptiveCardInvokeActivity], deps: TeamsDeps) -> Answer:
    """A click: the controller carries it out; in a 1:1 chat the answer replaces the card, elsewhere it goes
    to the clicker's 1:1 chat."""
    activity = ctx.activity
    if not deps.tenant_allowed(tenant_of(activity)):
        return AdaptiveCardActionMessageResponse(value=OTHER_TENANT)
    place = place_of(activity)
    await asyncio.to_thread(deps.conversations.remember, place)
    identity, _ = await deps.directory.identity(ctx.api, activity.conversation.id, activity.from_)
    action = activity.value.action
    data = dict(action.data or {})
    answer, reply = await asyncio.to_thread(deps.card_action, action.verb or "", data, identity)
    if reply is not None:
        deps.notices.send(deps.chat, reply)  # after the answer, off its path
    if place.kind != PERSONAL:
        sent = await deps.in_personal_chat(ctx, answer, identity)
        return AdaptiveCardActionMessageResponse(value=ANSWERED_ELSEWHERE if sent else NO_CHAT)
    for extra in answer[1:]:  # a long answer: the rest follows as messages
        await ctx.send(card_activity(extra))
    return AdaptiveCardActionCardResponse(value=answer[0])


def register(app: App, deps: TeamsDeps) -> None:
    """Listen for Action.Execute clicks."""

    @app.on_card_action
    async def card_action(ctx: ActivityContext[AdaptiveCardInvokeActivity]) -> Answer:
        return await on_card_action(ctx, deps)
