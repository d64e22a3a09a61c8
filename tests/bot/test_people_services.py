"""Someone who has left is told nothing more: not extension requests (a chair), not the channel's loss
(a coordinator); and they cannot be named as anyone's handover or deputy."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.identity import Identity
from bot.services import ActionService
from bot.views import Problem
from tests.helpers import CHAIR, COORDINATOR, POLICE_LEAD, POLICE_OTHER, say, seed_board


def test_a_chair_who_left_is_not_asked_to_decide_and_cannot_deputise(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    seed_board(db, local_today(clock, settings.timezone))  # the board with a coordinator (tests/bot's has none)
    actions = ActionService(db, clock, settings)
    coordinator, pat = Identity("console", email=COORDINATOR), Identity("console", email=POLICE_LEAD)
    assert [r.email for r in actions.coordinators()] == [COORDINATOR]
    left = say(actions, f"/action leaver {CHAIR} handover:{POLICE_OTHER}", coordinator)
    assert "Helen Chair has left the board: 1 open action moved to Sam Other: CC-4." in getattr(left.view, "body", "")
    asked = say(actions, "/action extend CC-1 in 8 weeks Staff sickness", pat)
    assert "requested" in getattr(asked.view, "summary", "") and asked.notices == ()  # no chair left to ask
    refused = say(actions, f"/action away tomorrow friday deputy:{CHAIR}", pat)
    assert isinstance(refused.view, Problem)
    assert refused.view.message.startswith("Helen Chair left the board on Wed 1 Apr 2026, so can't be a deputy.")
    again = say(actions, f"/action leaver {COORDINATOR} handover:{CHAIR}", coordinator)
    assert isinstance(again.view, Problem) and "yourself" in again.view.message
