"""`/action withdraw` in Teams, over the real endpoint: only the chair, a reason kept, the owner told in their
1:1 chat, the action closed to changes."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from storage.models import Status
from tests.fakes.teams import TeamsSender, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.test_messages import ask, history
from tests.handlers.teams.test_plan_editing import CHAIR_USER, COORD, PAT, stored


def test_the_chair_withdraws_in_teams_and_the_owner_is_told(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    sender.install(PAT)
    assert "Only the chair withdraws actions." in ask(sender, connector, "withdraw CC-1 Superseded", COORD)
    assert history(db, "CC-1") == []
    connector.reset()
    done = ask(sender, connector, "withdraw CC-1 Superseded by the neglect strategy", CHAIR_USER)
    assert "CC-1 is withdrawn" in done
    assert stored(db, "CC-1").status is Status.WITHDRAWN
    assert history(db, "CC-1") == [("withdraw", "teams", "Superseded by the neglect strategy")]
    [told] = connector.wait_for(lambda c: c.messages(PAT.chat))  # the notice follows the answer
    assert "Helen Chair withdrew CC-1, which you own" in shown(told)
    assert "can't be updated" in ask(sender, connector, "update CC-1 on-track still going", PAT)
