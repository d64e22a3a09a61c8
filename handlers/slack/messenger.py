"""SlackMessenger: the chat port (bot.ports.Messenger) for Slack, with every delivery error mapped.

| what Slack said                                          | Outcome         | and                       |
|----------------------------------------------------------|-----------------|---------------------------|
| ok                                                       | SENT            | ts kept as message_id     |
| not_in_channel, channel_not_found, is_archived           | CHANNEL_PROBLEM | logged, flagged in status |
| user_not_found, users_not_found, user_disabled, deleted  | UNDELIVERABLE   | person marked unreachable |
| invalid_auth, token_revoked, account_inactive, ...       | STOPPED         | no further sends, /healthz 503 |
| HTTP 429 after its Retry-After retries, 5xx, refused     | FAILED          | safe to retry later       |
| timeout or reset after the request went out              | UNCERTAIN       | never resent blindly      |
"""

from __future__ import annotations

import http.client
import logging
import urllib.error

from slack_sdk.errors import SlackApiError, SlackClientError
from sqlalchemy.orm import Session, sessionmaker

from bot.identity import keep_chat_id, mark_unreachable
from bot.ports import Delivery, Outcome
from bot.views import Digest, Recipient, View
from handlers.slack import blocks
from handlers.slack.client import CREDENTIAL_ERRORS, GuardedWebClient, SendsStopped, SlackStatus

log = logging.getLogger(__name__)

CHANNEL_ERRORS = frozenset({"not_in_channel", "channel_not_found", "is_archived"})
USER_ERRORS = frozenset({"user_not_found", "users_not_found", "user_disabled"})


DeliveryError = SlackClientError | OSError | http.client.HTTPException
DELIVERY_ERRORS = (SlackClientError, OSError, http.client.HTTPException)


def classify(error: DeliveryError) -> Delivery:
    """What a failed Web API call means for the message."""
    if isinstance(error, SendsStopped):
        return Delivery(Outcome.STOPPED, detail=str(error))
    if isinstance(error, SlackApiError):
        status = error.response.status_code
        data = error.response.data
        code = str((data.get("error") if isinstance(data, dict) else None) or f"HTTP {status}")
        if status == 429:
            return Delivery(Outcome.FAILED, detail="ratelimited")
        if status >= 500:
            return Delivery(Outcome.FAILED, detail=f"HTTP {status}")
        if code in CHANNEL_ERRORS:
            return Delivery(Outcome.CHANNEL_PROBLEM, detail=code)
        if code in USER_ERRORS:
            return Delivery(Outcome.UNDELIVERABLE, detail=code)
        if code in CREDENTIAL_ERRORS:
            return Delivery(Outcome.STOPPED, detail=code)
        return Delivery(Outcome.FAILED, detail=code)
    if isinstance(error, SlackClientError | urllib.error.URLError):
        # urllib wraps what fails while connecting and sending: Slack never got the whole request.
        return Delivery(Outcome.FAILED, detail=f"not sent: {error}")
    # A timeout, reset or broken answer while waiting for Slack's reply: it may have posted. Never resend.
    return Delivery(Outcome.UNCERTAIN, detail=f"no answer: {error!r}")


