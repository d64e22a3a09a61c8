"""Socket Mode: the same app over a WebSocket that the process opens to Slack (SLACK_APP_TOKEN, xapp-...).

No public URL is needed, which suits a board without a web server of its own. Slack still
redelivers what was not acknowledged, so the listeners' replay and retry checks apply here too.
"""

from __future__ import annotations

import logging

from slack_bolt.adapter.socket_mode import SocketModeHandler

from handlers.slack.app import SlackApp

log = logging.getLogger(__name__)


def run(slack: SlackApp, app_token: str) -> None:
    """Connect to Slack and handle requests until the process is stopped."""
    handler = SocketModeHandler(slack.bolt, app_token, web_client=slack.client)
    log.info("Slack app connecting in Socket Mode")
    handler.start()
