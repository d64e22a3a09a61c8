"""Recording chat ports: messengers that keep what they were asked to send, for tests of the routing rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.ports import Delivery, Outcome
from bot.views import Recipient, View


@dataclass
class Recording:
    platform: str
    reachable: set[int] | None = None  # None: finds people by e-mail (no `reaches`)
    sent: list[tuple[str, str]] = field(default_factory=list)

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        self.sent.append(("dm", to.email))
        return Delivery(Outcome.SENT, f"{self.platform}-1")

    def post_channel(self, channel: str, view: View) -> Delivery:
        self.sent.append(("channel", channel))
        return Delivery(Outcome.SENT, f"{self.platform}-1")


class ReachingRecording(Recording):
    def reaches(self, to: Recipient) -> bool:
        return to.person_id in (self.reachable or set())
