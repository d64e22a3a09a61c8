"""The benchmark's servers: a stand-in for Slack's side (Web API and response_urls) and the processes under test."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench"


class Receiver:
    """Slack's Web API and the response_urls on a loopback port; times the arrival of every reply."""

    def __init__(self, users: dict[str, str]) -> None:
        self.users = users  # Slack user id -> e-mail
        self.replies: dict[str, tuple[float, str]] = {}
        self.calls: dict[str, int] = {}
        self._lock = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _receiver_handler(self))
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> Receiver:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def reply(self, token: str, body: str) -> None:
        with self._lock:
            self.replies[token] = (time.perf_counter(), body)
            self._lock.notify_all()

    def call(self, method: str) -> None:
        with self._lock:
            self.calls[method] = self.calls.get(method, 0) + 1

    def wait(self, tokens: list[str], timeout: float) -> dict[str, tuple[float, str]]:
        """The replies to ``tokens`` that arrived within ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        with self._lock:
            while not all(token in self.replies for token in tokens) and time.monotonic() < deadline:
                self._lock.wait(0.1)
            return {token: self.replies[token] for token in tokens if token in self.replies}

    def answer(self, method: str, params: dict[str, Any]) -> dict[str, Any]:
        self.call(method)
        if method == "auth.test":
            return {
                "ok": True,
                "team": "Bench",
                "team_id": "T0BENCH",
                "user": "bot",
                "user_id": "U0BOT",
                "bot_id": "B0",
            }
        if method == "users.info":
            user_id = str(params.get("user", ""))
            if user_id not in self.users:
                return {"ok": False, "error": "user_not_found"}
            email = self.users[user_id]
            return {"ok": True, "user": {"id": user_id, "deleted": False, "profile": {"email": email}}}
        return {"ok": True, "channel": str(params.get("channel", "")), "ts": f"{time.time():.6f}"}


def _receiver_handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            if parts.path.startswith("/response/"):
                receiver.reply(parts.path.rsplit("/", 1)[1], body.decode("utf-8", "replace"))
                answer, kind = b"ok", "text/plain"
            else:
                params: dict[str, Any] = dict(parse_qsl(parts.query))
                if self.headers.get("Content-Type", "").startswith("application/json"):
                    params.update(json.loads(body or b"{}"))
                else:
                    params.update(parse_qsl(body.decode("utf-8", "replace")))
                answer, kind = (
                    json.dumps(receiver.answer(parts.path.rsplit("/", 1)[1], params)).encode(),
                    "application/json",
                )
            self.send_response(200)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

    return Handler


# ---------------------------------------------------------------------------------------------- servers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Server:
    """A web process under test: its URL and process, and its log."""

    name: str
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def peak_mb(self) -> float | None:
        """The process's peak resident memory (VmHWM) so far, in MB."""
        try:
            for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    return round(int(line.split()[1]) / 1024, 1)
        except OSError:
            return None
        return None


@contextmanager
def serving(name: str, argv: list[str], env: dict[str, str], folder: Path) -> Iterator[Server]:
    """Start a server subprocess on a free port, wait until it answers, stop it afterwards."""
    port = free_port()
    log = folder / f"{name}.log"
    base = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "MPLBACKEND": "Agg"}
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, *argv, "--port", str(port)], cwd=ROOT, env={**base, **env}, stdout=out, stderr=out
        )
    server = Server(name, f"http://127.0.0.1:{port}", process, log)
    try:
        deadline = time.monotonic() + 60
        while not _answers(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{name} did not start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        yield server
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _answers(port: int) -> bool:
    try:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
        connection.request("GET", "/healthz")
        connection.getresponse().read()
        connection.close()
        return True
    except OSError:
        return False


def serve_bare(port: int, api_url: str) -> None:
    """The baseline: a bare slack-bolt App with one no-op /action listener, on the web process's server code."""
    from slack_bolt import Ack, App, Respond
    from slack_bolt.adapter.wsgi import SlackRequestHandler
    from slack_sdk import WebClient

    from handlers.slack.server import make_server

    app = App(client=WebClient(token=TOKEN, base_url=api_url), signing_secret=SECRET, token_verification_enabled=False)

    @app.command("/action")
    def action(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        if str(body.get("text", "")).startswith("reply"):
            respond(text="ok", response_type="ephemeral")

    make_server(SlackRequestHandler(app), "127.0.0.1", port).run()  # type: ignore[arg-type]


# ---------------------------------------------------------------------------------------------- load


def sign(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}
