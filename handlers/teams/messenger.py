"""TeamsMessenger: the chat port (bot.ports.Messenger) for Teams, proactive through stored conversations.

The SDK sends with ``app.send(conversation_id, activity, service_url=...)``: the conversation and
the service URL come from ``teams_conversation`` (stored when the app was installed or messaged),
the bot's token from its Entra app. The scheduler is synchronous, so the SDK's coroutines run on a
private event loop in a thread of their own (``Portal``); the HTTP client is only ever used there.

| what happened                                  | Outcome         | and                              |
|------------------------------------------------|-----------------|----------------------------------|
| 2xx                                            | SENT            | activity id kept as message_id   |
| no stored 1:1 chat with the person             | UNDELIVERABLE   | person marked unreachable        |
| 403 / 404 to a person (app removed, blocked)   | UNDELIVERABLE   | chat forgotten, person marked    |
| 403 / 404 to a channel, or an unknown channel  | CHANNEL_PROBLEM | logged, tell the coordinator     |
| 401, or Entra refuses the bot's secret         | STOPPED         | no further sends, /healthz 503   |
| 429, 5xx, connection refused                   | FAILED          | safe to retry later              |
| timeout or reset after the request went out    | UNCERTAIN       | never resent blindly             |
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import httpx
import requests
from microsoft_teams.apps import App
from sqlalchemy.orm import Session, sessionmaker

from bot.identity import mark_unreachable
from bot.ports import Delivery, Outcome
from bot.routing import TEAMS, channel_platform
from bot.views import Recipient, View
from handlers.teams import DEFAULT_TIMEOUT, cards
from handlers.teams.cards import card_activity
from handlers.teams.conversations import Conversations, Reference

log = logging.getLogger(__name__)
T = TypeVar("T")


class CredentialsRefused(Exception):
    """Entra would not give the bot a token: the app id or secret is wrong, or the app was deleted."""


class Portal:
    """A private event loop in a daemon thread, so synchronous code can run the SDK's coroutines."""

    def __init__(self, name: str = "teams-sender") -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, coroutine: Coroutine[Any, Any, T], timeout: float | None = None) -> T:
        """Run a coroutine on the portal's loop and wait for its result (raising what it raised)."""
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        try:
            return future.result(timeout)
        except concurrent.futures.TimeoutError:
            future.cancel()
            raise

    def close(self) -> None:
        if self.loop.is_running():
            self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)


