"""Listings against their SQL floor, and the web process's memory under concurrent listings.

- ``/action outstanding`` (first page, the chair's), ``mine`` and ``list`` carried out in-process through
  ActionService (the person looked up, the transaction, the views: what a surface calls), each against
  its **SQL floor** in the same run: the fewest statements that return the same page and counts, as
  Core column rows (outstanding: one GROUP BY for the counts and one LIMIT query for the page; mine and
  list: one COUNT and one LIMIT query). Medians of ``repeat``, the command and its floor interleaved.
- **Peak memory**: the production web process (``python -m bot web``) answering ``concurrency`` chair's
  ``outstanding`` at once over signed HTTP, its VmHWM at the end (bench.http's cell and servers).

    .venv/bin/python -m bench --only listings [--postgres URL]
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, case, func, select

from bench import http, sweep_digest
from bench.boards import CHAIR, board, database, populate, slack_id
from bench.http import Request, Row
from bench.servers import SECRET, TOKEN, Receiver, serving
from bot import commands as cmd
from bot.clock import FrozenClock
from bot.config import Settings
from bot.services import ActionService, Identity, paging, queries
from bot.views import ActionList, Outstanding
from storage import db as storage_db
from storage.models import Action, Agency, Person, Review

SIZES = {"sqlite": (10_000, 150_000), "postgresql": (10_000, 150_000)}
QUICK_SIZES = (300,)
OWNER = "p1@example.org"  # person 2: owns 1 in 199 actions (bench.sweep_digest.populate)


def floor_outstanding(engine: Engine, settings: Settings, today: Any) -> Callable[[], tuple[int, list[Any]]]:
    """The outstanding view's SQL floor: one GROUP BY (counts per review and agency) and one LIMIT query."""
    urgency = paging.Urgency.on(today, settings)
    open_ = Action.status.in_(queries.OPEN)

    def c(column: Any) -> Any:  # the command's byte-wise order (bot.services.paging.bytewise)
        return column.collate("C") if engine.dialect.name == "postgresql" else column

    counts = (
        select(Review.code, Agency.name, func.count(), urgency.count(urgency.overdue), urgency.count(urgency.amber))
        .select_from(Action)
        .join(Review, Review.id == Action.review_id)
        .join(Agency, Agency.id == Action.agency_id)
        .where(open_)
        .group_by(Review.code, Agency.name)
    )
    group_overdue = func.sum(case((urgency.overdue, 1), else_=0)).over(partition_by=(Review.code, Agency.name))
    page = (
        select(Action.ref, Action.text, Action.due, Action.status, Action.rag, Review.code, Agency.name, Person.name)
        .join(Review, Review.id == Action.review_id)
        .join(Agency, Agency.id == Action.agency_id)
        .outerjoin(Person, Person.id == Action.owner_id)
        .where(open_)
        .order_by(group_overdue.desc(), c(Review.code), c(Agency.name), *urgency.order(), c(Action.ref))
        .limit(paging.PAGE_SIZE)
    )

    def run() -> tuple[int, list[Any]]:
        with engine.connect() as connection:
            groups = connection.execute(counts).all()
            return sum(row[2] for row in groups), connection.execute(page).all()

    return run


def floor_listing(engine: Engine, where: Any, order: list[Any]) -> Callable[[], tuple[int, list[Any]]]:
    """A list's SQL floor: one COUNT and one LIMIT query of column rows."""
    page = (
        select(Action.ref, Action.text, Action.due, Action.status, Action.rag, Review.code, Agency.name, Person.name)
        .join(Review, Review.id == Action.review_id)
        .join(Agency, Agency.id == Action.agency_id)
        .outerjoin(Person, Person.id == Action.owner_id)
        .where(where)
        .order_by(*order)
        .limit(paging.PAGE_SIZE)
    )

    def run() -> tuple[int, list[Any]]:
        with engine.connect() as connection:
            total = connection.scalar(select(func.count()).select_from(Action).where(where)) or 0
            return total, connection.execute(page).all()

    return run


def median_ms(work: Callable[[], Any], floor: Callable[[], Any], repeat: int) -> tuple[float, float]:
    """Median wall times (ms) of the command and its floor, run in turns after one warm-up each."""
    work(), floor()
    ours, theirs = [], []
    for _ in range(repeat):
        for times, job in ((ours, work), (theirs, floor)):
            start = time.perf_counter()
            job()
            times.append((time.perf_counter() - start) * 1000)
    return statistics.median(ours), statistics.median(theirs)


