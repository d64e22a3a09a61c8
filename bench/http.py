"""HTTP benchmark: ``/action update`` and ``/action outstanding`` over real HTTP, signed as Slack signs them.

The web process is the production one, ``python -m bot web`` (waitress through
handlers.slack.server.make_server), run as a subprocess on a database of 10,000 actions
(bench.sweep_digest.populate). The baseline, in the same run, is a bare slack-bolt App on the
same make_server in a subprocess of its own: it acks a no-op ``/action`` ("bare ack"), or acks
and answers on the response_url at once ("bare reply"). Slack's side is a receiver in this
process: the Web API (users.info knows everyone's e-mail) and the response_urls, where the
arrival of each reply is timed.

/action acks at once and answers later on the response_url, so each request gives two
latencies: the ack (request sent -> HTTP answer) and the reply (request sent -> reply received),
which is what a person waits for. Concurrency c is c people, each sending a command and waiting
for its answer (the reply, or the ack where none comes) before sending the next. Every cell is
bounded: N requests, no new ones after T seconds, and a bounded wait for each reply.
Statements per command are counted in-process (a before_cursor_execute listener on the app's
engine); peak memory is each server process's VmHWM at the end of its run.

    .venv/bin/python -m bench.http [--quick] [--postgres URL]     (python -m bench runs everything)
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import itertools
import json
import math
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from unittest import mock
from urllib.parse import parse_qsl, urlencode, urlsplit

from sqlalchemy import event

from bench import sweep_digest
from bot import app as bot_app
from bot.config import Settings
from storage import db as storage_db

ROOT = Path(__file__).resolve().parents[1]
SECRET = "bench-signing-secret-0123456789abcdef"
TOKEN = "xoxb-bench"
CHAIR = 1  # populate(): person 1 is the chair, persons 2.. are agency leads owning the actions


@dataclass(frozen=True)
class Plan:
    """How much to measure: database size, concurrencies, requests per cell and the bounds."""

    actions: int
    concurrency: tuple[int, ...]
    requests: dict[str, dict[int, int]]  # command -> concurrency -> requests
    seconds: float  # no new requests after this long in one cell
    reply_wait: float  # seconds at most to wait for a cell's replies


FULL = Plan(
    actions=10_000,
    concurrency=(1, 8, 32),
    requests={"update": {1: 200, 8: 400, 32: 800}, "outstanding": {1: 10, 8: 24, 32: 48}},
    seconds=30.0,
    reply_wait=180.0,
)
QUICK = Plan(
    actions=200,
    concurrency=(1, 4),
    requests={"update": {1: 8, 4: 16}, "outstanding": {1: 3, 4: 6}},
    seconds=10.0,
    reply_wait=30.0,
)


@dataclass
class Row:
    """One line of the table: a measurement, its baseline and the ratio to it."""

    backend: str
    what: str
    actions: int
    concurrency: int | None = None
    requests: int | None = None
    p50_ms: float | None = None
    p99_ms: float | None = None
    per_s: float | None = None
    ratio: float | None = None
    baseline: str | None = None
    statements: int | None = None
    peak_mb: float | None = None
    errors: int | None = None


# ---------------------------------------------------------------------------------------------- Slack's side


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


@dataclass(frozen=True)
class Request:
    text: str
    user_id: str
    token: str  # the response_url's last segment


@dataclass
class Cell:
    """One measurement: acks and (when expected) replies of ``requests`` sent ``concurrency`` at a time."""

    sent: list[float]
    acked: list[float]
    statuses: list[int]
    replies: dict[str, tuple[float, str]]
    tokens: list[str]

    def ack_ms(self) -> list[float]:
        return [(a - s) * 1000 for s, a in zip(self.sent, self.acked, strict=True) if a]

    def reply_ms(self) -> list[float]:
        start = dict(zip(self.tokens, self.sent, strict=True))
        return [(at - start[token]) * 1000 for token, (at, _) in self.replies.items()]


def run_cell(
    url: str, receiver: Receiver, requests: list[Request], concurrency: int, plan: Plan, replies: bool
) -> Cell:
    """``concurrency`` people each send a request (on a new connection, as Slack does) and wait for its ack
    and, when ``replies``, for its reply before sending the next: so at most ``concurrency`` are in the works."""
    parts = urlsplit(url)
    count = len(requests)
    sent, acked, statuses = [0.0] * count, [0.0] * count, [0] * count
    order = iter(range(count))
    lock = threading.Lock()
    stop_at = time.monotonic() + plan.seconds

    def worker() -> None:
        while time.monotonic() < stop_at:
            with lock:
                index = next(order, None)
            if index is None:
                return
            request = requests[index]
            body = urlencode({
                "token": "deprecated", "team_id": "T0BENCH", "team_domain": "bench", "channel_id": "C0BENCH",
                "user_id": request.user_id, "command": "/action", "text": request.text, "api_app_id": "A0BENCH",
                "response_url": f"{receiver.root}/response/{request.token}", "trigger_id": uuid.uuid4().hex,
            }).encode()  # fmt: skip
            headers = {"Content-Type": "application/x-www-form-urlencoded", **sign(body)}
            connection = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port, timeout=60)
            sent[index] = time.perf_counter()
            try:
                connection.request("POST", "/slack/events", body=body, headers=headers)
                answer = connection.getresponse()
                answer.read()
                statuses[index] = answer.status
            except OSError:
                statuses[index] = 0
            finally:
                acked[index] = time.perf_counter()
                connection.close()
            if replies:
                receiver.wait([request.token], plan.reply_wait)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    done = [i for i in range(count) if sent[i]]
    tokens = [requests[i].token for i in done]
    got = receiver.wait(tokens, 0) if replies else {}
    return Cell([sent[i] for i in done], [acked[i] for i in done], [statuses[i] for i in done], got, tokens)


def percentile(values: list[float], share: float) -> float | None:
    """Nearest-rank percentile; None when there is nothing to rank."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def ack_row(backend: str, what: str, plan: Plan, concurrency: int, cell: Cell) -> Row:
    latencies = cell.ack_ms()
    span = max(cell.acked) - min(cell.sent) if cell.sent else 0
    return Row(
        backend, what, plan.actions, concurrency, len(cell.sent),
        p50_ms=_round(statistics.median(latencies)) if latencies else None,
        p99_ms=_round(percentile(latencies, 0.99)),
        per_s=_round(len(latencies) / span) if span else None,
        errors=sum(1 for status in cell.statuses if status != 200),
    )  # fmt: skip


