"""The Teams app: the SDK's App with the message, card and install listeners, wired to the bot."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from microsoft_teams.apps import App
from microsoft_teams.apps.events import ErrorEvent
from microsoft_teams.common import ClientOptions

from bot.app import Bot
from bot.chat.controller import ChatController
from bot.ports import Messenger
from bot.routing import messenger_for
from handlers.teams import DEFAULT_TIMEOUT, actions, installs, messages
from handlers.teams.conversations import Conversations
from handlers.teams.deps import TeamsDeps
from handlers.teams.identity import TeamsDirectory
from handlers.teams.messenger import TeamsMessenger, TeamsStatus

log = logging.getLogger(__name__)

TEST_APP_ID = "00000000-0000-4000-8000-000000000b07"  # the bot's id in tests: no Entra app behind it


@dataclass(frozen=True)
class Unauthenticated:
    """FOR TESTS ONLY. Accept activities without Bot Framework's signed token (anyone who can reach the port
    could then act as anyone), and call Teams with ``token()`` instead of a token from Entra."""

    token: Callable[..., str]
    app_id: str = TEST_APP_ID


@dataclass
class TeamsApp:
    """Everything a Teams process needs: the SDK app, the messenger, the listeners' dependencies."""

    bot: Bot
    sdk: App
    messenger: TeamsMessenger
    notifier: Messenger  # Teams, or Teams and Slack: what /action's notices and the jobs send through
    deps: TeamsDeps
    status: TeamsStatus

    def close(self) -> None:
        """Send the notices still queued, then stop the messenger's event loop."""
        self.deps.notices.close()
        self.messenger.close()


def sdk_app(bot: Bot, *, timeout: float = DEFAULT_TIMEOUT, testing: Unauthenticated | None = None) -> App:
    """The SDK's App with the bot's credentials; every option given, so no stray CLIENT_ID in the environment counts."""
    settings = bot.settings
    options: dict[str, Any] = {"client": ClientOptions(timeout=timeout), "tenant_id": settings.teams_tenant_id}
    if testing is None:
        options |= {
            "client_id": settings.teams_app_id,
            "client_secret": settings.teams_app_password,
            "dangerously_allow_unauthenticated_requests": False,  # never from the environment
        }
    else:
        options |= {
            "client_id": testing.app_id,
            "token": testing.token,
            "dangerously_allow_unauthenticated_requests": True,
        }
    return App(**options)


def teams_messenger(
    bot: Bot, *, timeout: float = DEFAULT_TIMEOUT, testing: Unauthenticated | None = None
) -> TeamsMessenger:
    """A messenger for a process without the HTTP listener (the clock, the digest command)."""
    sdk = sdk_app(bot, timeout=timeout, testing=testing)
    messenger = TeamsMessenger(sdk, Conversations(bot.sessions, bot.clock), bot.sessions, timeout=timeout)
    messenger.portal.run(sdk.initialize())
    return messenger


def build_teams(
    bot: Bot,
    *,
    slack: Messenger | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    testing: Unauthenticated | None = None,
) -> TeamsApp:
    """Wire the Teams side of the bot; ``slack`` (when the board uses Slack too) carries notices to Slack people."""
    messenger = teams_messenger(bot, timeout=timeout, testing=testing)
    sdk = messenger.app
    notifier = messenger_for(slack=slack, teams=messenger)
    chat = ChatController(bot.actions, notifier)
    deps = TeamsDeps(chat, bot.sessions, bot.clock, bot.settings, messenger.conversations, TeamsDirectory(bot.sessions))
    messages.register(sdk, deps)
    actions.register(sdk, deps)
    installs.register(sdk, deps)

    @sdk.event("error")
    async def on_error(event: ErrorEvent) -> None:
        # The one place an unexpected error is logged; Teams shows the person that the bot failed.
        log.error("Teams listener failed: %s", event.error, exc_info=event.error)

    return TeamsApp(bot, sdk, messenger, notifier, deps, messenger.status)
