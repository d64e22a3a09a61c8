"""What the Slack listeners need besides the chat controller: the Web API client, answering on a
response_url, opening modals, publishing the App Home, recognising replays. Wired once in
handlers.slack.app and put in each request's Bolt context by ``handlers.slack.listeners.inject``."""

from __future__ import annotations

import copy
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from urllib.parse import urlsplit

from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot.clock import Clock
from bot.requests import first_time
from bot.services import Identity
from bot.views import ActionView, Home, Problem, View
from handlers.slack import blocks, incoming, modals
from handlers.slack.client import GuardedWebClient
from handlers.slack.identity import SlackDirectory
from handlers.slack.messenger import SlackMessenger

log = logging.getLogger(__name__)

RESPONSE_URL_USES = 5  # Slack takes up to five messages on one response_url
SLACK_RESPONSE_HOSTS = frozenset({("https", "hooks.slack.com", 443)})  # where Slack's response_urls point


def _origin(url: str) -> tuple[str, str, int | None] | None:
    """(scheme, host, port) of a URL, the port filled in for http/https; None when it is not a URL."""
    try:
        parts = urlsplit(url)
        port = parts.port or {"https": 443, "http": 80}.get(parts.scheme)
    except ValueError:
        return None
    return (parts.scheme, (parts.hostname or "").lower(), port) if parts.hostname else None


def reply_hosts(api_url: str | None) -> frozenset[tuple[str, str, int | None]]:
    """The origins a reply may be posted to: Slack's response host, and SLACK_API_URL's (a stand-in in tests)."""
    api = _origin(api_url) if api_url else None
    return SLACK_RESPONSE_HOSTS | ({api} if api else set())


@dataclass
class SlackDeps:
    """The Slack helpers every listener uses."""

    sessions: sessionmaker[Session]
    clock: Clock
    client: GuardedWebClient
    directory: SlackDirectory
    messenger: SlackMessenger
    timeout: float
    reply_to: frozenset[tuple[str, str, int | None]] = SLACK_RESPONSE_HOSTS
    _webhook_client: WebhookClient | None = field(default=None, init=False, repr=False)

    def identity(self, user_id: str) -> Identity:
        """The person behind a Slack user id, for the services."""
        return self.directory.identity(user_id)

    def once(self, kind: str, request_id: str | None) -> bool:
        """True the first time a request (trigger id, event id) is seen by any web process; a replay or
        a retry is False. Slack always sends the id; without one there is nothing to recognise."""
        key = self.request_key(kind, request_id)
        return key is None or first_time(self.sessions, key, self.clock.now())

    @staticmethod
    def request_key(kind: str, request_id: str | None) -> str | None:
        """The key a request is recorded under (ActionService.handle_once); None without an id."""
        return f"{kind}:{request_id}" if request_id else None

    def prepare(self, command: cmd.Command) -> cmd.Command:
        """A parsed command without Slack markup in its note, and with an owner:<@U123> mention settled."""
        command = incoming.tidy(command)
        # People in chat: handover:, deputy: and for: may name someone who has not used the bot yet.
        for name in ("handover", "deputy", "person"):
            named = getattr(command, name, None)
            if isinstance(named, cmd.Mention) and named.user_id and named.email is None:
                email = self.directory.email_of(named.user_id)
                if email:
                    command = replace(command, **{name: replace(named, email=email)})  # type: ignore[arg-type]
        # The services match the stored Slack id only; a person who has never used the bot has none
        # yet, so look them up by the e-mail on their Slack profile.
        owner = getattr(command, "owner", None)
        people_named = cmd.ListActions | cmd.AddAction | cmd.EditAction | cmd.Assign  # owner: or assign's @user
        if isinstance(command, people_named) and owner is not None and owner.user_id:
            email = self.directory.email_of(owner.user_id)
            if email:
                return replace(command, owner=cmd.Mention(None, None, email))
        return command

    def respond(self, response_url: str, message: blocks.Message, *, replace_original: bool = False) -> None:
        """Answer on a response_url, ephemerally (only the person sees it). Rate limits are waited out;
        nothing else is retried. An address that is not one of Slack's response hosts (say, a forged
        form's private_metadata) is dropped and logged: nothing is posted to it."""
        if _origin(response_url) not in self.reply_to:
            log.warning("reply dropped: %r is not a Slack response address", response_url[:200])
            return
        client = copy.copy(self._webhook())  # the same settings, for this one address
        client.url = response_url
        body = {**message, "response_type": "ephemeral", "replace_original": replace_original}
        answer = client.send_dict(body)
        if answer.status_code != 200:
            log.warning("response_url answered %s: %s", answer.status_code, answer.body)

    def _webhook(self) -> WebhookClient:
        """A response_url client as built once: building one reads the environment's proxy settings and
        works out a User-Agent, which every reply would otherwise do again."""
        if self._webhook_client is None:
            timeout = int(max(1, self.timeout))
            self._webhook_client = WebhookClient("", timeout=timeout, retry_handlers=[RateLimitErrorRetryHandler()])
        return self._webhook_client

    def answer(self, response_url: str | None, user_id: str, view: View, *, replace_original: bool = False) -> None:
        """Show a view to the person who asked: on the response_url when there is one, else by DM."""
        if response_url is None:
            self.messenger.send_to_user(user_id, view)
            return
        for number, part in enumerate(blocks.within(blocks.messages(view), RESPONSE_URL_USES)):
            self.respond(response_url, part, replace_original=replace_original and number == 0)

    def open_view(self, trigger_id: str, view: blocks.Block) -> bool:
        """Open a modal (the trigger id lives 3 seconds); False when Slack would not."""
        try:
            self.client.views_open(trigger_id=trigger_id, view=view)
        except (SlackClientError, OSError) as error:
            log.warning("views.open failed: %s", error)
            return False
        return True

    def open_form(
        self,
        trigger_id: str,
        form: str,
        action: ActionView | None,
        meta: modals.FormMeta,
        values: Mapping[str, str] | None = None,
    ) -> bool:
        """Open a form for an action (or a review: add), filled in with ``values``."""
        return self.open_view(trigger_id, modals.form_modal(form, action, meta, values))

    def publish_home(self, user_id: str, home: Home | Problem) -> None:
        """Show a person's App Home tab."""
        self.client.views_publish(user_id=user_id, view=modals.home_view(home))
