"""Benchmark: the nudge sweep and the digest build at 1,000 / 10,000 / 100,000 actions.

Each is timed against a bare SELECT of the same rows in the same run, so the ratio says
what the bot adds on top of reading the data, whatever the machine.

    .venv/bin/python -m bench.sweep_digest [--sizes 1000,10000] [--postgres URL] [--repeat 3]

The board has 1,000 people (the sweep sends each of them one message); the sweep's and the
digest's ratios to the bare SELECT, at 100,000 actions, are the figures issue 15 sets (≤ 3×).
``commits_s`` is the sweep's floor for sending exactly once, timed in the same run: one durable commit
per message (its rows marked ``sending`` before the request goes out), with nothing else in it;
``sweep_over_floor`` is the sweep's time over the bare SELECT plus that floor. ``claims_s`` is the other
half of never sending twice: storing the run's claims under their unique key (the same rows, one
statement, committed), timed alone; ``floor_ratio`` is the bare SELECT plus both halves over the bare
SELECT, what no sweep that keeps the ledger's promise can go below.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, delete, event, func, insert, select, text, update

from bot.chat.compose import document
from bot.clock import FrozenClock
from bot.config import Settings
from bot.jobs import Jobs
from bot.jobs.ledger import claimed_by
from bot.ports import Delivery, Outcome
from bot.services import ActionService
from bot.views import Recipient, View
from storage import db as storage_db
from storage.db import insert_ignoring_conflicts
from storage.models import Action, Agency, NudgeSent, Person, Review, ReviewKind, Role, Status

NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)  # a Wednesday, 09:00 in London
PEOPLE = 1000  # people owning actions: the sweep sends each one message


class NullMessenger:
    """Composes each message as every surface does (bot.chat.compose.document: the views of the reminders
    shown are built then), and delivers it instantly: the benchmark measures the bot, not Slack, and not a
    surface's markup."""

    platform = "bench"

    def __init__(self) -> None:
        self.sent = 0

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        document(view)
        self.sent += 1
        return Delivery(Outcome.SENT, message_id=str(self.sent))

    def post_channel(self, channel: str, view: View) -> Delivery:
        return self.send_direct(Recipient(0, channel, channel), view)


def populate(engine: Engine, actions: int) -> None:
    """Reviews, agencies, people and ``actions`` actions with due dates spread around today."""
    today = NOW.date()
    with engine.begin() as connection:
        connection.execute(insert(Review), [
            {"code": f"R{n}", "title": f"Review {n}", "kind": ReviewKind.SCR, "status": "open"} for n in range(10)
        ])  # fmt: skip
        connection.execute(insert(Agency), [{"code": f"a{n}", "name": f"Agency {n}"} for n in range(6)])
        people = [
            {"name": f"Person {n}", "email": f"p{n}@example.org", "role": Role.AGENCY_LEAD, "agency_id": n % 6 + 1}
            for n in range(PEOPLE)
        ]
        people[0]["role"] = Role.CHAIR
        connection.execute(insert(Person), people)
        statuses = [Status.NOT_STARTED, Status.IN_PROGRESS, Status.IN_PROGRESS, Status.COMPLETE, Status.SIGNED_OFF]
        batch = []
        for n in range(actions):
            due = today + timedelta(days=n % 120 - 40)
            batch.append({
                "ref": f"R{n % 10}-{n}", "review_id": n % 10 + 1, "text": f"Action {n}", "plan": "single_agency",
                "agency_id": n % 6 + 1, "owner_id": n % (PEOPLE - 1) + 2, "due": due, "original_due": due,
                "status": statuses[n % 5], "rag": "green", "version": 0,
            })  # fmt: skip
            if len(batch) == 5000:
                connection.execute(insert(Action), batch)
                batch = []
        if batch:
            connection.execute(insert(Action), batch)


def timed(work: Callable[[], Any], repeat: int, before: Callable[[], None] | None = None) -> float:
    """The median wall time of ``repeat`` runs, in seconds."""
    times = []
    for _ in range(repeat):
        if before:
            before()
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def count_statements(engine: Engine, work: Callable[[], Any]) -> int:
    seen = []

    def count(*_: object) -> None:
        seen.append(1)

    event.listen(engine, "before_cursor_execute", count)
    try:
        work()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


