"""/action update and /action outstanding run a fixed number of SQL statements, however many actions are stored."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.slack.app import SlackApp
from storage.models import Action
from tests.fakes.slack import SlackSender, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import CHAIR, POLICE_LEAD, add_actions

PAT, CHAIR_ID = SLACK_IDS[POLICE_LEAD], SLACK_IDS[CHAIR]
BUDGET = {"sqlite": (6, 5), "postgresql": (5, 4)}  # statements per (/action update, /action outstanding)


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement the engine runs inside the block."""
    seen: list[str] = []

    def record(connection: Any, cursor: Any, statement: str, *args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def run(sender: SlackSender, api: FakeSlackApi, slack: SlackApp, text: str, user_id: str) -> tuple[str, list[str]]:
    """Send /action <text>; what the person saw and the statements it took, from ack to answer."""
    before = len(api.responses())
    with statements(slack.bot.engine) as seen:
        sender.command(text, user_id)
        api.wait_for(lambda a: len(a.responses()) > before)
        slack.executor.submit(lambda: None).result()  # the listener has returned
    return shown(api.responses()[before]), list(seen)


def test_an_update_commits_once_with_its_request_record(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, slack: SlackApp, db: sessionmaker[Session]
) -> None:
    run(sender, slack_api, slack, "mine", PAT)  # first contact remembers the Slack id
    commits: list[str] = []

    def committed(connection: Any) -> None:
        commits.append("commit")

    event.listen(slack.bot.engine, "commit", committed)
    try:
        seen, statements_run = run(sender, slack_api, slack, "update CC-1 at-risk Venue lost", PAT)
    finally:
        event.remove(slack.bot.engine, "commit", committed)
    assert "Update recorded for CC-1" in seen
    # One unit of work: the request's record and the change commit together (or not at all).
    assert len(commits) == 1, statements_run
    assert any("INSERT INTO seen_request" in statement for statement in statements_run)


def count(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(Action)) or 0


def test_statement_counts_do_not_grow_with_the_number_of_actions(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, slack: SlackApp, db: sessionmaker[Session]
) -> None:
    add_actions(db, 1)
    assert count(db) == 5
    # First contact remembers each person's Slack id (a one-off UPDATE): do it before counting.
    run(sender, slack_api, slack, "mine", PAT)
    run(sender, slack_api, slack, "mine", CHAIR_ID)

    seen, update_few = run(sender, slack_api, slack, "update CC-1 at-risk Venue lost", PAT)
    assert "Update recorded for CC-1" in seen
    seen, outstanding_few = run(sender, slack_api, slack, "outstanding", CHAIR_ID)
    assert "*Outstanding actions*: 3 open" in seen

    add_actions(db, 195, start=11)
    assert count(db) == 200
    seen, update_many = run(sender, slack_api, slack, "update CC-1 off-track Venue still lost", PAT)
    assert "Update recorded for CC-1" in seen
    seen, outstanding_many = run(sender, slack_api, slack, "outstanding", CHAIR_ID)
    assert "*Outstanding actions*: 198 open" in seen

    assert len(update_many) == len(update_few), (update_few, update_many)
    assert len(outstanding_many) == len(outstanding_few), (outstanding_few, outstanding_many)
    # For a person already known by their Slack id: BEGIN (a statement on SQLite only), the request's replay
    # record (one INSERT; a read's has no transaction of its own, a change's is in the change's), the
    # person, the action with its waiting extension request and every protected name, and for an update
    # its history row and the action's new state.
    dialect = slack.bot.engine.dialect.name
    assert (len(update_few), len(outstanding_few)) == BUDGET[dialect], (update_few, outstanding_few)
    print(f"\n/action update: {len(update_few)} statements; /action outstanding: {len(outstanding_few)}")
    for statement in update_few + ["----"] + outstanding_few:
        print(" ", " ".join(statement.split())[:300])