def reply_row(backend: str, what: str, plan: Plan, concurrency: int, cell: Cell, ok: Callable[[str], bool]) -> Row:
    latencies = cell.reply_ms()
    arrived = [at for at, _ in cell.replies.values()]
    span = max(arrived) - min(cell.sent) if arrived else 0
    wrong = sum(1 for _, body in cell.replies.values() if not ok(body))
    return Row(
        backend, what, plan.actions, concurrency, len(cell.sent),
        p50_ms=_round(statistics.median(latencies)) if latencies else None,
        p99_ms=_round(percentile(latencies, 0.99)),
        per_s=_round(len(latencies) / span) if span else None,
        errors=(len(cell.sent) - len(cell.replies)) + wrong,
    )  # fmt: skip


def _round(value: float | None) -> float | None:
    if value is None:
        return None
    return round(value, 2) if value < 100 else round(value, 1)


# ---------------------------------------------------------------------------------------------- the run


@dataclass(frozen=True)
class Board:
    """Who may send what on the populated database."""

    users: dict[str, str]  # Slack user id -> e-mail
    open_actions: list[tuple[str, str]]  # (ref, its owner's Slack user id)


def slack_id(person_id: int) -> str:
    return f"U{person_id:05d}"


def board(actions: int) -> Board:
    """The people and open actions that bench.sweep_digest.populate creates."""
    users = {slack_id(n + 1): f"p{n}@example.org" for n in range(sweep_digest.PEOPLE)}
    open_actions = [
        (f"R{n % 10}-{n}", slack_id(n % (sweep_digest.PEOPLE - 1) + 2)) for n in range(actions) if n % 5 in (0, 1, 2)
    ]
    return Board(users, open_actions)


def populate(url: str, actions: int) -> None:
    """Migrate and fill the database, with due dates around today (the web process runs on the real clock)."""
    engine = storage_db.make_engine(url)
    storage_db.upgrade(engine)
    with mock.patch.object(sweep_digest, "NOW", datetime.now(UTC)):
        sweep_digest.populate(engine, actions)
    engine.dispose()


@contextmanager
def database(backend: str, postgres: str | None, folder: Path) -> Iterator[str]:
    """A throwaway database: a SQLite file, or a schema of its own on PostgreSQL."""
    if backend == "sqlite":
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    url, drop = sweep_digest.postgres_schema(postgres or "")
    try:
        yield url
    finally:
        drop()


