"""A stand-in for Slack's Web API: a small HTTP server on 127.0.0.1 that records every call.

Point ``SLACK_API_URL`` (or a WebClient's ``base_url``) at ``FakeSlackApi.url``. Every request to
``/api/<method>`` is recorded as a ``Call`` (parameters merged from the query string, a form body
or a JSON body; header names in lower case; ``at`` from ``time.monotonic()``) and answered the way
Slack answers: ``ok: true`` with channel ids and ever-increasing ``ts`` values, or the error it was
told to give with ``fail()``. ``hang()`` records a call and waits before answering, so that a
client times out after its request went out.

Slash commands and buttons carry a ``response_url``; ``response_url()`` gives one that points
here (``/response/<token>``), and ``responses()`` returns what was posted to it.

``reset()`` forgets calls, responses and scripted failures; users added with ``add_user`` stay.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit

Json = dict[str, Any]


@dataclass(frozen=True)
class Call:
    """One Web API request as the fake received it."""

    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    at: float


@dataclass
class _Script:
    """What to do instead of succeeding, for the next ``times`` calls to a method."""

    times: int
    status: int | None = None
    error: str | None = None
    retry_after: int | None = None
    hang: float | None = None


@dataclass(frozen=True)
class _User:
    user_id: str
    email: str
    name: str
    deleted: bool


@dataclass(frozen=True)
class _File:
    file_id: str
    name: str
    content: bytes
    url: str | None  # where files.info says it is; None: served here, at /files/<id>


@dataclass
class _State:
    calls: list[Call] = field(default_factory=list)
    responses: list[Json] = field(default_factory=list)
    scripts: dict[str, list[_Script]] = field(default_factory=dict)
    users: dict[str, _User] = field(default_factory=dict)
    files: dict[str, _File] = field(default_factory=dict)
    downloads: list[tuple[str, str]] = field(default_factory=list)  # (file id, Authorization header)


class _Server(ThreadingHTTPServer):
    request_queue_size = 256  # Slack takes bursts: the stdlib's backlog of 5 resets connections under load


class FakeSlackApi:
    """Slack's Web API on a loopback port; use as a context manager or with start() / stop()."""

    def __init__(self, token: str = "xoxb-0000-test-token") -> None:
        self.token = token  # the bot token downloads must carry
        self._lock = threading.Lock()
        self._state = _State()
        self._ts = itertools.count(100)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # ------------------------------------------------------------------ lifecycle

    def start(self) -> FakeSlackApi:
        """Listen on an ephemeral port in a background thread."""
        handler = _handler_for(self)
        server = _Server(("127.0.0.1", 0), handler)
        server.daemon_threads = True
        server.block_on_close = False
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="fake-slack-api", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop listening; hanging answers are released at once."""
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeSlackApi:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def root(self) -> str:
        """``http://127.0.0.1:<port>`` with no trailing slash."""
        if self._server is None:
            raise RuntimeError("FakeSlackApi is not started")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def url(self) -> str:
        """The Web API's base URL, ending in ``/api/``: use it as SLACK_API_URL."""
        return f"{self.root}/api/"

    # ------------------------------------------------------------------ scripting

    def fail(
        self,
        method: str,
        *,
        status: int | None = None,
        error: str | None = None,
        retry_after: int | None = None,
        times: int = 1,
    ) -> None:
        """Answer the next ``times`` calls to ``method`` with an HTTP status or a Slack error."""
        if status is None and error is None:
            status = 429 if retry_after is not None else None
            error = None if status else "fatal_error"
        with self._lock:
            script = _Script(times, status=status, error=error, retry_after=retry_after)
            self._state.scripts.setdefault(method, []).append(script)

    def hang(self, method: str, seconds: float, times: int = 1) -> None:
        """Record the next ``times`` calls to ``method``, then wait ``seconds`` before answering."""
        with self._lock:
            self._state.scripts.setdefault(method, []).append(_Script(times, hang=seconds))

    def add_user(self, user_id: str, email: str, name: str, deleted: bool = False) -> None:
        """A workspace member, for users.info and users.lookupByEmail."""
        with self._lock:
            self._state.users[user_id] = _User(user_id, email, name, deleted)

    def add_file(self, name: str, content: bytes, *, url: str | None = None) -> str:
        """An uploaded file, for files.info; its bytes are served at ``/files/<id>`` (with the bot token only)
        unless ``url`` says it is elsewhere. Returns its id."""
        file_id = "F" + uuid.uuid4().hex[:10].upper()
        with self._lock:
            self._state.files[file_id] = _File(file_id, name, content, url)
        return file_id

    def downloads(self) -> list[tuple[str, str]]:
        """Every download of a file so far: (file id, the Authorization header it came with)."""
        with self._lock:
            return list(self._state.downloads)

    def reset(self) -> None:
        """Forget calls, responses and scripted failures (users and files stay)."""
        with self._lock:
            users, files = self._state.users, self._state.files
            self._state = _State(users=users, files=files)

    # ------------------------------------------------------------------ what happened

    @property
    def calls(self) -> list[Call]:
        """Every Web API call so far, in order."""
        with self._lock:
            return list(self._state.calls)

    def calls_to(self, method: str) -> list[Call]:
        """The calls to one method, e.g. ``calls_to("chat.postMessage")``."""
        return [call for call in self.calls if call.method == method]

    def response_url(self, token: str | None = None) -> str:
        """A response_url that posts here, as Slack puts in slash commands and button clicks."""
        return f"{self.root}/response/{token or uuid.uuid4().hex}"

    def responses(self) -> list[Json]:
        """Every message posted to a response_url, in order."""
        with self._lock:
            return list(self._state.responses)

    def wait_for(self, condition: Callable[[FakeSlackApi], Any], timeout: float = 5.0) -> Any:
        """Poll until ``condition(self)`` is truthy and return it; fail after ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            found = condition(self)
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting; calls so far: {[c.method for c in self.calls]}")
            time.sleep(0.02)

    # ------------------------------------------------------------------ answering (server threads)

    def _record(self, call: Call) -> _Script | None:
        with self._lock:
            self._state.calls.append(call)
            scripts = self._state.scripts.get(call.method) or []
            if not scripts:
                return None
            script = scripts[0]
            script.times -= 1
            if script.times <= 0:
                scripts.pop(0)
            return script

    def _record_response(self, body: Json) -> None:
        with self._lock:
            self._state.responses.append(body)

    def _sleep(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def _next_ts(self) -> str:
        return f"1700000000.{next(self._ts):06d}"

    def _user(self, user_id: str | None = None, email: str | None = None) -> _User | None:
        with self._lock:
            for user in self._state.users.values():
                if user.user_id == user_id or (email and user.email.lower() == email.lower()):
                    return user
        return None

    def _answer(self, method: str, params: dict[str, Any]) -> Json:
        """Slack's success answer for a method (or the error a real workspace would give)."""
        if method == "auth.test":
            return {
                "ok": True,
                "url": self.root + "/",
                "team": "Test Board",
                "user": "actionbot",
                "team_id": "T0TEST",
                "user_id": "U0BOT",
                "bot_id": "B0BOT",
            }
        if method in ("chat.postMessage", "chat.update", "chat.postEphemeral"):
            channel = str(params.get("channel", ""))
            if channel.startswith(("U", "W")):
                channel = "D" + channel[1:]  # posting to a user id opens the DM with them
            ts = str(params.get("ts") or self._next_ts())
            message = {"type": "message", "text": params.get("text", ""), "ts": ts}
            if method == "chat.postEphemeral":
                return {"ok": True, "message_ts": ts}
            return {"ok": True, "channel": channel, "ts": ts, "message": message}
        if method == "conversations.open":
            return {"ok": True, "channel": {"id": "D" + str(params.get("users", "X"))[1:]}}
        if method.startswith("views."):
            view = params.get("view")
            view = json.loads(view) if isinstance(view, str) else (view or {})
            return {"ok": True, "view": {**view, "id": "V" + uuid.uuid4().hex[:10].upper()}}
        if method == "users.info":
            user = self._user(user_id=str(params.get("user", "")))
            return {"ok": True, "user": _user_json(user)} if user else {"ok": False, "error": "user_not_found"}
        if method == "users.lookupByEmail":
            user = self._user(email=str(params.get("email", "")))
            return {"ok": True, "user": _user_json(user)} if user else {"ok": False, "error": "users_not_found"}
        if method == "files.info":
            with self._lock:
                found = self._state.files.get(str(params.get("file", "")))
            if found is None:
                return {"ok": False, "error": "file_not_found"}
            url = found.url or f"{self.root}/files/{found.file_id}/download/{found.name}"
            info = {"id": found.file_id, "name": found.name, "size": len(found.content), "url_private_download": url}
            return {"ok": True, "file": info}
        if method == "files.getUploadURLExternal":
            file_id = "F" + uuid.uuid4().hex[:10].upper()
            return {"ok": True, "upload_url": f"{self.root}/upload/{file_id}", "file_id": file_id}
        if method == "files.completeUploadExternal":
            files = params.get("files")
            files = json.loads(files) if isinstance(files, str) else (files or [])
            return {"ok": True, "files": [{"id": f.get("id"), "title": f.get("title")} for f in files]}
        return {"ok": True}


