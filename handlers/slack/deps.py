"""What the Slack listeners need, wired once in handlers.slack.app and handed to each register()."""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import date

from slack_sdk.errors import SlackClientError
from slack_sdk.http_retry import RateLimitErrorRetryHandler
from slack_sdk.webhook import WebhookClient
from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot.clock import Clock
from bot.errors import UsageError
from bot.requests import first_time
from bot.services import ActionService, Identity
from bot.views import ActionView, Problem, Reply, View
from handlers.slack import blocks, incoming, modals
from handlers.slack.client import GuardedWebClient
from handlers.slack.identity import SlackDirectory
from handlers.slack.messenger import SlackMessenger

log = logging.getLogger(__name__)

RESPONSE_URL_USES = 5  # Slack takes up to five messages on one response_url


@dataclass
class SlackDeps:
    """The services and Slack helpers every listener uses."""

    actions: ActionService
    sessions: sessionmaker[Session]
    clock: Clock
    client: GuardedWebClient
    directory: SlackDirectory
    messenger: SlackMessenger
    timeout: float

    def today(self) -> date:
        return self.actions.today()

    def identity(self, user_id: str) -> Identity:
        """The person behind a Slack user id, for the services."""
        return self.directory.identity(user_id)

    def once(self, kind: str, request_id: str | None) -> bool:
        """True the first time a request (trigger id, event id) is seen by any web process; a replay or
        a retry is False. Slack always sends the id; without one there is nothing to recognise."""
        if not request_id:
            return True
        return first_time(self.sessions, f"{kind}:{request_id}", self.clock.now())

    def run_text(self, text: str, identity: Identity, *, from_slack: bool = True) -> Reply:
        """Parse an /action line and carry it out; a Slack mention in owner: is resolved by e-mail.
        ``from_slack``: the text is a slash command's, escaped by Slack (not our own button's)."""
        parsed = cmd.parse(incoming.from_slack(text) if from_slack else text, self.today())
        if isinstance(parsed, UsageError):
            return Reply(Problem(parsed.message, parsed.hint))
        return self.actions.handle(self._resolve_mentions(incoming.tidy(parsed)), identity)

    def _resolve_mentions(self, command: cmd.Command) -> cmd.Command:
        # owner:<@U123|jo>: the services match the stored Slack id only; a person who has never
        # used the bot has none yet, so look them up by the e-mail on their Slack profile.
        owner = getattr(command, "owner", None)
        if isinstance(command, cmd.ListActions) and owner is not None and owner.user_id:
            email = self.directory.email_of(owner.user_id)
            if email:
                return replace(command, owner=cmd.Mention(None, None, email))
        return command

    def respond(self, response_url: str, message: blocks.Message, *, replace_original: bool = False) -> None:
        """Answer on a response_url, ephemerally (only the person sees it). Rate limits are waited out;
        nothing else is retried."""
        client = WebhookClient(
            response_url, timeout=int(max(1, self.timeout)), retry_handlers=[RateLimitErrorRetryHandler()]
        )
        body = {**message, "response_type": "ephemeral", "replace_original": replace_original}
        answer = client.send_dict(body)
        if answer.status_code != 200:
            log.warning("response_url answered %s: %s", answer.status_code, answer.body)

    def answer(self, response_url: str | None, user_id: str, view: View, *, replace_original: bool = False) -> None:
        """Show a view to the person who asked: on the response_url when there is one, else by DM."""
        if response_url is None:
            self.messenger.send_to_user(user_id, view)
            return
        for number, part in enumerate(blocks.within(blocks.messages(view), RESPONSE_URL_USES)):
            self.respond(response_url, part, replace_original=replace_original and number == 0)

    def notify(self, reply: Reply) -> None:
        """Deliver the messages a command sends to other people (the chair, the owner)."""
        for notice in reply.notices:
            delivery = self.messenger.send_direct(notice.to, notice.view)
            if not delivery.sent:
                log.warning(
                    "notice to %s not delivered: %s %s", notice.to.email, delivery.outcome.value, delivery.detail
                )

    def open_view(self, trigger_id: str, view: blocks.Block) -> bool:
        """Open a modal (the trigger id lives 3 seconds); False when Slack would not."""
        try:
            self.client.views_open(trigger_id=trigger_id, view=view)
        except (SlackClientError, OSError) as error:
            log.warning("views.open failed: %s", error)
            return False
        return True

    def open_form(self, trigger_id: str, form: str, action: ActionView, meta: modals.FormMeta) -> bool:
        """Open the update, done or extend form for an action."""
        return self.open_view(trigger_id, modals.FORMS[form](action, meta))
