"""App Home: opening the bot's Home tab shows the person's own actions (and the chair's summary)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App, BoltContext


def home_opened(event: dict[str, Any], body: dict[str, Any], context: BoltContext) -> None:
    """app_home_opened (Bolt acknowledges events before the listener runs)."""
    if event.get("tab", "home") != "home":
        return
    slack = context["slack"]
    if not slack.once("event", body.get("event_id")):
        return  # Slack's retry (X-Slack-Retry-Num) or a replay
    slack.publish_home(event["user"], context["chat"].home(context["identity"]()))


def register(app: App) -> None:
    """Listen for app_home_opened."""
    app.event("app_home_opened")(home_opened)