def _user_json(user: _User) -> Json:
    return {
        "id": user.user_id,
        "name": user.name.lower().replace(" ", "."),
        "real_name": user.name,
        "deleted": user.deleted,
        "profile": {"email": user.email, "real_name": user.name, "display_name": user.name},
    }


def _params(query: str, content_type: str, body: bytes) -> dict[str, Any]:
    params: dict[str, Any] = dict(parse_qsl(query, keep_blank_values=True))
    if not body:
        return params
    if content_type.startswith("application/json"):
        params.update(json.loads(body.decode("utf-8")))
    elif content_type.startswith("application/x-www-form-urlencoded"):
        params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return params


def _handler_for(api: FakeSlackApi) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
            pass

        def do_GET(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path).path.split("/")
            if len(parts) < 3 or parts[1] != "files":
                self._send(404, b"not found", "text/plain")
                return
            authorization = self.headers.get("Authorization", "")
            with api._lock:
                found = api._state.files.get(parts[2])
                api._state.downloads.append((parts[2], authorization))
            if found is None:
                self._send(404, b"not found", "text/plain")
            elif authorization != f"Bearer {api.token}":
                self._send(200, b"<html>Sign in to Slack</html>", "text/html")  # what Slack does
            else:
                self._send(200, found.content, "application/octet-stream")

        def do_POST(self) -> None:  # noqa: N802 - http.server's naming
            parts = urlsplit(self.path)
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            if parts.path.startswith("/response/"):
                api._record_response(json.loads(body.decode("utf-8") or "{}"))
                self._send(200, b"ok", "text/plain")
            elif parts.path.startswith("/upload/"):
                self._send(200, b"OK - uploaded", "text/plain")
            elif parts.path.startswith("/api/"):
                self._api(parts.path[len("/api/") :], parts.query, body)
            else:
                self._send(404, b"not found", "text/plain")

        def _api(self, method: str, query: str, body: bytes) -> None:
            params = _params(query, self.headers.get("Content-Type", ""), body)
            headers = {name.lower(): value for name, value in self.headers.items()}
            script = api._record(Call(method, params, headers, time.monotonic()))
            if script is not None and script.hang is not None:
                api._sleep(script.hang)
            elif script is not None and script.status is not None:
                extra = {"Retry-After": str(script.retry_after)} if script.retry_after is not None else {}
                answer = {"ok": False, "error": "ratelimited" if script.status == 429 else "server_error"}
                self._send(script.status, json.dumps(answer).encode(), "application/json", extra)
                return
            elif script is not None and script.error is not None:
                self._json({"ok": False, "error": script.error})
                return
            self._json(api._answer(method, params))

        def _json(self, answer: Json) -> None:
            self._send(200, json.dumps(answer).encode(), "application/json; charset=utf-8")

        def _send(self, status: int, body: bytes, kind: str, extra: dict[str, str] | None = None) -> None:
            try:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (extra or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)
            except OSError:
                pass  # the client gave up (a timeout test): nobody is listening any more

    return Handler


@contextmanager
def running() -> Iterator[FakeSlackApi]:
    """A started FakeSlackApi, stopped afterwards."""
    with FakeSlackApi() as api:
        yield api
