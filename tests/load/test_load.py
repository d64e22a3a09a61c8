"""Load: 2,000 signed ``/action update`` requests at concurrency 32 against one web process; the bench runs.

The real WSGI app on waitress (the web command's server code) on a loopback port, on the test
database (SQLite by default, PostgreSQL under TEST_DATABASE_URL). Counts, never timings: every
request is acknowledged with a 200, every reply says the update was recorded, and the database
holds exactly one Update row per accepted request: none lost, none doubled. Exact duplicates
(the same update retyped, each with its own trigger_id) are recorded once.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from handlers.slack.app import SlackApp, build_slack
from handlers.slack.server import ServerThread, make_server, wsgi_app
from storage.models import Action, Agency, Person, Plan, Rag, Review, ReviewKind, Role, Status, Update
from tests.conftest import TEST_DATABASE_URL
from tests.fakes.slack import SECRET, TOKEN, SlackSender
from tests.fakes.slack_api import FakeSlackApi

REQUESTS = 2000
CONCURRENCY = 32
ACTIONS = 300  # the updates are spread over these
OWNERS = 24  # agency leads the fake workspace knows (users.info gives their e-mail)
AGENCIES = 4
DUPLICATED = 20  # further actions, each sent the very same update COPIES times at once
COPIES = 5
WAIT = 150.0  # seconds at most for the listeners to answer everything: a bound, not a measurement


@dataclass(frozen=True)
class Owner:
    email: str
    slack_id: str


def owner(n: int) -> Owner:
    return Owner(f"owner{n}@agency{n % AGENCIES}.example.org", f"U0LOAD{n:03d}")


def owner_of(number: int) -> Owner:
    return owner(number % OWNERS)


def seed_board(db: sessionmaker[Session], owners: list[Owner], code: str, actions: int, lead: str) -> None:
    """One review ``code``, AGENCIES agencies, ``owners`` as agency leads (known by e-mail only) and ``actions``
    open actions, numbered from 1 and shared out among the owners in turn."""
    with db.begin() as session:
        agencies = [Agency(code=f"ag{n}", name=f"Agency {n}") for n in range(AGENCIES)]
        people = [
            Person(name=f"{lead} {n}", email=who.email, role=Role.AGENCY_LEAD, agency=agencies[n % AGENCIES])
            for n, who in enumerate(owners)
        ]
        review = Review(code=code, title=f"SCR Child {code[0]}", kind=ReviewKind.SCR)
        session.add_all([*agencies, *people, review])
        for number in range(1, actions + 1):
            person = people[number % len(people)]
            due = date(2026, 6, 1) + timedelta(days=number % 60)
            session.add(
                Action(
                    ref=f"{code}-{number}", review=review, text=f"Action {number}", plan=Plan.SINGLE_AGENCY,
                    agency=person.agency, owner=person, due=due, original_due=due, status=Status.IN_PROGRESS,
                    rag=Rag.GREEN, version=0,
                )
            )  # fmt: skip


def workspace(owners: list[Owner], lead: str) -> FakeSlackApi:
    """The fake Web API, knowing each owner's Slack id and e-mail (users.info); use it as a context manager."""
    api = FakeSlackApi()
    for n, who in enumerate(owners):
        api.add_user(who.slack_id, who.email, f"{lead} {n}")
    return api


def seed(db: sessionmaker[Session]) -> None:
    """One review, a few agencies, OWNERS agency leads and ACTIONS + DUPLICATED open actions."""
    seed_board(db, [owner(n) for n in range(OWNERS)], "LD", ACTIONS + DUPLICATED, "Owner")


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with workspace([owner(n) for n in range(OWNERS)], "Owner") as api:
        yield api


@pytest.fixture
def web(settings: Settings, clock: FrozenClock, slack_api: FakeSlackApi) -> Iterator[tuple[str, SlackApp]]:
    """One web process: the real app served by waitress with the production thread count."""
    settings = replace(settings, slack_bot_token=TOKEN, slack_signing_secret=SECRET, slack_api_url=slack_api.url)
    bot = app.build(settings, clock)
    slack = build_slack(bot, timeout=5.0)
    server = ServerThread(make_server(wsgi_app(slack), "127.0.0.1", 0, loop_timeout=0.1)).start()
    yield server.url, slack
    server.stop()
    slack.close()
    bot.engine.dispose()


def said(reply: dict) -> str:
    return json.dumps(reply, ensure_ascii=False)


