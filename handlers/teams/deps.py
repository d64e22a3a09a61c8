"""What the Teams listeners need, wired once in handlers.teams.app and handed to each register().

The services are synchronous (SQLAlchemy), the SDK is asyncio: listeners run the services in a
worker thread (``asyncio.to_thread``) and keep the event loop for Teams' HTTP calls.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field, replace
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
from bot.chat import forms, phrases
from bot.chat.controller import ChatController
from bot.chat.document import CANCEL, IMPORT
from bot.clock import Clock
from bot.config import Settings
from bot.ports import Messenger
from bot.requests import first_time
from bot.routing import teams_channel
from bot.services import Identity
from bot.views import ActionDetail, ActionView, OpenForm, Problem, Reply, View
from handlers.notices import Notices
from handlers.teams import cards
from handlers.teams.cards import card_activity
from handlers.teams.conversations import CHANNEL, GROUP, PERSONAL, Conversations, Place, Reference
from handlers.teams.identity import TeamsDirectory
from handlers.teams.incoming import Mentioned

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

    chat: ChatController
    sessions: sessionmaker[Session]
    clock: Clock
    settings: Settings
    conversations: Conversations
    directory: TeamsDirectory
    notices: Notices = field(default_factory=lambda: Notices("teams-notice"))

    @property
    def notifier(self) -> Messenger:
        """Messages to other people: Teams or Slack, whichever can reach them."""
        assert self.chat.notifier is not None
        return self.chat.notifier

    @notifier.setter
    def notifier(self, messenger: Messenger) -> None:
        self.chat.notifier = messenger

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
        """An /action line, carried out by the controller; an unknown person is told their Teams id for ``link``."""
        reply = self.chat.run_text(text, identity)
        if not known and isinstance(reply.view, Problem) and identity.user_id:
            hint = "\n".join(filter(None, [reply.view.hint, phrases.teams_link_hint(identity.user_id)]))
            reply = Reply(replace(reply.view, hint=hint), reply.notices)
        return reply

    def card_action(
        self, verb: str, data: dict[str, Any], identity: Identity
    ) -> tuple[list[AdaptiveCard], Reply | None]:
        """A button on a card: the cards that answer it (the first replaces the clicked card) and the reply
        whose notices must go out, if the click changed something."""
        ref, form = str(data.get("ref") or ""), str(data.get("form") or "")
        if verb == cards.SHOW:
            return cards.cards(self.chat.run(cmd.Show(ref), identity).view), None
        if verb == cards.MORE:
            return cards.cards(self.run_text(str(data.get("command") or ""), identity, True).view), None
        if verb == cards.APPROVE:
            reply = self.chat.run(cmd.Approve(ref), identity)
            return cards.cards(reply.view), reply
        if verb in (IMPORT, CANCEL):
            view = self.chat.finish_upload(str(data.get("token") or ""), identity, go=verb == IMPORT)
            return cards.cards(view), None
        if verb == cards.FORM and form in forms.FORMS:
            found = self.chat.form_for(form, ref, identity)
            if isinstance(found, OpenForm):  # add, edit: the form comes filled in
                values = dict(found.values)
                return [
                    cards.form_card(form, found.action, subject=found.ref, values=values, today=self.chat.today())
                ], None
            if isinstance(found, ActionView):
                return [cards.form_card(form, found, today=self.chat.today())], None
            return [cards.card(found)], None
        if verb == cards.SUBMIT and form in forms.FORMS:
            done = self.chat.submit(form, ref, data, identity)
            if done.reply is not None:
                return cards.cards(done.reply.view), done.reply
            return [self._form_again(form, ref, data, done.errors, identity)], None
        return [cards.card(Problem(phrases.OLD_BUTTON, "Type: action help"))], None

    def _form_again(
        self, form: str, ref: str, data: dict[str, Any], errors: dict[str, str], identity: Identity
    ) -> AdaptiveCard:
        values = forms.typed(form, data)
        if form == "add":  # about a review: there is no action to show
            return cards.form_card(form, None, subject=ref, values=values, errors=errors, today=self.chat.today())
        shown = self.chat.run(cmd.Show(ref), identity).view
        if not isinstance(shown, ActionDetail):
            return cards.card(shown)
        return cards.form_card(form, shown.action, values=values, errors=errors, today=self.chat.today())

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
