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
import http.client
import itertools
import json
import math
import statistics
import tempfile
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from sqlalchemy import event

from bench.boards import CHAIR, Board, board, database, populate, slack_id
from bench.servers import SECRET, TOKEN, Receiver, serve_bare, serving, sign
from bot import app as bot_app
from bot.config import Settings


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


class Requests:
    """Numbered requests as people send them: updates spread over the open actions, the chair's listings."""

    def __init__(self, people: Board) -> None:
        self.people, self.counter = people, itertools.count()

    def __call__(self, command: str, count: int) -> list[Request]:
        made = []
        for _ in range(count):
            n = next(self.counter)
            if command == "update":
                ref, owner = self.people.open_actions[(n * 7919) % len(self.people.open_actions)]
                made.append(Request(f"update {ref} on-track Progress check {n}: files sampled", owner, f"r{n}"))
            else:
                made.append(Request(command, slack_id(CHAIR), f"r{n}"))
        return made


def run(backend: str, postgres: str | None, plan: Plan, say: Callable[[str], None] = print) -> list[Row]:
    """Measure the bare Bolt baseline and the web process on one database; the rows of the table."""
    people = board(plan.actions)
    requests = Requests(people)
    with tempfile.TemporaryDirectory() as temp, database(backend, postgres, Path(temp)) as url:
        folder = Path(temp)
        say(f"[{backend}] populating {plan.actions} actions")
        populate(url, plan.actions)
        with Receiver(people.users) as receiver:
            api = f"{receiver.root}/api/"
            bare = _bare_rows(backend, plan, receiver, requests, api, folder, say)
            rows = [bare["ack", c] for c in plan.concurrency] + [bare["reply", c] for c in plan.concurrency]
            env = {
                "DATABASE_URL": url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": api, "BOT_TIMEZONE": "Europe/London",
            }  # fmt: skip
            app_rows: list[Row] = []
            with serving("web", ["-m", "bot", "web", "--host", "127.0.0.1"], env, folder) as server:
                # Warm up as a running server would be: everyone's e-mail cached, their Slack id stored.
                owners = sorted({owner for _, owner in people.open_actions} | {slack_id(CHAIR)})
                warm = [Request("mine", owner, f"w{n}") for n, owner in enumerate(owners)]
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
    return rows + app_rows


def _bare_rows(
    backend: str, plan: Plan, receiver: Receiver, requests: Requests, api: str, folder: Path, say: Callable[[str], None]
) -> dict[tuple[str, int], Row]:
    """The baseline: a bare slack-bolt App on the same server, acking (and answering) a no-op /action."""
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
    return bare


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