def test_two_thousand_concurrent_updates_are_each_recorded_once(
    web: tuple[str, SlackApp], slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    url, slack = web
    seed(db)
    rng = random.Random(8)
    notes = [f"Load check {n}: audit sample reviewed" for n in range(REQUESTS)]
    requests = [(f"update LD-{number} on-track {note}", owner_of(number).slack_id)
                for note, number in ((note, rng.randint(1, ACTIONS)) for note in notes)]  # fmt: skip
    repeated = [
        (f"update LD-{number} at-risk Waiting for the case files", owner_of(number).slack_id)
        for number in range(ACTIONS + 1, ACTIONS + DUPLICATED + 1)
        for _ in range(COPIES)
    ]
    everything = requests + repeated
    rng.shuffle(everything)
    sender = SlackSender(url, slack_api)

    def send(request: tuple[str, str]) -> int:
        text, user_id = request
        return sender.command(text, user_id).status  # a fresh trigger_id and response_url each time

    with ThreadPoolExecutor(CONCURRENCY) as pool:
        statuses = Counter(pool.map(send, everything))
    assert statuses == Counter({200: len(everything)})  # every request acknowledged: no 5xx, no refusal

    slack_api.wait_for(lambda api: len(api.responses()) >= len(everything), timeout=WAIT)
    slack.close()  # let any listener still running finish before counting
    replies = [said(reply) for reply in slack_api.responses()]
    assert len(replies) == len(everything)
    recorded = [reply for reply in replies if "Update recorded for LD-" in reply]
    already = [reply for reply in replies if "Already recorded" in reply]
    assert len(recorded) + len(already) == len(everything), [r for r in replies if r not in recorded + already][:3]
    assert (len(recorded), len(already)) == (REQUESTS + DUPLICATED, DUPLICATED * (COPIES - 1))

    with db() as session:
        per_note = Counter(
            dict(
                session.execute(
                    select(Update.note, func.count()).where(Update.kind == "update").group_by(Update.note)
                ).all()
            )
        )
        per_action = dict(
            session.execute(
                select(Action.ref, func.count(Update.id))
                .join(Update, Update.action_id == Action.id)
                .where(Update.kind == "update")
                .group_by(Action.ref)
            ).all()
        )
        versions = dict(session.execute(select(Action.ref, Action.version)).all())
    retyped = per_note.pop("Waiting for the case files")
    # Every accepted update is stored exactly once: none lost, none doubled.
    assert {note: count for note, count in per_note.items() if count != 1} == {}
    assert set(per_note) == set(notes)
    # The retyped update is stored once per action however many copies arrived together.
    assert retyped == DUPLICATED
    assert all(per_action[f"LD-{number}"] == 1 for number in range(ACTIONS + 1, ACTIONS + DUPLICATED + 1))
    # Each action's version counts its updates: no two changes were applied on top of the same state.
    assert all(versions[ref] == count for ref, count in per_action.items())


def test_the_bench_command_runs_and_prints_its_ratios(tmp_path: Path) -> None:
    """``python -m bench --quick``: every part runs (PostgreSQL too, under TEST_DATABASE_URL) and gives its ratios."""
    output = tmp_path / "bench.json"
    command = [sys.executable, "-m", "bench", "--quick", "--json", str(output)]
    if TEST_DATABASE_URL:
        command += ["--postgres", TEST_DATABASE_URL]
    done = subprocess.run(command, cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    printed = done.stdout
    backends = ["sqlite"] + (["postgresql"] if TEST_DATABASE_URL else [])
    rows = json.loads(output.read_text())["rows"]
    for backend in backends:
        mine = {row["what"]: row for row in rows if row["backend"] == backend}
        for what in ("/action update: ack", "/action update: reply", "/action outstanding: ack",
                     "/action outstanding: reply", "digest build", "/action outstanding: page 1",
                     "sweep over its exactly-once floor", "exactly-once floor alone"):  # fmt: skip
            assert mine[what]["ratio"] is not None and f"{mine[what]['ratio']}x" in printed, what
        assert any(what.startswith("nudge sweep") and row["ratio"] for what, row in mine.items())
        assert mine["/action update: ack"]["statements"] > 0 and mine["/action update: ack"]["peak_mb"] > 0
        assert any(what.startswith("web memory") and row["peak_mb"] for what, row in mine.items())
        # Every request was acknowledged and answered with the reply a working command gives.
        assert [row["what"] for row in mine.values() if row["errors"]] == []
    assert "ratio to" in printed.splitlines()[0]