def measure(backend: str, url: str, actions: int, repeat: int) -> list[Row]:
    """outstanding, mine and list on ``actions`` actions, each with its floor; table rows."""
    engine = storage_db.make_engine(url)
    storage_db.upgrade(engine)
    sweep_digest.populate(engine, actions)
    sessions = storage_db.make_sessionmaker(engine)
    settings = replace(Settings.from_env({}), database_url=url)
    service = ActionService(sessions, FrozenClock(sweep_digest.NOW), settings)
    today = service.today()
    chair, owner = Identity("console", email="p0@example.org"), Identity("console", email=OWNER)
    with sessions() as session:
        owner_id = session.scalar(select(Person.id).where(Person.email == OWNER))

    def check(reply: Any, kind: type, total: int) -> None:
        assert isinstance(reply.view, kind) and reply.view.total == total, reply.view

    outstanding_floor = floor_outstanding(engine, settings, today)
    total, page = outstanding_floor()
    shown = service.handle(cmd.Outstanding(), chair)
    check(shown, Outstanding, total)
    assert [v.ref for g in shown.view.groups for v in g.actions] == [row.ref for row in page]  # the same page
    cases = [
        ("outstanding", lambda: service.handle(cmd.Outstanding(), chair), outstanding_floor),
        ("mine", lambda: service.handle(cmd.Mine(), owner),
         floor_listing(engine, (Action.owner_id == owner_id) & Action.status.notin_(queries.CLOSED),
                       [Action.due, Action.id])),
        ("list", lambda: service.handle(cmd.ListActions(), owner),
         floor_listing(engine, Action.id.is_not(None), [Action.due, Review.code, Action.id])),
    ]  # fmt: skip
    rows = []
    for what, work, floor in cases:
        reply = work()
        assert isinstance(reply.view, ActionList | Outstanding), reply.view
        ours, floor_ms = median_ms(work, floor, repeat)
        statements = count_statements(engine, work)
        floor_row = Row(backend, f"SQL floor: {what} page 1", actions, p50_ms=_round(floor_ms), ratio=1.0)
        row = Row(backend, f"/action {what}: page 1", actions, p50_ms=_round(ours), ratio=round(ours / floor_ms, 1),
                  baseline=f"SQL floor {_round(floor_ms)} ms", statements=statements)  # fmt: skip
        rows += [floor_row, row]
    engine.dispose()
    return rows


def count_statements(engine: Engine, work: Callable[[], Any]) -> int:
    return sweep_digest.count_statements(engine, work)


def memory(backend: str, postgres: str | None, actions: int, concurrency: int, count: int) -> Row:
    """The web process's peak RSS after ``count`` chair's outstanding, ``concurrency`` at a time, over HTTP."""
    people = board(actions)
    plan = replace(http.FULL, actions=actions, seconds=120.0, reply_wait=300.0)
    with tempfile.TemporaryDirectory() as temp, database(backend, postgres, Path(temp)) as url:
        populate(url, actions)
        with Receiver(people.users) as receiver:
            env = {
                "DATABASE_URL": url, "SLACK_BOT_TOKEN": TOKEN, "SLACK_SIGNING_SECRET": SECRET,
                "SLACK_API_URL": f"{receiver.root}/api/", "BOT_TIMEZONE": "Europe/London",
            }  # fmt: skip
            with serving("web", ["-m", "bot", "web", "--host", "127.0.0.1"], env, Path(temp)) as server:
                http.run_cell(server.url, receiver, [Request("mine", slack_id(CHAIR), "warm")], 1, plan, True)
                requests = [Request("outstanding", slack_id(CHAIR), f"m{n}") for n in range(count)]
                cell = http.run_cell(server.url, receiver, requests, concurrency, plan, True)
                peak = server.peak_mb()
    row = http.reply_row(backend, f"web memory: {concurrency} outstanding", plan, concurrency, cell,
                         http.accepts("Outstanding actions"))  # fmt: skip
    row.peak_mb = peak
    return row


def rows(backend: str, postgres: str | None, quick: bool, say: Callable[[str], None]) -> list[Row]:
    """Every listing measurement on one backend: the floors at each size, then memory at 10,000 actions."""
    result: list[Row] = []
    for actions in QUICK_SIZES if quick else SIZES[backend]:
        repeat = 3 if quick else (15 if actions <= 10_000 else 5)
        with tempfile.TemporaryDirectory() as temp, database(backend, postgres, Path(temp)) as url:
            result += measure(backend, url, actions, repeat)
        say(f"[{backend}] listings at {actions} actions done")
    concurrency, count = (4, 8) if quick else (32, 96)
    result.append(memory(backend, postgres, QUICK_SIZES[0] if quick else 10_000, concurrency, count))
    say(f"[{backend}] memory under {concurrency} concurrent listings done")
    return result


def _round(value: float) -> float:
    return round(value, 2) if value < 100 else round(value, 1)


if __name__ == "__main__":
    for row in rows(sys.argv[1] if len(sys.argv) > 1 else "sqlite", None, True, print):
        print(row)
