"""Where the bot can reach people and channels in Teams later: stored conversation references.

Teams hands the bot a conversation (id and service URL) when the app is installed, and with
every message. A proactive message (a nudge, an escalation, the digest) needs exactly that, so
each one is kept in ``teams_conversation``: a person's 1:1 chat with the bot, a team's channels,
group chats. Uninstalling forgets it, and the person is unreachable on Teams until they return.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import delete, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.identity import Identity, resolve
from bot.views import Recipient
from storage.models import TeamsConversation

log = logging.getLogger(__name__)

PERSONAL, CHANNEL, GROUP = "personal", "channel", "group"


@dataclass(frozen=True)
class Place:
    """A conversation as an activity shows it."""

    conversation_id: str  # for a channel: the channel's id, without ";messageid=..."
    kind: str  # personal, channel, group
    service_url: str
    tenant_id: str | None = None
    aad_object_id: str | None = None  # the user, in a personal chat
    name: str | None = None


@dataclass(frozen=True)
class Reference:
    """What a proactive message needs."""

    conversation_id: str
    service_url: str
    tenant_id: str | None


class Conversations:
    """The stored conversation references, in the bot's database."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    def remember(self, place: Place) -> None:
        """Keep (or refresh) a conversation; a personal chat is tied to the person whose Teams id it carries."""
        for attempt in (1, 2):
            try:
                with self.sessions.begin() as session:
                    self._upsert(session, place)
                return
            except IntegrityError:
                if attempt == 2:  # two first messages raced: the other one stored it
                    raise

    def _upsert(self, session: Session, place: Place) -> None:
        person_id = None
        if place.kind == PERSONAL and place.aad_object_id:
            person = resolve(session, Identity("teams", place.aad_object_id))
            if person is not None:
                person_id = person.id
                person.unreachable = None  # they have a chat with the bot now
        row = session.scalars(
            select(TeamsConversation).where(TeamsConversation.conversation_id == place.conversation_id)
        ).one_or_none()
        now = self.clock.now()
        if row is None:
            session.add(
                TeamsConversation(
                    conversation_id=place.conversation_id, kind=place.kind, person_id=person_id,
                    aad_object_id=place.aad_object_id, tenant_id=place.tenant_id, service_url=place.service_url,
                    name=place.name, updated_at=now,
                )
            )  # fmt: skip
            session.flush()
            return
        row.kind, row.service_url, row.updated_at = place.kind, place.service_url, now
        row.tenant_id = place.tenant_id or row.tenant_id
        row.aad_object_id = place.aad_object_id or row.aad_object_id
        row.name = place.name or row.name
        row.person_id = person_id or row.person_id

    def forget(self, conversation_id: str) -> None:
        """The app was removed from a conversation: the bot can no longer post there."""
        with self.sessions.begin() as session:
            session.execute(delete(TeamsConversation).where(TeamsConversation.conversation_id == conversation_id))

    def personal(self, person_id: int | None, aad_object_id: str | None) -> Reference | None:
        """A person's 1:1 chat with the bot: by the person, or by their Entra object id."""
        known = []
        if person_id is not None:
            known.append(TeamsConversation.person_id == person_id)
        if aad_object_id:
            known.append(TeamsConversation.aad_object_id == aad_object_id)
        if not known:
            return None
        with self.sessions() as session:
            row = session.scalars(
                select(TeamsConversation)
                .where(TeamsConversation.kind == PERSONAL, or_(*known))
                .order_by(TeamsConversation.updated_at.desc())
                .limit(1)
            ).first()
            return _reference(row) if row else None

    def for_recipient(self, to: Recipient) -> Reference | None:
        return self.personal(to.person_id, to.teams_user_id)

    def find(self, conversation_id: str) -> Reference | None:
        """A stored conversation; for a channel not seen yet, its tenant's service URL (any stored one)."""
        with self.sessions() as session:
            row = session.scalars(
                select(TeamsConversation).where(TeamsConversation.conversation_id == conversation_id)
            ).one_or_none()
            if row is not None:
                return _reference(row)
            other = session.scalars(select(TeamsConversation).where(TeamsConversation.kind == CHANNEL).limit(1)).first()
            return Reference(conversation_id, other.service_url, other.tenant_id) if other else None


def _reference(row: TeamsConversation) -> Reference:
    return Reference(row.conversation_id, row.service_url, row.tenant_id)
