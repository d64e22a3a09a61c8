"""Socket Mode across Slack's ``disconnect``, against a stand-in Socket Mode server on a loopback port: the
client connects anew, shuts the old socket, and acks the next envelope on the new one; a stop (SIGTERM's
event) closes the connection and returns once the listeners have finished."""

from __future__ import annotations

import base64
import hashlib
import json
import socket
import struct
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from slack_sdk.socket_mode.builtin import internals

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from handlers.slack import socket_mode
from handlers.slack.app import SlackApp, build_slack
from tests.fakes.slack import new_trigger_id, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import POLICE_LEAD

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"  # RFC 6455
WAIT = 15.0  # seconds at most for the client to get somewhere: a bound, not a measurement


class Link:
    """One WebSocket connection from the client, seen from Slack's side."""

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.texts: list[dict[str, Any]] = []
        self.closed = threading.Event()
        self._arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def send(self, message: dict[str, Any]) -> None:
        data = json.dumps(message).encode()
        header = bytes([0x81]) + (
            bytes([len(data)]) if len(data) < 126 else bytes([126]) + struct.pack("!H", len(data))
        )
        self.sock.sendall(header + data)

    def wait_for_text(self, envelope_id: str) -> dict[str, Any]:
        with self._arrived:
            found = self._arrived.wait_for(
                lambda: next((t for t in self.texts if t.get("envelope_id") == envelope_id), None), WAIT
            )
        assert found, f"no ack for {envelope_id}: {self.texts}"
        return found

    def _read(self) -> None:
        try:
            while True:
                first, second = self._exactly(2)
                length = second & 0x7F
                if length == 126:
                    (length,) = struct.unpack("!H", self._exactly(2))
                elif length == 127:
                    (length,) = struct.unpack("!Q", self._exactly(8))
                mask = self._exactly(4) if second & 0x80 else b"\0\0\0\0"
                data = bytes(b ^ mask[i % 4] for i, b in enumerate(self._exactly(length)))
                opcode = first & 0x0F
                if opcode == 0x1:
                    with self._arrived:
                        self.texts.append(json.loads(data))
                        self._arrived.notify_all()
                elif opcode == 0x9:  # ping: pong
                    self.sock.sendall(bytes([0x8A, len(data)]) + data)
                elif opcode == 0x8:
                    break
        except OSError:
            pass
        self.closed.set()

    def _exactly(self, count: int) -> bytes:
        data = b""
        while len(data) < count:
            chunk = self.sock.recv(count - len(data))
            if not chunk:
                raise ConnectionError("closed by the client")
            data += chunk
        return data


class FakeSocketMode:
    """Accepts WebSocket connections (plain ws://, as slack_sdk allows off port 443) and keeps each as a Link."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.links: list[Link] = []
        self._changed = threading.Condition()
        threading.Thread(target=self._accept, daemon=True).start()

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.listener.getsockname()[1]}/link"

    def link(self, number: int) -> Link:
        with self._changed:
            assert self._changed.wait_for(lambda: len(self.links) >= number, WAIT), "the client did not connect"
            return self.links[number - 1]

    def _accept(self) -> None:
        while True:
            try:
                sock, _ = self.listener.accept()
            except OSError:
                return
            request = b""
            while b"\r\n\r\n" not in request:
                request += sock.recv(4096)
            key = next(
                line.split(":", 1)[1].strip()
                for line in request.decode().split("\r\n")
                if line.lower().startswith("sec-websocket-key")
            )
            accept = base64.b64encode(hashlib.sha1((key + GUID).encode()).digest()).decode()
            sock.sendall(
                "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Accept: {accept}\r\n\r\n".encode()
            )
            link = Link(sock)
            link.send({"type": "hello", "num_connections": 1})
            with self._changed:
                self.links.append(link)
                self._changed.notify_all()

    def close(self) -> None:
        self.listener.close()
        for link in self.links:
            link.sock.close()


class _Untimed:
    """The socket module as slack_sdk's Socket Mode internals see it, with connections that never time out."""

    def __getattr__(self, name: str) -> Any:
        return getattr(socket, name)

    @staticmethod
    def create_connection(address: tuple[str, int], timeout: float | None = None, **options: Any) -> socket.socket:
        return socket.create_connection(address, None, **options)


@pytest.fixture
def socket_server() -> Iterator[FakeSocketMode]:
    server = FakeSocketMode()
    yield server
    server.close()


@pytest.fixture
def socket_slack(slack_settings: Settings, clock: FrozenClock) -> Iterator[SlackApp]:
    bot = app.build(slack_settings, clock)
    slack = build_slack(bot, timeout=2.0, socket_mode=True)
    yield slack
    bot.engine.dispose()


def envelope(envelope_id: str, text: str, response_url: str) -> dict[str, Any]:
    payload = {
        "command": "/action", "text": text, "user_id": SLACK_IDS[POLICE_LEAD], "team_id": "T0TEST",
        "response_url": response_url, "trigger_id": new_trigger_id(),
    }  # fmt: skip
    return {"type": "slash_commands", "envelope_id": envelope_id, "payload": payload, "accepts_response_payload": True}


def test_after_slacks_disconnect_the_next_envelope_is_acked_on_the_new_socket(
    board: dict[str, int],
    socket_slack: SlackApp,
    slack_api: FakeSlackApi,
    socket_server: FakeSocketMode,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(socket_mode.PromptClient, "issue_new_wss_url", lambda self: socket_server.url)
    # slack_sdk reads a socket with a 3-second timeout; here, for ever: a client that went on reading the old
    # socket after the reconnect (slack_sdk's own waits out the timeout) would never ack the next envelope.
    monkeypatch.setattr(internals, "socket", _Untimed())
    stop = threading.Event()
    running = threading.Thread(target=socket_mode.run, args=(socket_slack, "xapp-test"), kwargs={"stop": stop})
    running.start()
    try:
        first = socket_server.link(1)
        first.send(envelope("env-1", "show CC-1", slack_api.response_url()))
        first.wait_for_text("env-1")
        first.send({"type": "disconnect", "reason": "refresh_requested"})  # Slack keeps this socket open
        second = socket_server.link(2)
        assert first.closed.wait(WAIT)  # the client let go of the old socket itself
        second.send(envelope("env-2", "show CC-2", slack_api.response_url()))
        assert second.wait_for_text("env-2")["envelope_id"] == "env-2"
        replies = slack_api.wait_for(lambda api: len(api.responses()) == 2 and api.responses())
        assert ["*CC-1*" in shown(replies[0]), "*CC-2*" in shown(replies[1])] == [True, True]
    finally:
        stop.set()
        running.join(WAIT)
    assert not running.is_alive()  # stopped: disconnected, the listeners finished
    assert second.closed.wait(WAIT)
