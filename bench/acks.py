"""The ack of a cheap command while slow ones are in flight: ``python -m bench --only acks``.

The production web process (``python -m bot web``) on 10,000 actions, as in bench.http. Slow work is
``/action outstanding`` by the chair: N people each send one, wait for its reply on the response_url
and send the next, so N are in the works at any moment (16, 32, 64). Meanwhile one person sends
``/action help`` after ``help`` and the time to each HTTP answer (the ack) is what is measured:
p50, p99, and how many were not a 200 (Bolt answers 404 to an ack that came too late). The baseline,
in the same run and process, is the same cheap ack with nothing in flight.

    .venv/bin/python -m bench.acks [--quick] [--postgres URL]     (python -m bench --only acks)
"""

from __future__ import annotations

import argparse
import itertools
import json
import statistics
import tempfile
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from bench.boards import CHAIR, Board, board, database, populate, slack_id
from bench.http import QUICK, Cell, Request, Row, compare, percentile, run_cell
from bench.servers import SECRET, TOKEN, Receiver, serving


@dataclass(frozen=True)
class AckPlan:
    actions: int
    in_flight: tuple[int, ...]
    cheap: int  # cheap commands timed per level
    reply_wait: float  # seconds at most for the slow commands still in the works to finish between levels


FULL = AckPlan(actions=10_000, in_flight=(16, 32, 64), cheap=200, reply_wait=300.0)
QUICK_ACKS = AckPlan(actions=200, in_flight=(16, 32, 64), cheap=30, reply_wait=60.0)


class Slow:
    """N people each keeping one slow command in the works (send, wait for its reply, send again) until stopped."""

    def __init__(self, url: str, receiver: Receiver, people: int, counter: itertools.count[int]) -> None:
        self.url, self.receiver, self.counter = url, receiver, counter
        self.stop = threading.Event()
        self.sent: list[str] = []
        self.statuses: list[int] = []
        self._lock = threading.Lock()
        self._threads = [threading.Thread(target=self._person, daemon=True) for _ in range(people)]
        self._started = threading.Barrier(people + 1)

    def __enter__(self) -> Slow:
        for thread in self._threads:
            thread.start()
        self._started.wait()  # every person's first slow command has been acked
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self._threads:
            thread.join()

    def _person(self) -> None:
        plan = replace(QUICK, seconds=600.0, reply_wait=600.0)
        first = True
        while not self.stop.is_set():
            token = f"slow{next(self.counter)}"
            cell = run_cell(self.url, self.receiver, [Request("outstanding", slack_id(CHAIR), token)], 1, plan, False)
            with self._lock:
                self.sent.append(token)
                self.statuses += cell.statuses
            if first:
                self._started.wait()
                first = False
            self.receiver.wait([token], plan.reply_wait)


def cheap_acks(url: str, receiver: Receiver, who: str, count: int, counter: itertools.count[int]) -> Cell:
    """``count`` cheap commands one after another; their acks as a cell."""
    plan = replace(QUICK, seconds=600.0)
    requests = [Request("help", who, f"cheap{next(counter)}") for _ in range(count)]
    return run_cell(url, receiver, requests, 1, plan, False)


def row(backend: str, what: str, actions: int, in_flight: int | None, cell: Cell) -> Row:
    latencies = cell.ack_ms()
    return Row(
        backend, what, actions, in_flight, len(latencies),
        p50_ms=round(statistics.median(latencies), 1) if latencies else None,
        p99_ms=round(percentile(latencies, 0.99) or 0, 1) if latencies else None,
        errors=sum(1 for status in cell.statuses if status != 200),
    )  # fmt: skip


def run(backend: str, postgres: str | None, plan: AckPlan, say: Callable[[str], None] = print) -> list[Row]:
    """The idle ack, then the ack under each number of slow commands in flight: the rows of the table."""
    people: Board = board(plan.actions)
    counter = itertools.count()
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as temp, database(backend, postgres, Path(temp)) as url:
        say(f"[{backend}] acks: populating {plan.actions} actions")
        populate(url, plan.actions)
        with Receiver(people.users) as receiver:
            env = {
                "DATABASE_URL": url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": f"{receiver.root}/api/", "BOT_TIMEZONE": "Europe/London",
            }  # fmt: skip
            with serving("web-acks", ["-m", "bot", "web", "--host", "127.0.0.1"], env, Path(temp)) as server:
                lead = people.open_actions[0][1]
                warm = [Request("mine", who, f"w{n}") for n, who in enumerate([lead, slack_id(CHAIR)])]
                run_cell(server.url, receiver, warm, 1, replace(QUICK, seconds=120.0, reply_wait=120.0), True)
                idle = row(backend, "cheap ack, nothing in flight", plan.actions, 0,
                           cheap_acks(server.url, receiver, lead, plan.cheap, counter))  # fmt: skip
                rows.append(idle)
                say(f"[{backend}] acks: idle done")
                for in_flight in plan.in_flight:
                    with Slow(server.url, receiver, in_flight, counter) as slow:
                        cell = cheap_acks(server.url, receiver, lead, plan.cheap, counter)
                    measured = row(backend, f"cheap ack, {in_flight} outstanding in flight", plan.actions,
                                   in_flight, cell)  # fmt: skip
                    measured.errors = (measured.errors or 0) + sum(1 for status in slow.statuses if status != 200)
                    compare(measured, idle)
                    measured.baseline = f"{idle.what}: p50 {idle.p50_ms} ms, p99 {idle.p99_ms} ms"
                    rows.append(measured)
                    receiver.wait(slow.sent, plan.reply_wait)  # the next level starts with nothing in the works
                    say(f"[{backend}] acks: {in_flight} in flight done")
                peak = server.peak_mb()
    for measured in rows:
        measured.peak_mb = peak
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="a small smoke run")
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (in a throwaway schema)")
    args = parser.parse_args()
    plan = QUICK_ACKS if args.quick else FULL
    for backend, url in [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else []):
        for measured in run(backend, url, plan):
            print(json.dumps(asdict(measured)))


if __name__ == "__main__":
    main()
