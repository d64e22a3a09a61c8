"""The web process: a WSGI app (POST /slack/events, GET /healthz) served by waitress.

Every request to /slack/events is checked here before Bolt sees it: Slack's v0 signature over
the raw body, and a numeric timestamp within 5 minutes either way. Anything else is a 401 and
nothing runs (slack_sdk raises on a non-numeric timestamp, which Bolt would turn into a 500). A
signed body must then be shaped as Slack sends them (``handlers.slack.shapes``), else a 400.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import signal
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from http import HTTPStatus
from typing import Any

from slack_bolt import App
from slack_bolt.request import BoltRequest
from sqlalchemy import Engine
from waitress import create_server, wasyncore
from waitress.channel import HTTPChannel

from bot.health import health
from handlers.slack import shapes
from handlers.slack.app import SlackApp
from handlers.slack.client import SlackStatus

log = logging.getLogger(__name__)

EVENTS_PATH = "/slack/events"
HEALTH_PATH = "/healthz"
MAX_AGE = 60 * 5  # seconds either way, as Slack recommends
MAX_BODY = 1024 * 1024  # Slack's payloads are a few kilobytes
StartResponse = Callable[..., Any]
Environ = dict[str, Any]


def signature_ok(secret: str | None, body: bytes, timestamp: str | None, signature: str | None, now: float) -> bool:
    """Slack's request signing: ``v0=`` HMAC-SHA256 of ``v0:{timestamp}:{body}``, timestamp fresh."""
    if not secret or not timestamp or not signature:
        return False
    if not (timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    if abs(now - int(timestamp)) > MAX_AGE:
        return False
    base = b"v0:" + timestamp.encode() + b":" + body
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace"))


class SlackWsgi:
    """The WSGI application of the web process."""

    def __init__(
        self,
        bolt: App,
        signing_secret: str | None,
        engine: Engine,
        status: SlackStatus,
        *,
        now: Callable[[], float] = time.time,
    ) -> None:
        self.bolt = bolt
        self.signing_secret = signing_secret
        self.engine = engine
        self.status = status
        self.now = now

    def __call__(self, environ: Environ, start_response: StartResponse) -> Iterable[bytes]:
        path, method = environ.get("PATH_INFO", ""), environ.get("REQUEST_METHOD", "GET")
        if path == HEALTH_PATH and method in ("GET", "HEAD"):
            return self.health(start_response)
        if path != EVENTS_PATH:
            return _send(start_response, 404, b"Not Found")
        if method != "POST":
            return _send(start_response, 405, b"Method Not Allowed", [("Allow", "POST")])
        try:
            length = int(environ.get("CONTENT_LENGTH") or 0)
        except ValueError:
            return _send(start_response, 400, b"Bad Request")
        if length > MAX_BODY:
            return _send(start_response, 413, b"Payload Too Large")
        body = environ["wsgi.input"].read(length) if length > 0 else b""
        timestamp = environ.get("HTTP_X_SLACK_REQUEST_TIMESTAMP")
        signature = environ.get("HTTP_X_SLACK_SIGNATURE")
        if not signature_ok(self.signing_secret, body, timestamp, signature, self.now()):
            log.warning("refused a request to %s: bad or missing signature or timestamp", path)
            return _send(start_response, 401, b"Unauthorized")
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            return _send(start_response, 400, b"Bad Request")
        if shapes.parsed(text, environ.get("CONTENT_TYPE")) is None:
            # Signed, yet not a body Slack sends (broken or deep JSON, a field missing or of the wrong type):
            # Bolt and our listeners would raise on it, which waitress turns into a 500.
            log.warning("refused a signed request to %s that is not shaped as Slack sends them", path)
            return _send(start_response, 400, b"Bad Request")
        request = BoltRequest(body=text, query=environ.get("QUERY_STRING", ""), headers=_headers(environ))
        response = self.bolt.dispatch(request)
        headers = [
            (name, value)
            for name, values in response.headers.items()
            for value in values
            if name.lower() != "content-length"
        ]
        return _send(start_response, response.status, (response.body or "").encode("utf-8"), headers)

    def health(self, start_response: StartResponse) -> Iterable[bytes]:
        """200 when the database answers and Slack has not refused our credentials; else 503 and why."""
        code, answer = health(self.engine, "Slack", self.status.stopped)
        return _send(
            start_response,
            code,
            json.dumps(answer).encode(),
            [("Content-Type", "application/json")],
        )


def _headers(environ: Environ) -> dict[str, str | Sequence[str]]:
    headers: dict[str, str | Sequence[str]] = {
        name[5:].lower().replace("_", "-"): value for name, value in environ.items() if name.startswith("HTTP_")
    }
    for name in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(name):
            headers[name.lower().replace("_", "-")] = environ[name]
    return headers


def _send(
    start_response: StartResponse, status: int, body: bytes, headers: list[tuple[str, str]] | None = None
) -> list[bytes]:
    headers = list(headers or [])
    if not any(name.lower() == "content-type" for name, _ in headers):
        headers.append(("Content-Type", "text/plain; charset=utf-8"))
    headers.append(("Content-Length", str(len(body))))
    start_response(f"{status} {HTTPStatus(status).phrase}", headers)
    return [body]


def wsgi_app(slack: SlackApp) -> SlackWsgi:
    """The web process's WSGI application for a wired Slack app."""
    return SlackWsgi(slack.bolt, slack.bot.settings.slack_signing_secret, slack.bot.engine, slack.status)


Server = Any  # waitress's BaseWSGIServer or MultiSocketServer (waitress has no type hints)
DRAIN = 5.0  # seconds at most for the requests in flight when stopping (an ack takes milliseconds)


def make_server(app: SlackWsgi, host: str, port: int, *, threads: int = 8, loop_timeout: float = 1.0) -> Server:
    """A waitress server for the app (port 0 picks a free one: see ``server_url``)."""
    return create_server(
        app,
        host=host,
        port=port,
        threads=threads,
        ident="action-tracker",
        max_request_body_size=MAX_BODY,
        asyncore_loop_timeout=loop_timeout,
        clear_untrusted_proxy_headers=True,
    )


def server_url(server: Server) -> str:
    """``http://host:port`` where a server listens."""
    host, port = server.getsockname()[:2]
    return f"http://{host}:{port}"


def stop_signal() -> threading.Event:
    """An event set by SIGTERM (how every platform stops a process) or SIGINT (Ctrl-C), from the main thread."""
    stop = threading.Event()

    def on_signal(number: int, _frame: Any) -> None:
        log.info("%s: stopping once the work in flight is done", signal.Signals(number).name)
        stop.set()

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, on_signal)
    return stop


