"""Events: opening the bot's Home tab shows the person's own actions (and the chair's summary); the bot
removed from the sub-group channel tells the coordinators."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext

from handlers.slack.listeners.later import Later


def home_opened(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """app_home_opened (acknowledged before the listener runs)."""
    if event.get("tab", "home") != "home":
        return
    slack = context["slack"]
    if not slack.once("event", body.get("event_id")):
        return  # Slack's retry (X-Slack-Retry-Num) or a replay
    slack.publish_home(event["user"], context["chat"].home(context["identity"]()))


def left_channel(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """channel_left / group_left: the bot was removed from a public or private channel."""
    if context["slack"].once("event", body.get("event_id")):
        context["chat"].digest_channel_lost(str(event.get("channel", "")))


def register(app: App, later: Later) -> None:
    """Listen for app_home_opened, and for the bot leaving a channel."""
    app.event("app_home_opened")(later.event(home_opened))
    app.event("channel_left")(later.event(left_channel))
    app.event("group_left")(later.event(left_channel))
