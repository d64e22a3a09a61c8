"""The Slack app: a Bolt App with the /action, button, form and App Home listeners, wired to the bot."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from slack_bolt import App
from slack_bolt.authorization import AuthorizeResult
from slack_sdk.errors import SlackClientError

from bot.app import Bot
from bot.chat.controller import ChatController
from handlers.notices import Notices
from handlers.slack import listeners
from handlers.slack.client import DEFAULT_TIMEOUT, GuardedWebClient, SlackStatus, make_client
from handlers.slack.deps import SlackDeps, reply_hosts
from handlers.slack.identity import SlackDirectory
from handlers.slack.listeners.later import Later, failed
from handlers.slack.messenger import SlackMessenger

log = logging.getLogger(__name__)

# Listeners run after the ack; a slow database holds these, never the ack. Eight keep one process's core busy
# (a listener is mostly Python, holding the GIL): more only contend for the GIL, which is not handed out in
# order, so at 32 concurrent updates 16 threads made the slowest replies wait twice as long for the same
# throughput (bench.http), while the queue in front of the pool is first come, first served.
LISTENER_THREADS = 8


@dataclass
class SlackApp:
    """Everything a Slack process needs: the Bolt app, the client, the messenger and their shared status."""

    bot: Bot
    bolt: App
    client: GuardedWebClient
    status: SlackStatus
    messenger: SlackMessenger
    deps: SlackDeps
    chat: ChatController
    executor: ThreadPoolExecutor
    notices: Notices

    def close(self) -> None:
        """Let running listeners finish, then the notices they queued, then stop their threads."""
        self.executor.shutdown(wait=True)
        self.notices.close()


def build_slack(
    bot: Bot, *, timeout: float = DEFAULT_TIMEOUT, socket_mode: bool = False, status: SlackStatus | None = None
) -> SlackApp:
    """Wire the Slack side of the bot; ``status`` is shared with a scheduler in the same process."""
    status = status or SlackStatus()
    client = make_client(bot.settings, status, timeout=timeout)
    messenger = SlackMessenger(client, bot.sessions, status)
    deps = SlackDeps(bot.sessions, bot.clock, client, SlackDirectory(client), messenger, timeout)
    deps.reply_to = reply_hosts(bot.settings.slack_api_url)
    chat = ChatController(bot.actions, messenger)
    token = bot.settings.slack_bot_token

    def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
        # One workspace, one bot token: no auth.test call on the way to the ack.
        return AuthorizeResult(enterprise_id=enterprise_id, team_id=team_id, user_id=user_id, bot_token=token)

    executor = ThreadPoolExecutor(LISTENER_THREADS, thread_name_prefix="slack-listener")
    notices = Notices("slack-notice")
    with _without_bolts_token_warning():
        bolt = _bolt_app(bot, status, timeout, authorize, executor, socket_mode)
    listeners.register(bolt, chat, deps, Later(executor, notices))
    bolt.error(_error_handler(deps))
    return SlackApp(bot, bolt, client, status, messenger, deps, chat, executor, notices)


def _bolt_app(
    bot: Bot,
    status: SlackStatus,
    timeout: float,
    authorize: Any,
    executor: ThreadPoolExecutor,
    socket_mode: bool,
) -> App:
    return App(
        name="action-tracker",
        # Bolt's own client (per-request copies) carries no token and the same retry policy; our
        # listeners use `client` above, which stops when Slack refuses our credentials.
        client=make_client(bot.settings, status, timeout=timeout, with_token=False),
        authorize=authorize,
        signing_secret=bot.settings.slack_signing_secret or "",
        request_verification_enabled=not socket_mode,
        # Bolt runs only the acks (handlers.slack.listeners.later), on the request thread: the listeners
        # themselves go to `executor` after the ack, so a full pool delays work, never an ack.
        process_before_response=True,
        listener_executor=executor,
    )


class _TokenWarningFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return "`token` will be unused" not in record.getMessage()


@contextmanager
def _without_bolts_token_warning() -> Iterator[None]:
    # Bolt reads SLACK_BOT_TOKEN from the environment by itself and warns that our client (which
    # carries the token from Settings) wins over it: true, intended, and alarming in a log.
    bolt_log = logging.getLogger("slack_bolt.App")
    quiet = _TokenWarningFilter()
    bolt_log.addFilter(quiet)
    try:
        yield
    finally:
        bolt_log.removeFilter(quiet)


def _error_handler(deps: SlackDeps) -> Any:
    def on_error(error: Exception, body: dict[str, Any]) -> None:
        failed(error, body, deps)  # an ack itself failed: Bolt answers 500 and Slack retries

    return on_error


def check_credentials(slack: SlackApp) -> threading.Thread:
    """Ask Slack whether our token works (auth.test) in the background; a refusal stops sends and fails /healthz."""

    def check() -> None:
        try:
            answer = slack.client.auth_test()
            log.info("Slack: connected to %s as %s", answer.get("team"), answer.get("user"))
        except (SlackClientError, OSError) as error:
            log.warning("Slack auth.test failed: %s", error)

    thread = threading.Thread(target=check, name="slack-auth-test", daemon=True)
    thread.start()
    return thread