def wait_for(stop: threading.Event) -> None:
    """Block until ``stop`` is set (in short waits, so that the signal handler runs promptly)."""
    while not stop.wait(0.5):
        pass


def serve(
    slack: SlackApp,
    host: str,
    port: int,
    *,
    threads: int = 8,
    stop: threading.Event | None = None,
    started: Callable[[ServerThread], None] | None = None,
) -> None:
    """Serve the Slack app over HTTP until SIGTERM (or ``stop``): the production web process. Then orderly:
    stop taking requests, finish those in flight, carry out the listeners they started, and return."""
    stop = stop or stop_signal()
    server = ServerThread(make_server(wsgi_app(slack), host, port, threads=threads)).start()
    log.info("Slack app listening on %s (POST %s, GET %s)", server.url, EVENTS_PATH, HEALTH_PATH)
    if started is not None:
        started(server)
    wait_for(stop)
    server.drain()
    slack.close()  # the listeners the last requests started, and their notices
    log.info("Slack app stopped")


def _busy(server: Server) -> bool:
    """A request is queued, being answered, or its answer not yet sent."""
    dispatcher = server.task_dispatcher
    with dispatcher.lock:
        if dispatcher.queue or dispatcher.active_count:
            return True
    channels = [channel for channel in list(server._map.values()) if isinstance(channel, HTTPChannel)]
    return any(channel.requests or channel.total_outbufs_len for channel in channels)


class ServerThread:
    """A server running in a background thread, stopped cleanly (tests, and health checks in Socket Mode)."""

    def __init__(self, server: Server) -> None:
        self.server = server
        self.url = server_url(server)
        self._thread = threading.Thread(target=server.run, name="waitress", daemon=True)

    def start(self) -> ServerThread:
        self._thread.start()
        return self

    def drain(self, timeout: float = DRAIN) -> None:
        """Stop accepting connections, let the requests in flight be answered (at most ``timeout`` seconds),
        then stop."""
        server = self.server
        server.trigger.pull_trigger(lambda: wasyncore.dispatcher.close(server))  # the listening socket only
        deadline = time.monotonic() + timeout
        while _busy(server) and time.monotonic() < deadline:
            time.sleep(0.02)
        self.stop()

    def stop(self) -> None:
        """Close the listening socket and open connections from the server's own loop, then wait."""
        server = self.server
        try:
            server.trigger.pull_trigger(lambda: wasyncore.close_all(server._map))
        except OSError:  # EBADF: the loop already closed its trigger, so it is stopping on its own
            log.debug("server loop already closed its trigger")
        self._thread.join(timeout=5)
        server.task_dispatcher.shutdown()
