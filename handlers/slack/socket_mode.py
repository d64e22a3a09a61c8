"""Socket Mode: the same app over a WebSocket that the process opens to Slack (SLACK_APP_TOKEN, xapp-...).

No public URL is needed, which suits a board without a web server of its own. Slack still
redelivers what was not acknowledged, so the listeners' replay and retry checks apply here too.
"""

from __future__ import annotations

import logging
import threading

from slack_bolt.adapter.socket_mode import SocketModeHandler

from handlers.slack.app import SlackApp
from handlers.slack.server import stop_signal, wait_for

log = logging.getLogger(__name__)


def run(slack: SlackApp, app_token: str, *, stop: threading.Event | None = None) -> None:
    """Connect to Slack and handle requests until SIGTERM (or ``stop``). Then orderly: disconnect (Slack
    redelivers what was not acknowledged), carry out the listeners already acknowledged, and return."""
    stop = stop or stop_signal()
    handler = SocketModeHandler(slack.bolt, app_token, web_client=slack.client)
    log.info("Slack app connecting in Socket Mode")
    handler.connect()
    wait_for(stop)
    handler.close()
    slack.close()
    log.info("Slack app stopped")
