"""Socket Mode: the same app over a WebSocket that the process opens to Slack (SLACK_APP_TOKEN, xapp-...).

No public URL is needed, which suits a board without a web server of its own. Slack still
redelivers what was not acknowledged, so the listeners' replay and retry checks apply here too.

slack_sdk's built-in client, on Slack's ``disconnect`` (Slack asks for one every few hours), opens a
new socket and then closes the old one; but closing waits for the reader thread, which is blocked
reading the old socket until its 3-second timeout, and nothing reads the new socket meanwhile: the
first envelope after every reconnect was acked after 3 s. ``PromptClient`` shuts the old socket down
first, which wakes the reader at once.
"""

from __future__ import annotations

import contextlib
import logging
import socket
import threading
from collections.abc import Callable
from time import time

from slack_bolt import App
from slack_bolt.adapter.socket_mode.base_handler import BaseSocketModeHandler
from slack_bolt.adapter.socket_mode.internals import run_bolt_app, send_response
from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.builtin.connection import Connection
from slack_sdk.socket_mode.request import SocketModeRequest

from handlers.slack.app import SlackApp
from handlers.slack.server import stop_signal, wait_for

log = logging.getLogger(__name__)


class PromptClient(SocketModeClient):
    """The built-in Socket Mode client, whose socket is shut down (not just closed) on a reconnect and on close."""

    def connect(self) -> None:
        old = self.current_session
        if old is not None:
            old.close = _waking(old)  # type: ignore[method-assign]
        super().connect()

    def disconnect(self) -> None:
        if self.current_session is not None:
            _waking(self.current_session)()


def _waking(connection: Connection) -> Callable[[], None]:
    close = connection.close

    def shut_then_close() -> None:
        sock = connection.sock
        if sock is not None:
            with contextlib.suppress(OSError):  # already gone
                sock.shutdown(socket.SHUT_RDWR)  # the blocked recv returns now, and lets go of the socket
        close()

    return shut_then_close


class Handler(BaseSocketModeHandler):
    """Bolt's built-in Socket Mode handler, on ``PromptClient``."""

    def __init__(self, app: App, app_token: str, web_client: WebClient) -> None:
        self.app = app
        self.app_token = app_token
        self.client = PromptClient(app_token=app_token, logger=app.logger, web_client=web_client)
        self.client.socket_mode_request_listeners.append(self.handle)  # type: ignore[arg-type]

    def handle(self, client: SocketModeClient, req: SocketModeRequest) -> None:  # type: ignore[override]
        start = time()
        send_response(client, req, run_bolt_app(self.app, req), start)


def run(slack: SlackApp, app_token: str, *, stop: threading.Event | None = None) -> None:
    """Connect to Slack and handle requests until SIGTERM (or ``stop``). Then orderly: disconnect (Slack
    redelivers what was not acknowledged), carry out the listeners already acknowledged, and return."""
    stop = stop or stop_signal()
    handler = Handler(slack.bolt, app_token, slack.client)
    log.info("Slack app connecting in Socket Mode")
    handler.connect()
    wait_for(stop)
    handler.close()
    slack.close()
    log.info("Slack app stopped")
