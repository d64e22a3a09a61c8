"""All-or-nothing import, on whichever database the suite runs (CI runs it on SQLite and PostgreSQL).

A board's sheet with many good rows and one bad one writes nothing at all: not the good rows before
it, not the people and agencies they name, not the review's existing actions. Checked with the bad
row first, in the middle and last.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.plans import SheetRejected, import_plan
from storage.models import Base, Review, ReviewKind

HEADER = "Ref,Review,Action,Lead Agency,Lead Officer,Officer Email,Target Date,Status,RAG,Progress\n"
GOOD = [
    "CC-{n},CC,Action {n}: audit strategy discussions,Children's Social Care,Tom Okafor,"
    "tom.okafor@csc.example.org,30/06/2015,In progress,Amber,Audit {n} under way\n",
    "CC-{n},CC,Action {n}: refresh bruising protocol training,North Bristol NHS Trust,Dr Rachel Greaves,"
    "rachel.greaves@nbt.example.org,31/03/2015,Not started,,\n",
    "CC-{n},CC,Action {n}: add fathers to assessments,Avon and Somerset Police,DI Sam Patel,"
    "sam.patel@police.example.org,30/09/2015,Complete,Blue,Done\n",
]
BAD = {
    "a date that does not exist": "CC-{n},CC,Action {n},Children's Social Care,Tom Okafor,tom.okafor@csc.example.org,"
    "31/02/2015,In progress,Green,\n",
    "an unknown status": "CC-{n},CC,Action {n},Children's Social Care,Tom Okafor,tom.okafor@csc.example.org,"
    "30/06/2015,Finished,Green,\n",
    "an NHS number in the progress": "CC-{n},CC,Action {n},Children's Social Care,Tom Okafor,"
    "tom.okafor@csc.example.org,30/06/2015,In progress,Green,Seen: 943.476.5919\n",
}


def dump(db: sessionmaker[Session]) -> dict[str, list[tuple[Any, ...]]]:
    with db.begin() as session:
        return {
            table.name: [tuple(row) for row in session.execute(select(table).order_by(*table.primary_key.columns))]
            for table in Base.metadata.sorted_tables
        }


def sheet(tmp_path: Path, bad: str, at: int, rows: int = 30) -> Path:
    lines = [GOOD[n % len(GOOD)].format(n=n + 1) for n in range(rows)]
    lines.insert(at, bad.format(n=rows + 1))
    path = tmp_path / "plan.csv"
    path.write_text(HEADER + "".join(lines), encoding="utf-8")
    return path


@pytest.fixture
def board(db: sessionmaker[Session], clock: FrozenClock, tmp_path: Path) -> datetime:
    """Review CC with three actions already imported."""
    with db.begin() as session:
        session.add(Review(code="CC", title="SCR Child C", kind=ReviewKind.SCR))
    first = tmp_path / "first.csv"
    first.write_text(HEADER + "".join(GOOD[n].format(n=n + 1) for n in range(3)), encoding="utf-8")
    import_plan(db, first, now=clock.now())
    return clock.now()


@pytest.mark.parametrize("at", [0, 15, 30], ids=["first", "middle", "last"])
@pytest.mark.parametrize("bad", BAD.values(), ids=BAD.keys())
def test_one_bad_row_writes_nothing(
    bad: str, at: int, board: datetime, db: sessionmaker[Session], tmp_path: Path
) -> None:
    before = dump(db)
    with pytest.raises(SheetRejected) as raised:
        import_plan(db, sheet(tmp_path, bad, at), now=board)
    assert [error.row for error in raised.value.errors] == [at + 2]  # the header is row 1
    assert "nothing was changed" in str(raised.value)
    assert dump(db) == before


def test_the_same_sheet_without_its_bad_row_imports_whole(
    board: datetime, db: sessionmaker[Session], tmp_path: Path
) -> None:
    path = tmp_path / "good.csv"
    path.write_text(HEADER + "".join(GOOD[n % 3].format(n=n + 1) for n in range(30)), encoding="utf-8")
    report = import_plan(db, path, now=board)
    assert report is not None
    assert len(dump(db)["action"]) == 30