def measure(url: str, actions: int, repeat: int) -> dict[str, Any]:
    engine = storage_db.make_engine(url)
    storage_db.upgrade(engine)
    populate(engine, actions)
    sessions = storage_db.make_sessionmaker(engine)
    clock = FrozenClock(NOW)
    settings = replace(Settings.from_env({}), database_url=url, digest_channel="C0BENCH")
    service = ActionService(sessions, clock, settings)
    jobs = Jobs(sessions, clock, settings, service, NullMessenger(), pause=lambda _: None)

    def bare_select() -> None:
        with engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT a.*, r.code, r.title, g.name, p.name, p.email FROM action a "
                    "JOIN review r ON r.id = a.review_id JOIN agency g ON g.id = a.agency_id "
                    "LEFT JOIN person p ON p.id = a.owner_id"
                )
            ).all()

    def durable_commits() -> None:
        """The sweep's floor for sending exactly once: one durable commit per message sent (one person's
        rows marked ``sending`` before the request, with the previous message's outcome), nothing else."""
        with engine.connect() as connection:
            # One row per person messaged: as many commits as the sweep sent messages.
            rows = connection.execute(select(func.min(NudgeSent.id)).group_by(NudgeSent.person_id)).scalars().all()
        for row in rows:
            with engine.begin() as connection:
                connection.execute(update(NudgeSent).where(NudgeSent.id == row).values(attempts=NudgeSent.attempts))

    def clear_ledger() -> None:
        with sessions.begin() as session:
            session.execute(delete(NudgeSent))

    # Interleaved, so a machine busy with other work slows the baseline and the jobs alike.
    runs: dict[str, list[float]] = {"bare": [], "digest": [], "sweep": []}
    for _ in range(repeat):
        runs["bare"].append(timed(bare_select, 1))
        runs["digest"].append(timed(jobs.preview_digest, 1))
        runs["sweep"].append(timed(jobs.sweep, 1, before=clear_ledger))
    baseline, digest, sweep = (statistics.median(runs[name]) for name in ("bare", "digest", "sweep"))
    commits = timed(durable_commits, repeat)
    with sessions() as session:  # the claims of the last sweep, as the sweep stored them (person by person)
        columns = (NudgeSent.key, NudgeSent.kind, NudgeSent.action_id, NudgeSent.person_id)
        claims = [row._asdict() for row in session.execute(select(*columns).order_by(NudgeSent.id))]

    def store_claims() -> None:
        """The sweep's other floor: its claim rows stored under their unique key, one statement, committed."""
        with sessions.begin() as session:
            insert_ignoring_conflicts(session, NudgeSent.__table__, claims, "key",
                                      same=claimed_by(jobs, NOW, uuid.uuid4().hex))  # fmt: skip

    stored = timed(store_claims, repeat, before=clear_ledger) if claims else 0.0
    clear_ledger()
    sweep_statements = count_statements(engine, jobs.sweep)
    digest_statements = count_statements(engine, jobs.preview_digest)
    with sessions() as session:
        claimed = session.scalar(select(text("count(*)")).select_from(NudgeSent))
    engine.dispose()
    return {
        "actions": actions,
        "bare_select_s": round(baseline, 4),
        "digest_s": round(digest, 4),
        "digest_ratio": round(digest / baseline, 1),
        "sweep_s": round(sweep, 4),
        "sweep_ratio": round(sweep / baseline, 1),
        "commits_s": round(commits, 4),
        "sweep_over_floor": round(sweep / (baseline + commits), 1),
        "claims_s": round(stored, 4),
        "floor_ratio": round((baseline + stored + commits) / baseline, 1),
        "sweep_statements": sweep_statements,
        "digest_statements": digest_statements,
        "reminders": claimed,
    }


def postgres_schema(url: str) -> tuple[str, Callable[[], None]]:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    admin = storage_db.make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as connection:
            connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}options=-csearch_path%3D{schema}", drop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--postgres", help="also run on this PostgreSQL URL (a throwaway schema is used)")
    parser.add_argument("--json", default="bench/results/sweep_digest.json")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    rows = []
    backends = [("sqlite", None)] + ([("postgresql", args.postgres)] if args.postgres else [])
    for backend, url in backends:
        for size in sizes:
            if backend == "sqlite":
                with tempfile.TemporaryDirectory() as folder:
                    result = measure(f"sqlite:///{Path(folder) / 'bench.db'}", size, args.repeat)
            else:
                schema_url, drop = postgres_schema(url)  # type: ignore[arg-type]
                try:
                    result = measure(schema_url, size, args.repeat)
                finally:
                    drop()
            rows.append({"backend": backend, **result})
            print_row(rows[-1], header=len(rows) == 1)
    Path(args.json).parent.mkdir(parents=True, exist_ok=True)
    Path(args.json).write_text(json.dumps({"date": date.today().isoformat(), "results": rows}, indent=2))
    print(f"\nwritten to {args.json}")


def print_row(row: dict[str, Any], header: bool) -> None:
    columns = ["backend", "actions", "bare_select_s", "digest_s", "digest_ratio", "sweep_s", "sweep_ratio",
               "commits_s", "sweep_over_floor", "claims_s", "floor_ratio", "sweep_statements", "digest_statements",
               "reminders"]  # fmt: skip
    if header:
        print("  ".join(f"{c:>17}" for c in columns))
    print("  ".join(f"{row[c]!s:>17}" for c in columns), flush=True)


if __name__ == "__main__":
    main()
