"""A stand-in for Teams' connector service (the Bot Framework REST API at an activity's serviceUrl).

A small HTTP server on 127.0.0.1 that records every call the bot makes and answers as Teams does:

- ``POST /v3/conversations/{id}/activities``: a message from the bot; answered ``{"id": ...}``.
- ``GET /v3/conversations/{id}/members/{member}``: a member record (e-mail, UPN, Entra object id),
  for members added with ``add_member``; 404 otherwise, as Teams says for a stranger.
- ``POST /v3/conversations``: a new 1:1 chat; answered with a new conversation id.

``fail(path_part, status)`` makes the next matching calls fail; ``hang(seconds)`` records the next
message and waits before answering, so a client times out after its request went out.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One request as the stand-in received it."""

    method: str
    path: str
    body: Any
    headers: dict[str, str]

    @property
    def conversation_id(self) -> str:
        parts = self.path.split("/")
        return unquote(parts[3]) if len(parts) > 3 else ""


@dataclass
class _Script:
    contains: str
    times: int
    status: int = 500
    hang: float | None = None
    skip: int = 0  # matching requests to let through first


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    scripts: list[_Script] = field(default_factory=list)
    members: dict[str, Json] = field(default_factory=dict)


class FakeConnector:
    """Teams' connector on a loopback port; use as a context manager."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._state = _State()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    def __enter__(self) -> FakeConnector:
        server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_for(self))
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    @property
    def url(self) -> str:
        """The serviceUrl to put in activities, with Teams' trailing slash."""
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/"

    # ------------------------------------------------------------------ scripting

    def add_member(self, member_id: str, *, aad: str, email: str | None, name: str, upn: str | None = None) -> None:
        """A Teams user as the members API describes them (any conversation)."""
        with self._lock:
            self._state.members[member_id] = {
                "id": member_id, "name": name, "aadObjectId": aad, "email": email,
                "userPrincipalName": upn or email, "tenantId": "tenant-1",
            }  # fmt: skip

    def fail(self, contains: str, status: int, times: int = 1, *, skip: int = 0) -> None:
        """Answer ``times`` requests whose path contains ``contains`` (after letting ``skip`` through) with an error."""
        with self._lock:
            self._state.scripts.append(_Script(contains, times, status=status, skip=skip))

    def hang(self, contains: str, seconds: float, times: int = 1) -> None:
        """Record the next matching requests, then wait ``seconds`` before answering."""
        with self._lock:
            self._state.scripts.append(_Script(contains, times, hang=seconds))

    def reset(self) -> None:
        """Forget calls and scripts (members stay)."""
        with self._lock:
            self._state = _State(members=self._state.members)

    # ------------------------------------------------------------------ what happened

    @property
    def calls(self) -> list[Call]:
        with self._lock:
            return list(self._state.calls)

    def messages(self, conversation_id: str | None = None) -> list[Call]:
        """Every message the bot sent (to one conversation, when given), in order."""
        return [
            call
            for call in self.calls
            if call.method == "POST"
            and call.path.endswith("/activities")
            and (conversation_id is None or call.conversation_id == conversation_id)
        ]

    def wait_for(self, condition: Callable[[FakeConnector], Any], timeout: float = 5.0) -> Any:
        deadline = time.monotonic() + timeout
        while True:
            found = condition(self)
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; calls so far: {[(c.method, c.path) for c in self.calls]}")
            time.sleep(0.02)

    # ------------------------------------------------------------------ answering (server threads)

    def _script(self, path: str) -> _Script | None:
        with self._lock:
            for script in self._state.scripts:
                if script.contains in path and script.times > 0:
                    if script.skip:
                        script.skip -= 1
                        return None
                    script.times -= 1
                    return script
        return None

    def _record(self, call: Call) -> None:
        with self._lock:
            self._state.calls.append(call)

    def _member(self, member_id: str) -> Json | None:
        with self._lock:
            return self._state.members.get(member_id)

    def _next_id(self) -> int:
        return next(self._ids)


def _handler_for(connector: FakeConnector) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def _answer(self, method: str) -> None:
            path = urlsplit(self.path).path
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            connector._record(Call(method, path, body, {k.lower(): v for k, v in self.headers.items()}))
            script = connector._script(path)
            if script is not None and script.hang is not None:
                connector._stopping.wait(script.hang)
            elif script is not None:
                self._send(script.status, {"error": {"code": "ScriptedFailure", "message": "scripted"}})
                return
            parts = path.split("/")
            if method == "GET" and len(parts) == 6 and parts[4] == "members":
                member = connector._member(unquote(parts[5]))
                if member is None:
                    self._send(404, {"error": {"code": "MemberNotFoundInConversation", "message": "not a member"}})
                else:
                    self._send(200, member)
            elif method == "POST" and path.rstrip("/") == "/v3/conversations":
                self._send(201, {"id": f"a:created-{connector._next_id()}", "activityId": None})
            elif method in ("POST", "PUT") and "/activities" in path:
                self._send(200, {"id": f"1700000000{connector._next_id():03d}"})
            else:
                self._send(404, {"error": {"code": "NotFound", "message": path}})

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            self._answer("POST")

        def do_PUT(self) -> None:  # noqa: N802
            self._answer("PUT")

        def do_GET(self) -> None:  # noqa: N802
            self._answer("GET")

        def _send(self, status: int, answer: Json) -> None:
            data = json.dumps(answer).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except OSError:
                pass  # the client gave up (a timeout test)

    return Handler
