"""Who is who: a Slack user id becomes an e-mail address (users.info), cached for a while in this process."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError

from bot.identity import Identity

log = logging.getLogger(__name__)

DEFAULT_TTL = 600.0  # seconds: a changed Slack e-mail is noticed within ten minutes


class SlackDirectory:
    """Slack users' e-mail addresses, looked up with users.info and cached with a time to live."""

    def __init__(
        self, client: WebClient, *, ttl: float = DEFAULT_TTL, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.client = client
        self.ttl = ttl
        self.now = now
        self._lock = threading.Lock()
        self._emails: dict[str, tuple[float, str | None]] = {}

    def email_of(self, user_id: str) -> str | None:
        """The e-mail on a user's Slack profile; None when Slack has none for them or cannot be asked."""
        with self._lock:
            cached = self._emails.get(user_id)
        if cached is not None and cached[0] > self.now():
            return cached[1]
        try:
            user = self.client.users_info(user=user_id)["user"]
        except SlackApiError as error:
            log.info("users.info %s: %s", user_id, error.response.get("error"))
            return None
        except (SlackClientError, OSError) as error:  # Slack unreachable: the stored Slack id may still match
            log.warning("users.info %s failed: %s", user_id, error)
            return None
        email = None if user.get("deleted") else (user.get("profile") or {}).get("email")
        with self._lock:
            self._emails[user_id] = (self.now() + self.ttl, email)
        return email

    def identity(self, user_id: str) -> Identity:
        """The Identity the services match: the Slack id first, then the profile e-mail."""
        return Identity("slack", user_id, self.email_of(user_id))
