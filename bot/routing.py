"""One chat port over several platforms: each message goes where its person or channel can be reached.

A board may run Slack and Teams at once on one database. The scheduler's jobs keep one ledger
(the nudge key has no platform in it), so a reminder goes once, on whichever platform carries it.

- **People**: the first platform that says it can reach the person (Teams: a stored 1:1 chat with
  them) carries the message; otherwise the platform that finds people by e-mail (Slack). Nobody
  able to carry it means ``UNDELIVERABLE``, which the digest reports.
- **Channels**: ``teams:<conversation id>`` or a Teams channel id (``19:...@thread...``) go to
  Teams; ``slack:<id>`` or any other id (``C0123ABCD``) to Slack. ``DIGEST_CHANNEL`` names the
  one sub-group channel, in either platform.
"""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.ports import Delivery, Messenger, Outcome
from bot.views import Recipient, View

TEAMS, SLACK = "teams", "slack"


@runtime_checkable
class Reaching(Protocol):
    """A messenger that knows, without sending, whether it can reach a person (Teams: a stored chat)."""

    def reaches(self, to: Recipient) -> bool: ...


def channel_platform(channel: str) -> tuple[str, str]:
    """The platform a channel setting names, and the id on that platform.

    ``teams:19:abc@thread.tacv2`` and ``19:abc@thread.tacv2`` are Teams; ``slack:C0123`` and
    ``C0123`` are Slack.
    """
    prefix, _, rest = channel.partition(":")
    if prefix.lower() in (TEAMS, SLACK) and rest:
        return prefix.lower(), rest
    if channel.startswith("19:") and "@thread" in channel:
        return TEAMS, channel
    return SLACK, channel


def teams_channel(channel: str | None) -> str | None:
    """The Teams conversation id of the sub-group channel, when the setting names a Teams channel."""
    if not channel:
        return None
    platform, conversation = channel_platform(channel)
    return conversation if platform == TEAMS else None


class RoutingMessenger:
    """A Messenger that hands each message to the platform that can carry it."""

    platform = "any"

    def __init__(self, *messengers: Messenger) -> None:
        if not messengers:
            raise ValueError("RoutingMessenger needs at least one messenger")
        self.messengers = messengers
        self._by_platform = {messenger.platform: messenger for messenger in messengers}

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        """A direct message on the platform that can reach the person."""
        messenger = self.messenger_for(to)
        if messenger is None:
            platforms = " or ".join(m.platform for m in self.messengers)
            return Delivery(Outcome.UNDELIVERABLE, detail=f"no chat with them yet on {platforms}")
        return messenger.send_direct(to, view)

    def messenger_for(self, to: Recipient) -> Messenger | None:
        """The messenger that carries messages to a person, or None when none can."""
        for messenger in self.messengers:
            if isinstance(messenger, Reaching) and messenger.reaches(to):
                return messenger
        # A platform that looks people up by e-mail (Slack) tries; it reports them unreachable if it fails.
        return next((m for m in self.messengers if not isinstance(m, Reaching)), None)

    def post_channel(self, channel: str, view: View) -> Delivery:
        """A post to a channel on the platform its id names."""
        platform, conversation = channel_platform(channel)
        messenger = self._by_platform.get(platform)
        if messenger is None:
            return Delivery(
                Outcome.CHANNEL_PROBLEM, detail=f"{channel} is a {platform} channel, and {platform} is not set up"
            )
        return messenger.post_channel(conversation, view)


def messenger_for(slack: Messenger | None = None, teams: Messenger | None = None) -> Messenger:
    """The messenger a process should use: Teams first (people with a Teams chat), then Slack.

    With one platform configured it is that platform's own messenger. The digest ledger is keyed on
    the channel, not the messenger, so adding a platform never posts a week's digest again.
    """
    present = [messenger for messenger in (teams, slack) if messenger is not None]
    if not present:
        raise ValueError("no chat platform is configured: set SLACK_BOT_TOKEN or TEAMS_APP_ID")
    if len(present) == 1:
        return present[0]
    return RoutingMessenger(*present)
