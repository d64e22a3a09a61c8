"""The Slack Web API client, its retry policy, and the process-wide state of our credentials.

Retries: only HTTP 429, after Slack's Retry-After. slack_sdk's default ConnectionErrorRetryHandler
would resend a request after a connection reset, when Slack may already have acted on it: a
chat.postMessage sent twice is a message posted twice, so we never do that.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.web import SlackResponse

from bot.config import Settings

log = logging.getLogger(__name__)

DEFAULT_TIMEOUT = 10.0  # seconds for one Web API call; Slack answers in well under one
CREDENTIAL_ERRORS = frozenset({"invalid_auth", "token_revoked", "account_inactive", "not_authed", "token_expired"})


class SlackStatus:
    """What this process knows about Slack: whether our token was refused, and channels we cannot post to."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped: str | None = None
        self._channel_problems: dict[str, str] = {}

    @property
    def stopped(self) -> str | None:
        """Why sends are stopped (Slack refused our credentials), or None."""
        return self._stopped

    def stop(self, reason: str) -> None:
        """Stop every further call in this process; logged once."""
        with self._lock:
            first = self._stopped is None
            self._stopped = self._stopped or reason
        if first:
            log.error(
                "Slack refused the bot's credentials (%s): all Slack sends are stopped in this process. "
                "Fix SLACK_BOT_TOKEN (reinstall the app if it was revoked) and restart.",
                reason,
            )

    def channel_problem(self, channel: str, error: str) -> None:
        """Remember that a channel refused a post (the bot was removed, the channel archived...)."""
        with self._lock:
            self._channel_problems[channel] = error
        log.warning(
            "Slack channel %s refused a post (%s): the coordinator must invite the bot or fix DIGEST_CHANNEL.",
            channel,
            error,
        )

    def channel_problems(self) -> dict[str, str]:
        """Channels that refused a post since start-up, with Slack's error: for the digest and the coordinator."""
        with self._lock:
            return dict(self._channel_problems)

    def channel_ok(self, channel: str) -> None:
        """A post to the channel worked again."""
        with self._lock:
            self._channel_problems.pop(channel, None)


class SendsStopped(SlackClientError):
    """Raised instead of calling Slack once our credentials were refused."""


class GuardedWebClient(WebClient):
    """A WebClient that stops calling Slack once Slack refused our credentials, and notices when it does."""

    def __init__(self, *, status: SlackStatus, **options: Any) -> None:
        super().__init__(**options)
        self.status = status

    def api_call(self, api_method: str, **options: Any) -> SlackResponse:
        reason = self.status.stopped
        # apps.connections.open (Socket Mode) uses the app-level token, not the bot token.
        if reason is not None and api_method != "apps.connections.open":
            raise SendsStopped(f"not calling {api_method}: Slack refused our credentials ({reason})")
        try:
            return super().api_call(api_method, **options)
        except SlackApiError as error:
            code = error.response.get("error") if isinstance(error.response.data, dict) else None
            if code in CREDENTIAL_ERRORS and api_method != "apps.connections.open":
                self.status.stop(str(code))
            raise


def make_client(
    settings: Settings,
    status: SlackStatus,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    with_token: bool = True,
) -> GuardedWebClient:
    """The one client every Web API call goes through: SLACK_API_URL when set, rate-limit retries only."""
    options: dict[str, Any] = {
        "token": settings.slack_bot_token if with_token else None,
        "timeout": timeout,
        "retry_handlers": [RateLimitErrorRetryHandler(max_retry_count=2)],
    }
    if settings.slack_api_url:
        options["base_url"] = settings.slack_api_url.rstrip("/") + "/"
    return GuardedWebClient(status=status, **options)
