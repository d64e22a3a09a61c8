"""`/action withdraw` in Slack, over signed HTTP: only the chair, never their own action, a reason kept, the
owner told by DM, the action closed to changes; a refusal writes nothing.

The board (tests.helpers.seed_board): CC-1 police, Pat's, open; CC-4 the chair's own, complete.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Status
from tests.fakes.slack import SlackSender, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.test_commands import ask, stored
from tests.handlers.slack.test_plan_editing import CHAIR_ID, COORD, PAT, board_rows, dms, history


def test_the_chair_withdraws_an_action_the_owner_is_told_and_it_is_closed(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session], engine: Engine
) -> None:
    for someone in (PAT, CHAIR_ID, COORD):  # a first command keeps their Slack id, in a transaction of its own
        ask(sender, slack_api, "mine", someone)
    before = board_rows(engine)
    assert "Only the chair withdraws actions." in shown(ask(sender, slack_api, "withdraw CC-1 Superseded", PAT))
    assert "Only the chair withdraws actions." in shown(ask(sender, slack_api, "withdraw CC-1 Superseded", COORD))
    own = shown(ask(sender, slack_api, "withdraw CC-4 Superseded", CHAIR_ID))
    assert "You own CC-4, so you cannot withdraw it yourself" in own
    no_reason = shown(ask(sender, slack_api, "withdraw CC-1", CHAIR_ID))
    assert (
        "needs why the action is no longer needed" in no_reason and "/action withdraw CC-3 &lt;reason&gt;" in no_reason
    )
    assert board_rows(engine) == before

    done = shown(ask(sender, slack_api, "withdraw CC-1 Superseded by the neglect strategy", CHAIR_ID))
    assert "CC-1 is withdrawn: it is closed, kept in the history and the report, and never nudged." in done
    action = stored(db, "CC-1")
    assert action.status is Status.WITHDRAWN and action.withdrawn_on is not None
    assert history(db, "CC-1")[-1][:2] == ("withdraw", "slack")
    told = slack_api.wait_for(lambda api: dms(api).get(PAT))  # the owner's DM follows the reply
    assert "Helen Chair withdrew CC-1, which you own: Superseded by the neglect strategy." in told
    assert "CC-1 was withdrawn by the chair, so it can't be updated." in shown(
        ask(sender, slack_api, "update CC-1 on-track still going", PAT)
    )
