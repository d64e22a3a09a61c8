"""App Home: opening the bot's Home tab shows the person's own actions (and the chair's summary)."""

from __future__ import annotations

from typing import Any

from slack_bolt import App

from handlers.slack import modals
from handlers.slack.deps import SlackDeps


def register(app: App, deps: SlackDeps) -> None:
    """Listen for app_home_opened (Bolt acknowledges events before the listener runs)."""

    @app.event("app_home_opened")
    def home_opened(event: dict[str, Any], body: dict[str, Any]) -> None:
        if event.get("tab", "home") != "home":
            return
        if not deps.once("event", body.get("event_id")):
            return  # Slack's retry (X-Slack-Retry-Num) or a replay
        user_id = event["user"]
        page = deps.actions.home(deps.identity(user_id))
        deps.client.views_publish(user_id=user_id, view=modals.home_view(page))
