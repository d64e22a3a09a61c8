"""The console end to end: a piped session through `python -m bot`, checked in the replies and the database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, ExtensionRequest, ExtensionState, Status, Update

ROOT = Path(__file__).resolve().parents[2]
LEAD = "tom.okafor@csc.example.org"
CHAIR = "helen.ashworth@lscb.example.org"


def bot(database_url: str, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": database_url, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT,
        timeout=120,
    )  # fmt: skip


SESSION = f"""\
/as {LEAD}
/action update bm-1 at-risk Audit tool agreed, waiting for case files
/action update BM-1 at-risk Audit tool agreed, waiting for case files
/action extend BM-1 in 3 weeks Case files arrive late
/action done CC-5 All assessments now record every adult in the household
/as {CHAIR}
/action approve BM-1
/action signoff CC-5 Audit evidence seen at sub-group
/action outstanding review:BM
/action signoff CC-99
"""


def test_a_piped_console_session(database_url: str, db: sessionmaker[Session]) -> None:
    loaded = bot(database_url, "demo")
    assert loaded.returncode == 0, loaded.stderr
    with db() as session:
        due_before = session.scalars(select(Action.due).where(Action.ref == "BM-1")).one()

    run = bot(database_url, "console", stdin=SESSION)
    assert run.returncode == 0, run.stderr
    out = run.stdout
    assert "Update recorded for BM-1 (at risk)." in out
    assert "Already recorded" in out  # the retyped update
    assert "Extension for BM-1 to" in out and "requested" in out
    assert f"→ DM to Dr Helen Ashworth <{CHAIR}>" in out  # the request reaches the chair
    assert "Extension approved: BM-1 is now due" in out
    assert "→ DM to Tom Okafor" in out  # the outcome reaches the owner
    assert "CC-5 is signed off." in out
    assert "Outstanding actions (review BM)" in out
    assert "There is no action CC-99." in out
    assert "Traceback" not in out + run.stderr

    with db() as session:
        bm1 = session.scalars(select(Action).where(Action.ref == "BM-1")).unique().one()
        cc5 = session.scalars(select(Action).where(Action.ref == "CC-5")).unique().one()
        assert bm1.original_due == due_before and bm1.due > due_before
        assert cc5.status is Status.SIGNED_OFF and cc5.evidence.startswith("All assessments")  # type: ignore[union-attr]
        [request] = session.scalars(select(ExtensionRequest)).all()
        assert request.state is ExtensionState.APPROVED
        history = session.execute(
            select(Action.ref, Update.kind, Update.source)
            .join(Action, Action.id == Update.action_id)
            .where(Update.source == "console")
            .order_by(Update.id)
        ).all()
    assert [tuple(row) for row in history] == [
        ("BM-1", "update", "console"),
        ("BM-1", "extension_requested", "console"),
        ("CC-5", "done", "console"),
        ("BM-1", "extension_approved", "console"),
        ("CC-5", "signoff", "console"),
    ]


def test_an_out_of_date_schema_is_refused_with_the_fix(tmp_path: Path) -> None:
    run = bot(f"sqlite:///{tmp_path / 'new.db'}", "list")
    assert run.returncode == 2
    assert "Run: python -m bot db upgrade" in run.stderr and "Traceback" not in run.stderr


def test_list_prints_a_filtered_table(database_url: str) -> None:
    bot(database_url, "demo")
    run = bot(database_url, "list", "review:BM", "agency:probation")
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0].split() == ["ref", "agency", "owner", "due", "RAG", "status"]
    assert {line.split()[0] for line in lines[2:]} == {"BM-4", "BM-7"}
    bad = bot(database_url, "list", "colour:red")
    assert bad.returncode == 2 and "colour" in bad.stderr and "Traceback" not in bad.stderr