def run(backend: str, postgres: str | None, plan: Plan, say: Callable[[str], None] = print) -> list[Row]:
    """Measure the bare Bolt baseline and the web process on one database; the rows of the table."""
    rows: list[Row] = []
    people = board(plan.actions)
    counter = itertools.count()

    def requests(command: str, count: int) -> list[Request]:
        made = []
        for _ in range(count):
            n = next(counter)
            if command == "update":
                ref, owner = people.open_actions[(n * 7919) % len(people.open_actions)]
                made.append(Request(f"update {ref} on-track Progress check {n}: files sampled", owner, f"r{n}"))
            elif command == "outstanding":
                made.append(Request("outstanding", slack_id(CHAIR), f"r{n}"))
            else:
                made.append(Request(command, slack_id(CHAIR), f"r{n}"))
        return made

    with tempfile.TemporaryDirectory() as temp, database(backend, postgres, Path(temp)) as url:
        folder = Path(temp)
        say(f"[{backend}] populating {plan.actions} actions")
        populate(url, plan.actions)
        with Receiver(people.users) as receiver:
            api = f"{receiver.root}/api/"
            bare: dict[tuple[str, int], Row] = {}
            with serving("bare", ["-m", "bench.http", "--serve-bare", "--api", api], {}, folder) as server:
                for concurrency in plan.concurrency:
                    count = plan.requests["update"][concurrency]
                    run_cell(server.url, receiver, requests("noop", min(count, 20)), concurrency, plan, False)  # warm
                    cell = run_cell(server.url, receiver, requests("noop", count), concurrency, plan, False)
                    bare["ack", concurrency] = ack_row(backend, "bare bolt: ack", plan, concurrency, cell)
                    cell = run_cell(server.url, receiver, requests("reply", count), concurrency, plan, True)
                    bare["reply", concurrency] = reply_row(
                        backend, "bare bolt: reply", plan, concurrency, cell, accepts('"ok"')
                    )
                    say(f"[{backend}] bare bolt c={concurrency} done")
                peak = server.peak_mb()
            for row in bare.values():
                row.peak_mb = peak
            rows += [bare["ack", c] for c in plan.concurrency] + [bare["reply", c] for c in plan.concurrency]
            env = {
                "DATABASE_URL": url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": api, "BOT_TIMEZONE": "Europe/London",
            }  # fmt: skip
            app_rows: list[Row] = []
            with serving("web", ["-m", "bot", "web", "--host", "127.0.0.1"], env, folder) as server:
                # Warm up as a running server would be: everyone's e-mail cached, their Slack id stored.
                owners = sorted({owner for _, owner in people.open_actions} | {slack_id(CHAIR)})
                warm = [Request("mine", owner, f"w{next(counter)}") for owner in owners]
                run_cell(server.url, receiver, warm, 8, replace(plan, seconds=120.0), True)
                for command, accepted in (("update", "Update recorded for"), ("outstanding", "Outstanding actions")):
                    for concurrency in plan.concurrency:
                        cell = run_cell(
                            server.url, receiver, requests(command, plan.requests[command][concurrency]),
                            concurrency, plan, True,
                        )  # fmt: skip
                        ack = ack_row(backend, f"/action {command}: ack", plan, concurrency, cell)
                        reply = reply_row(
                            backend, f"/action {command}: reply", plan, concurrency, cell, accepts(accepted)
                        )
                        compare(ack, bare["ack", concurrency])
                        compare(reply, bare["reply", concurrency])
                        app_rows += [ack, reply]
                        say(f"[{backend}] /action {command} c={concurrency} done")
                peak = server.peak_mb()
            statements = count_statements(url, receiver, people)
            for row in app_rows:
                row.peak_mb = peak
                row.statements = statements[row.what.split(":")[0].removeprefix("/action ")]
            rows += app_rows
    return rows


def compare(row: Row, baseline: Row) -> None:
    """Ratio of the median latency to the baseline's at the same concurrency."""
    if row.p50_ms and baseline.p50_ms:
        row.ratio = round(row.p50_ms / baseline.p50_ms, 1)
        row.baseline = f"{baseline.what} {baseline.p50_ms} ms, {baseline.per_s}/s"


def count_statements(url: str, receiver: Receiver, people: Board) -> dict[str, int]:
    """SQL statements per command: the web app in this process, one signed request at a time (medians of 5)."""
    from handlers.slack.app import build_slack
    from handlers.slack.server import ServerThread, make_server, wsgi_app

    settings = replace(
        Settings.from_env({}), database_url=url, slack_bot_token=TOKEN, slack_signing_secret=SECRET,
        slack_api_url=f"{receiver.root}/api/",
    )  # fmt: skip
    bot = bot_app.build(settings)
    slack = build_slack(bot)
    server = ServerThread(make_server(wsgi_app(slack), "127.0.0.1", 0, loop_timeout=0.1)).start()
    seen: list[str] = []
    event.listen(bot.engine, "before_cursor_execute", lambda *args: seen.append(args[2]))
    counts: dict[str, int] = {}
    plan = replace(QUICK, seconds=30.0, reply_wait=30.0)
    try:
        for command in ("update", "outstanding"):
            measured = []
            for n in range(6):
                ref, owner = people.open_actions[n * 31 % len(people.open_actions)]
                text = f"update {ref} on-track Statement count {n}" if command == "update" else "outstanding"
                who = owner if command == "update" else slack_id(CHAIR)
                seen.clear()
                run_cell(server.url, receiver, [Request(text, who, f"s{command}{n}")], 1, plan, True)
                measured.append(settled(seen))
            counts[command] = int(statistics.median(measured[1:]))  # the first also caches who the person is
    finally:
        server.stop()
        slack.close()
        bot.engine.dispose()
    return counts


def settled(seen: list[str], quiet: float = 0.2) -> int:
    """How many statements ran, once none has run for ``quiet`` seconds (the listener has finished)."""
    count = -1
    while count != len(seen):
        count = len(seen)
        time.sleep(quiet)
    return count


def accepts(text: str) -> Callable[[str], bool]:
    """A check that a reply is the one a working command gives."""
    return lambda body: text in body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (in a throwaway schema)")
    parser.add_argument("--serve-bare", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--api", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare:
        serve_bare(args.port, args.api)
        return
    plan = QUICK if args.quick else FULL
    for backend, url in [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else []):
        for row in run(backend, url, plan):
            print(json.dumps(asdict(row)))


if __name__ == "__main__":
    main()
