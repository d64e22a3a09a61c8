"""storage.db.insert_ignoring_conflicts: one row or many, a conflict is skipped and the count says what went in."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from storage.db import insert_ignoring_conflicts
from storage.models import NudgeSent, SeenRequest, SendState

NOW = datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def ledger_row(key: str, person_id: int | None = None) -> dict[str, object]:
    return {"key": key, "kind": "nudge", "action_id": None, "person_id": person_id, "platform": "slack",
            "state": SendState.CLAIMED, "attempts": 0, "claimed_at": NOW, "claimed_by": "run",
            "scheduler_id": None}  # fmt: skip


def test_many_rows_skip_the_ones_already_there_and_count_the_rest(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        assert insert_ignoring_conflicts(session, NudgeSent.__table__, ledger_row("a"), "key") == 1
    with db.begin() as session:
        rows = [ledger_row("a"), ledger_row("b"), ledger_row("c"), ledger_row("b")]  # one already there, one twice
        assert insert_ignoring_conflicts(session, NudgeSent.__table__, rows, "key") == 2
    with db() as session:
        stored = session.execute(select(NudgeSent.key, NudgeSent.state, NudgeSent.claimed_at).order_by(NudgeSent.key))
        assert [tuple(row) for row in stored] == [
            ("a", SendState.CLAIMED, NOW), ("b", SendState.CLAIMED, NOW), ("c", SendState.CLAIMED, NOW)
        ]  # fmt: skip


def test_many_rows_go_in_one_statement_whatever_their_number(engine: Engine, db: sessionmaker[Session]) -> None:
    seen: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    for size in (3, 300):
        event.listen(engine, "before_cursor_execute", count)
        with db.begin() as session:
            rows = [ledger_row(f"{size}:{n}") for n in range(size)]
            assert insert_ignoring_conflicts(session, NudgeSent.__table__, rows, "key") == size
        event.remove(engine, "before_cursor_execute", count)
    inserts = [statement for statement in seen if statement.startswith("INSERT")]
    assert len(inserts) == 2 and inserts[0] == inserts[1]  # the same short text for 3 rows and for 300


def test_one_row_says_whether_it_went_in(db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        assert insert_ignoring_conflicts(session, SeenRequest.__table__, {"key": "k", "at": NOW}, "key") == 1
        assert insert_ignoring_conflicts(session, SeenRequest.__table__, {"key": "k", "at": NOW}, "key") == 0


def test_many_rows_store_every_column_as_one_row_at_a_time_does(db: sessionmaker[Session]) -> None:
    """Columns that vary (time stamps, enums, numbers, missing values) and columns alike in every row are
    stored as the one-row INSERT stores them."""
    later = datetime(2026, 4, 2, 17, 30, 5, 123456, tzinfo=UTC)
    varied = [
        {**ledger_row("v1"), "state": SendState.SENDING, "claimed_at": later, "attempts": 2},
        {**ledger_row("v2"), "state": SendState.CLAIMED, "claimed_at": NOW, "attempts": 0},
        {**ledger_row("v3"), "state": SendState.UNCERTAIN, "claimed_at": later, "attempts": 1,
         "kind": "it's \"so\" ✓"},
    ]  # fmt: skip
    with db.begin() as session:
        assert insert_ignoring_conflicts(session, NudgeSent.__table__, varied, "key") == 3
        for row in varied:  # the same rows one at a time, for comparison
            assert insert_ignoring_conflicts(session, NudgeSent.__table__, {**row, "key": "one-" + row["key"]}, "key")
    columns = (NudgeSent.kind, NudgeSent.person_id, NudgeSent.state, NudgeSent.claimed_at, NudgeSent.attempts,
               NudgeSent.platform, NudgeSent.claimed_by)  # fmt: skip
    with db() as session:
        many = session.execute(select(*columns).where(NudgeSent.key.like("v%")).order_by(NudgeSent.key)).all()
        one = session.execute(select(*columns).where(NudgeSent.key.like("one-%")).order_by(NudgeSent.key)).all()
    assert many == one
    assert [row.claimed_at for row in many] == [later, NOW, later]
    assert [row.state for row in many] == [SendState.SENDING, SendState.CLAIMED, SendState.UNCERTAIN]


def test_columns_given_as_the_same_for_every_row_are_stored_in_each(db: sessionmaker[Session]) -> None:
    """``same``: the run's columns, given once, reach every row, many at once and one alone alike."""
    shared = {"platform": "teams", "state": SendState.CLAIMED, "attempts": 0, "claimed_at": NOW,
              "claimed_by": "run-7", "scheduler_id": None}  # fmt: skip
    own = [{"key": f"s{n}", "kind": "nudge", "action_id": None, "person_id": None} for n in range(3)]
    with db.begin() as session:
        assert insert_ignoring_conflicts(session, NudgeSent.__table__, own, "key", same=shared) == 3
        alone = {"key": "alone", "kind": "impact", "action_id": None, "person_id": None}
        assert insert_ignoring_conflicts(session, NudgeSent.__table__, alone, "key", same=shared) == 1
    with db() as session:
        stored = session.execute(
            select(NudgeSent.key, NudgeSent.kind, NudgeSent.platform, NudgeSent.claimed_by, NudgeSent.claimed_at)
            .order_by(NudgeSent.key)
        ).all()  # fmt: skip
    assert [tuple(row) for row in stored] == [
        ("alone", "impact", "teams", "run-7", NOW), ("s0", "nudge", "teams", "run-7", NOW),
        ("s1", "nudge", "teams", "run-7", NOW), ("s2", "nudge", "teams", "run-7", NOW),
    ]  # fmt: skip