class TeamsStatus:
    """What this process knows about its Teams connection, shared by the messenger and /healthz."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopped: str | None = None

    @property
    def stopped(self) -> str | None:
        with self._lock:
            return self._stopped

    def stop(self, reason: str) -> None:
        with self._lock:
            self._stopped = self._stopped or reason


def classify(error: BaseException, *, channel: bool) -> Delivery:
    """What a failed send means for the message."""
    if isinstance(error, CredentialsRefused):
        return Delivery(Outcome.STOPPED, detail=f"Entra refused the bot's credentials: {error}")
    if isinstance(error, httpx.HTTPStatusError):
        status = error.response.status_code
        if status == 401:
            return Delivery(Outcome.STOPPED, detail="HTTP 401: Teams refused the bot's token")
        if status in (403, 404):
            outcome = Outcome.CHANNEL_PROBLEM if channel else Outcome.UNDELIVERABLE
            return Delivery(outcome, detail=f"HTTP {status}: {_reason(error.response)}")
        if status == 429:
            return Delivery(Outcome.FAILED, detail="HTTP 429: rate limited")
        return Delivery(Outcome.FAILED, detail=f"HTTP {status}: {_reason(error.response)}")
    if isinstance(error, httpx.ConnectError | httpx.ConnectTimeout | httpx.PoolTimeout | requests.RequestException):
        # Nothing reached Teams (or Entra, for the token): safe to send again later.
        return Delivery(Outcome.FAILED, detail=f"not sent: {error!r}")
    # A timeout, reset or broken answer after the request went out: it may have arrived. Never resend.
    return Delivery(Outcome.UNCERTAIN, detail=f"no answer: {error!r}")


def _reason(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    problem = body.get("error") if isinstance(body, dict) else None
    if isinstance(problem, dict):
        return str(problem.get("code") or problem.get("message") or problem)[:200]
    return str(body)[:200]


DELIVERY_ERRORS = (httpx.HTTPError, requests.RequestException, CredentialsRefused, concurrent.futures.TimeoutError)


class TeamsMessenger:
    """Sends direct messages and channel posts to Teams as Adaptive Cards."""

    platform = "teams"

    def __init__(
        self,
        app: App,
        conversations: Conversations,
        sessions: sessionmaker[Session],
        *,
        portal: Portal | None = None,
        status: TeamsStatus | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.app = app
        self.conversations = conversations
        self.sessions = sessions
        self.portal = portal or Portal()
        self.status = status or TeamsStatus()
        self.timeout = timeout

    def reaches(self, to: Recipient) -> bool:
        """True when the bot has a 1:1 chat with the person in Teams (so Teams, not Slack, carries their messages)."""
        return self.conversations.for_recipient(to) is not None

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        """A message in the person's 1:1 chat with the bot."""
        reference = self.conversations.for_recipient(to)
        if reference is None:
            delivery = Delivery(Outcome.UNDELIVERABLE, detail="no Teams chat with them yet (the app is not installed)")
            self._unreachable(to, delivery)
            return delivery
        delivery = self.send_to(reference, view)
        if delivery.outcome is Outcome.UNDELIVERABLE:
            self.conversations.forget(reference.conversation_id)
            self._unreachable(to, delivery)
        return delivery

    def post_channel(self, channel: str, view: View) -> Delivery:
        """A post to a channel (only ever the sub-group channel): a new conversation in it."""
        platform, channel = channel_platform(channel)  # DIGEST_CHANNEL may say teams:19:...
        if platform != TEAMS:
            return Delivery(Outcome.CHANNEL_PROBLEM, detail=f"{channel} is not a Teams channel")
        reference = self.conversations.find(channel)
        if reference is None:
            detail = "the app has not been added to the team of that channel"
            log.error("Teams channel %s: %s (tell the coordinator)", channel, detail)
            return Delivery(Outcome.CHANNEL_PROBLEM, detail=detail)
        return self.send_to(reference, view, channel=True)

    def send_to(self, reference: Reference, view: View, *, channel: bool = False) -> Delivery:
        """Post a view (as one or more cards) to a stored conversation."""
        if self.status.stopped:
            return Delivery(Outcome.STOPPED, detail=self.status.stopped)
        parts = cards.cards(view)
        first: str | None = None
        for number, card in enumerate(parts, start=1):
            try:
                sent = self.portal.run(self._send(reference, card), self.timeout * 3)
            except DELIVERY_ERRORS as error:
                delivery = classify(error, channel=channel)
                self._log(reference, delivery)
                if delivery.outcome is Outcome.STOPPED:
                    self.status.stop(delivery.detail or "stopped")
                    return delivery
                if number > 1:
                    # Earlier parts went out: resending would post them twice, so report, never resend.
                    return Delivery(Outcome.UNCERTAIN, first, f"part {number} of {len(parts)}: {delivery.detail}")
                return delivery
            first = first or sent
        return Delivery(Outcome.SENT, first)

    async def _send(self, reference: Reference, card: Any) -> str:
        try:
            await self.app.token_provider.get_app_token()
        except ValueError as error:  # MSAL's answer when Entra refuses the client credentials
            raise CredentialsRefused(str(error)) from error
        activity = card_activity(card)
        sent = await self.app.send(reference.conversation_id, activity, service_url=reference.service_url)
        return str(sent.id)

    def close(self) -> None:
        self.portal.close()

    def _unreachable(self, to: Recipient, delivery: Delivery) -> None:
        log.warning("%s <%s> cannot be reached on Teams (%s): marked unreachable", to.name, to.email, delivery.detail)
        mark_unreachable(self.sessions, to.person_id, f"teams: {delivery.detail}")

    def _log(self, reference: Reference, delivery: Delivery) -> None:
        where = reference.conversation_id[:60]
        if delivery.outcome is Outcome.UNCERTAIN:
            log.warning("Teams post to %s may or may not have arrived (%s): not resent", where, delivery.detail)
        elif delivery.outcome is Outcome.CHANNEL_PROBLEM:
            log.error("Teams channel %s refused a post (%s): tell the coordinator", where, delivery.detail)
        else:
            log.warning("Teams post to %s: %s (%s)", where, delivery.outcome.value, delivery.detail)
