"""What the Teams listeners need, wired once in handlers.teams.app and handed to each register().

The services are synchronous (SQLAlchemy), the SDK is asyncio: listeners run the services in a
worker thread (``asyncio.to_thread``) and keep the event loop for Teams' HTTP calls.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import httpx
from microsoft_teams.api.activities.message.message import MessageActivityInput
from microsoft_teams.api.clients.conversation.params import CreateConversationParams
from microsoft_teams.api.models.account import ConversationAccount
from microsoft_teams.api.models.conversation.conversation_reference import ConversationReference
from microsoft_teams.api.models.entity.mention_entity import MentionEntity
from microsoft_teams.cards import AdaptiveCard
from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot.clock import Clock
from bot.config import Settings
from bot.errors import UsageError
from bot.ports import Messenger
from bot.requests import first_time
from bot.routing import teams_channel
from bot.services import ActionService, Identity
from bot.views import ActionDetail, Problem, Reply, View
from handlers.teams import cards, forms
from handlers.teams.cards import card_activity
from handlers.teams.conversations import CHANNEL, GROUP, PERSONAL, Conversations, Place, Reference
from handlers.teams.identity import TeamsDirectory
from handlers.teams.incoming import Mentioned
from handlers.text import STATUS_WORDS
from storage.models import Status

log = logging.getLogger(__name__)

ELSEWHERE = "I've answered you in our 1:1 chat: action details are shown only there and in the sub-group channel."
NO_CHAT = (
    "Action details are shown only in the sub-group channel and in a 1:1 chat with me, and I could not open "
    "one with you. Find me under Apps (Action Tracker), open the chat, and ask me there."
)
OTHER_TENANT = "This bot serves only its own board's Teams organisation."


def tenant_of(activity: Any) -> str | None:
    """The tenant an activity came from."""
    tenant = getattr(activity.conversation, "tenant_id", None)
    data = activity.channel_data
    if not tenant and data is not None and data.tenant is not None:
        tenant = data.tenant.id
    return tenant


def place_of(activity: Any) -> Place:
    """The conversation an activity came from, as the bot stores it."""
    conversation = activity.conversation
    kind = conversation.conversation_type or PERSONAL
    data = activity.channel_data
    service_url = activity.service_url or ""
    tenant = tenant_of(activity)
    if kind == "channel":
        channel = data.channel.id if data is not None and data.channel is not None else None
        team = data.team.name if data is not None and data.team is not None else None
        return Place((channel or conversation.id).split(";")[0], CHANNEL, service_url, tenant, None, team)
    if kind == PERSONAL:
        user = activity.from_
        return Place(conversation.id, PERSONAL, service_url, tenant, getattr(user, "aad_object_id", None))
    return Place(conversation.id, GROUP, service_url, tenant, None, conversation.name)


def mentions_of(activity: Any) -> list[Mentioned]:
    """The @mentions in a message."""
    return [
        Mentioned(entity.text or f"<at>{entity.mentioned.name}</at>", entity.mentioned.id, entity.mentioned.name or "")
        for entity in activity.entities or []
        if isinstance(entity, MentionEntity)
    ]


@dataclass
class TeamsDeps:
    """The services and Teams helpers every listener uses."""

    actions: ActionService
    sessions: sessionmaker[Session]
    clock: Clock
    settings: Settings
    conversations: Conversations
    directory: TeamsDirectory
    notifier: Messenger  # messages to other people: Teams or Slack, whichever can reach them

    def today(self) -> date:
        return self.actions.today()

    def once(self, key: str) -> bool:
        """True the first time an activity is seen by any process; a redelivery is False."""
        return first_time(self.sessions, f"teams:{key}", self.clock.now())

    def tenant_allowed(self, tenant: str | None) -> bool:
        """With TEAMS_TENANT_ID set, only the board's own tenant is served (guests from elsewhere are not)."""
        expected = self.settings.teams_tenant_id
        return not expected or (tenant or "").lower() == expected.lower()

    def is_subgroup(self, place: Place) -> bool:
        """The conversation is the configured sub-group channel (DIGEST_CHANNEL names a Teams channel)."""
        return place.kind == CHANNEL and place.conversation_id == teams_channel(self.settings.digest_channel)

    def private(self, place: Place) -> bool:
        """Action details may be shown here: a 1:1 chat, or the sub-group channel."""
        return place.kind == PERSONAL or self.is_subgroup(place)

    # ------------------------------------------------------------------ carrying out (worker threads)

    def run_text(self, text: str, identity: Identity, known: bool) -> Reply:
        """Parse an /action line and carry it out; an unknown person is told their Teams id for ``link``."""
        parsed = cmd.parse(text, self.today())
        if isinstance(parsed, UsageError):
            reply = Reply(Problem(parsed.message, parsed.hint))
        else:
            reply = self.actions.handle(parsed, identity)
        if not known and isinstance(reply.view, Problem) and identity.user_id:
            hint = (
                f"Your Teams id is {identity.user_id}. If the board has you under another e-mail address, "
                f"the coordinator can link you: action link <board e-mail> {identity.user_id}"
            )
            reply = Reply(replace(reply.view, hint="\n".join(filter(None, [reply.view.hint, hint]))), reply.notices)
        return reply

    def notify(self, reply: Reply) -> None:
        """Deliver the messages a command sends to other people (the chair, the owner)."""
        for notice in reply.notices:
            delivery = self.notifier.send_direct(notice.to, notice.view)
            if not delivery.sent:
                log.warning(
                    "notice to %s not delivered: %s %s", notice.to.email, delivery.outcome.value, delivery.detail
                )

    def card_action(
        self, verb: str, data: dict[str, Any], identity: Identity
    ) -> tuple[list[AdaptiveCard], Reply | None]:
        """A button on a card: the cards that answer it (the first replaces the clicked card) and the reply
        whose notices must go out, if the click changed something."""
        ref = str(data.get("ref") or "")
        if verb == cards.SHOW:
            return cards.cards(self.actions.handle(cmd.Show(ref), identity).view), None
        if verb == cards.MORE:
            return cards.cards(self.run_text(str(data.get("command") or ""), identity, True).view), None
        if verb == cards.APPROVE:
            reply = self.actions.handle(cmd.Approve(ref), identity)
            return cards.cards(reply.view), reply
        form = str(data.get("form") or "")
        if verb == cards.FORM and form in forms.READERS:
            return [self._open_form(form, ref, identity)], None
        if verb == cards.SUBMIT and form in forms.READERS:
            return self._submit(form, ref, data, identity)
        problem = Problem("That button is from an older message and no longer works.", "Type: action help")
        return [cards.card(problem)], None

    def _open_form(self, form: str, ref: str, identity: Identity) -> AdaptiveCard:
        view: View = self.actions.handle(cmd.Show(ref), identity).view
        if isinstance(view, ActionDetail):
            action = view.action
            if form == "decline" and action.pending_extension is None:
                view = Problem(f"{ref} has no extension request waiting for a decision.")
            elif action.status.is_open or (form == "impact" and action.status is Status.SIGNED_OFF):
                return cards.form_card(form, action, today=self.today())
            else:  # a button on an old card: nothing left to do
                view = Problem(f"{ref} is {STATUS_WORDS[action.status]}, so it can no longer be changed here.")
        return cards.card(view)

    def _submit(
        self, form: str, ref: str, data: dict[str, Any], identity: Identity
    ) -> tuple[list[AdaptiveCard], Reply | None]:
        read = forms.READERS[form](ref, data, self.today())
        if isinstance(read, dict):
            return [self._form_again(form, ref, data, read, identity)], None
        reply = self.actions.handle(read, identity)
        if isinstance(reply.view, Problem):
            return [self._form_again(form, ref, data, forms.problem_errors(form, reply.view), identity)], None
        return cards.cards(reply.view), reply

    def _form_again(
        self, form: str, ref: str, data: dict[str, Any], errors: dict[str, str], identity: Identity
    ) -> AdaptiveCard:
        shown = self.actions.handle(cmd.Show(ref), identity).view
        if not isinstance(shown, ActionDetail):
            return cards.card(shown)
        return cards.form_card(form, shown.action, values=forms.typed(form, data), errors=errors, today=self.today())

    # ------------------------------------------------------------------ answering (the event loop)

    async def answer(self, ctx: Any, view: View, place: Place, identity: Identity) -> None:
        """Show a view to the person who asked: here when details may be shown here, else in their 1:1 chat."""
        if self.private(place):
            for card in cards.cards(view):
                await ctx.send(card_activity(card))
            return
        sent = await self.in_personal_chat(ctx, cards.cards(view), identity)
        await ctx.send(MessageActivityInput(text=ELSEWHERE if sent else NO_CHAT))

    async def in_personal_chat(self, ctx: Any, answer: list[AdaptiveCard], identity: Identity) -> bool:
        """Send cards to the 1:1 chat of the person behind an activity (opening one if need be); False if none."""
        reference = await asyncio.to_thread(self.conversations.personal, None, identity.user_id)
        reference = reference or await self._open_personal(ctx)
        if reference is None:
            return False
        target = ConversationReference(
            service_url=reference.service_url,
            bot=ctx.activity.recipient,
            channel_id="msteams",
            conversation=ConversationAccount(id=reference.conversation_id, conversation_type="personal"),
        )
        for card in answer:
            await ctx.send(card_activity(card), target)
        return True

    async def _open_personal(self, ctx: Any) -> Reference | None:
        """Start a 1:1 chat with the person who wrote in a channel (the app is installed in their team)."""
        activity = ctx.activity
        tenant = tenant_of(activity)
        params = CreateConversationParams.model_validate(
            {
                "members": [{"id": activity.from_.id}],
                "tenantId": tenant,
                "isGroup": False,  # Bot Framework's fields for a 1:1 chat, which the SDK's model leaves out
                "bot": {"id": activity.recipient.id, "name": activity.recipient.name},
                "channelData": {"tenant": {"id": tenant}} if tenant else None,
            }
        )
        try:
            created = await ctx.api.conversations.create(params)
        except httpx.HTTPError as error:
            log.warning("could not open a 1:1 chat with %s: %s", activity.from_.id, error)
            return None
        service_url = created.service_url or activity.service_url
        place = Place(created.id, PERSONAL, service_url, tenant, activity.from_.aad_object_id)
        await asyncio.to_thread(self.conversations.remember, place)
        return Reference(created.id, service_url, tenant)