class SlackMessenger:
    """Sends direct messages and channel posts through Slack's Web API."""

    platform = "slack"

    def __init__(self, client: GuardedWebClient, sessions: sessionmaker[Session], status: SlackStatus) -> None:
        self.client = client
        self.sessions = sessions
        self.status = status

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        """A direct message to one person: by their Slack id, else found by e-mail (and remembered)."""
        user_id = to.slack_user_id
        if not user_id:
            found = self._find_by_email(to)
            if isinstance(found, Delivery):
                return found
            user_id = found
        delivery = self.send_to_user(user_id, view)
        if delivery.outcome is Outcome.UNDELIVERABLE:
            self._unreachable(to, delivery.detail or "undeliverable")
        return delivery

    def send_to_user(self, user_id: str, view: View) -> Delivery:
        """A direct message to a Slack user id: posting to the user id opens the DM."""
        return self._post(user_id, view)

    def post_channel(self, channel: str, view: View) -> Delivery:
        """A post to a channel (only ever the sub-group channel); a refusal is flagged for the coordinator."""
        delivery = self._post(channel, view)
        if delivery.outcome is Outcome.CHANNEL_PROBLEM:
            self.status.channel_problem(channel, delivery.detail or "channel problem")
        elif delivery.sent:
            self.status.channel_ok(channel)
        return delivery

    def channel_problems(self) -> dict[str, str]:
        """Channels that refused a post since start-up (channel id -> Slack's error)."""
        return self.status.channel_problems()

    def _post(self, channel: str, view: View) -> Delivery:
        first: str | None = None
        parts = blocks.messages(view)
        for number, part in enumerate(parts, start=1):
            try:
                answer = self.client.chat_postMessage(channel=channel, text=part["text"], blocks=part["blocks"])
            except DELIVERY_ERRORS as error:
                delivery = classify(error)
                self._log(channel, delivery)
                if first is not None and delivery.outcome is not Outcome.STOPPED:
                    # Earlier parts went out: resending would post them twice, so report, never resend.
                    return Delivery(Outcome.UNCERTAIN, first, f"part {number} of {len(parts)}: {delivery.detail}")
                return delivery
            first = first or str(answer.get("ts"))
        if isinstance(view, Digest):
            self._upload_charts(channel, view, first)
        return Delivery(Outcome.SENT, first)

    def _upload_charts(self, channel: str, digest: Digest, thread: str | None) -> None:
        """Attach each chart in the digest's thread (the channel sees one post); when an upload fails, post its
        words there instead (the digest itself went out)."""
        for number, chart in enumerate(digest.charts, start=1):
            try:
                self.client.files_upload_v2(
                    channel=channel,
                    file=chart.png,
                    filename=f"rag-{digest.week.isoformat()}-{number}.png",
                    title=chart.title,
                    alt_txt=chart.fallback,
                    request_file_info=False,
                    thread_ts=thread,
                )
            except DELIVERY_ERRORS as error:
                log.warning("chart upload to %s failed (%s): posting its words instead", channel, error)
                try:
                    self.client.chat_postMessage(channel=channel, text=blocks.escape(chart.fallback), thread_ts=thread)
                except DELIVERY_ERRORS as fallback_error:
                    log.warning("chart fallback to %s failed too: %s", channel, fallback_error)

    def _find_by_email(self, to: Recipient) -> str | Delivery:
        try:
            user = self.client.users_lookupByEmail(email=to.email)["user"]
        except DELIVERY_ERRORS as error:
            delivery = classify(error)
            self._log(f"<{to.email}>", delivery)
            if delivery.outcome is Outcome.UNDELIVERABLE:
                self._unreachable(to, delivery.detail or "not found")
            return delivery
        if user.get("deleted"):
            self._unreachable(to, "user_disabled")
            return Delivery(Outcome.UNDELIVERABLE, detail="user_disabled")
        keep_chat_id(self.sessions, to.person_id, "slack", user["id"])
        return str(user["id"])

    def _unreachable(self, to: Recipient, detail: str) -> None:
        log.warning("%s <%s> cannot be reached on Slack (%s): marked unreachable", to.name, to.email, detail)
        mark_unreachable(self.sessions, to.person_id, f"slack: {detail}")

    def _log(self, where: str, delivery: Delivery) -> None:
        if delivery.outcome is Outcome.UNCERTAIN:
            log.warning("Slack post to %s may or may not have arrived (%s): not resent", where, delivery.detail)
        elif delivery.outcome is Outcome.FAILED:
            log.warning("Slack post to %s failed (%s): can be retried", where, delivery.detail)
