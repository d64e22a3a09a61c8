"""`/action withdraw` in the console, end to end: who may, what is stored, and that it is closed to changes."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, Status, Update
from tests.handlers.test_console import CHAIR, LEAD, bot

SESSION = f"""\
/as mark.ellison@lscb.example.org
/action withdraw BM-1 Superseded by the new neglect strategy
/as {LEAD}
/action withdraw BM-1 Superseded by the new neglect strategy
/as {CHAIR}
/action withdraw BM-1
/action withdraw BM-1 Superseded by the new neglect strategy
/action withdraw BM-1 Superseded by the new neglect strategy
/action history BM-1
/as {LEAD}
/action update BM-1 at-risk still going
/action help withdraw
"""


def test_the_chair_withdraws_an_action_with_a_reason(database_url: str, db: sessionmaker[Session]) -> None:
    assert bot(database_url, "demo").returncode == 0
    run = bot(database_url, "console", stdin=SESSION)
    out = run.stdout
    assert run.returncode == 0, run.stderr
    assert out.count("Only the chair withdraws actions.") == 2  # the coordinator, then an agency lead
    assert "reason" in out  # no reason: the usage line, nothing written
    assert "BM-1 is withdrawn" in out
    assert "Already recorded" in out  # the retyped withdrawal
    assert "BM-1 was withdrawn by the chair, so it can't be updated." in out
    assert "/action withdraw CC-3 <reason>" in out
    assert "Traceback" not in out + run.stderr
    with db() as session:
        bm1 = session.scalars(select(Action).where(Action.ref == "BM-1")).unique().one()
        assert bm1.status is Status.WITHDRAWN and bm1.withdrawn_on is not None
        kinds = session.execute(
            select(Update.kind, Update.note).where(Update.action_id == bm1.id, Update.source == "console")
        ).all()
    assert [tuple(row) for row in kinds] == [("withdraw", "Superseded by the new neglect strategy")]
