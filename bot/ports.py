"""The chat port: how the core sends messages without knowing which platform carries them."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Protocol

from bot.views import Recipient, View


class Outcome(enum.Enum):
    SENT = "sent"
    FAILED = "failed"  # definitely not delivered (429 after waiting, 5xx, refused): retry later
    UNCERTAIN = "uncertain"  # may have been delivered (timeout after sending): never blindly resend
    UNDELIVERABLE = "undeliverable"  # the person cannot be reached (unknown, deactivated, no chat id)
    CHANNEL_PROBLEM = "channel_problem"  # not in channel, channel not found, archived: tell the coordinator
    STOPPED = "stopped"  # the platform refused our credentials: stop all sends


@dataclass(frozen=True)
class Delivery:
    """What became of one message."""

    outcome: Outcome
    message_id: str | None = None  # Slack's ts, Teams' activity id
    detail: str | None = None  # the platform's error, for the ledger and the coordinator

    @property
    def sent(self) -> bool:
        return self.outcome is Outcome.SENT


class Messenger(Protocol):
    """A chat platform, as the core sees it: send to a person, post to a channel."""

    platform: str

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        """A direct message to one person."""
        ...

    def post_channel(self, channel: str, view: View) -> Delivery:
        """A message to a channel (only ever the configured sub-group channel)."""
        ...


class NoMessenger:
    """A chat port that sends nothing: for printing the digest where no platform is configured."""

    platform = "none"

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        return Delivery(Outcome.FAILED, detail="no chat platform is configured")

    def post_channel(self, channel: str, view: View) -> Delivery:
        return Delivery(Outcome.FAILED, detail="no chat platform is configured")
