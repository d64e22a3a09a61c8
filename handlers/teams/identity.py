"""Who is who: a Teams user becomes a Person by their Entra object id, or once by e-mail.

A person the board knows by e-mail is matched the first time they use Teams by the e-mail on
their member record (fetched once from the conversation's member list); the services then keep
their Entra object id on the Person (``teams_user_id``), so later messages need no look-up and a
changed e-mail does not lose them. The same Person is who they are in Slack.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bot.identity import Identity, adopt, is_known

log = logging.getLogger(__name__)

DEFAULT_TTL = 600.0  # seconds an unknown member's e-mail is remembered in this process


class TeamsDirectory:
    """Teams users' e-mail addresses from the conversation's member list, cached with a time to live."""

    def __init__(
        self, sessions: sessionmaker[Session], *, ttl: float = DEFAULT_TTL, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.sessions = sessions
        self.ttl = ttl
        self.now = now
        self._lock = threading.Lock()
        self._members: dict[str, tuple[float, str | None, str | None]] = {}  # member id -> (until, aad, e-mail)

    def known(self, aad_object_id: str | None, email: str | None = None) -> bool:
        """The board knows this Teams user: by their Entra object id, or by e-mail."""
        with self.sessions() as session:
            return is_known(session, Identity("teams", aad_object_id, email))

    def adopt(self, identity: Identity) -> int | None:
        """Tie a Teams user to the Person the board has for them (by Entra id, else e-mail), keeping their id."""
        return adopt(self.sessions, identity)

    async def member(self, api: Any, conversation_id: str, member_id: str) -> tuple[str | None, str | None]:
        """A member's Entra object id and e-mail (or UPN), from the conversation; (None, None) when Teams won't say."""
        with self._lock:
            cached = self._members.get(member_id)
        if cached is not None and cached[0] > self.now():
            return cached[1], cached[2]
        try:
            account = await api.conversations.get_member_by_id(conversation_id, member_id)
        except (httpx.HTTPError, ValueError) as error:
            log.warning("Teams member %s of %s: %s", member_id, conversation_id[:40], error)
            return None, None
        email = account.email or account.user_principal_name
        with self._lock:
            self._members[member_id] = (self.now() + self.ttl, account.aad_object_id, email)
        return account.aad_object_id, email

    async def identity(self, api: Any, conversation_id: str, account: Any) -> tuple[Identity, bool]:
        """The Identity the services match, and whether the board knows the person.

        A known Entra object id needs no look-up; otherwise the member record's e-mail is fetched.
        """
        aad = account.aad_object_id
        if aad and await asyncio.to_thread(self.known, aad):
            return Identity("teams", aad), True
        found_aad, email = await self.member(api, conversation_id, account.id)
        aad = aad or found_aad
        known = await asyncio.to_thread(self.known, None, email) if email else False
        return Identity("teams", aad, email), known
