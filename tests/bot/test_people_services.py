"""Someone who has left is told nothing more: not extension requests (a chair), not the channel's loss
(a coordinator); and they cannot be named as anyone's handover or deputy."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.identity import Identity
from bot.services import ActionService
from bot.views import PeopleList, Problem
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


def test_people_is_paged_and_a_leaver_can_be_added_again(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    seed_board(db, local_today(clock, settings.timezone))
    actions = ActionService(db, clock, settings)
    coordinator = Identity("console", email=COORDINATOR)
    for n in range(1, 8):
        added = say(actions, f'/action person add p{n}@police.example.org "Officer {n:02d}" role:member', coordinator)
        assert "is added as member (read only)" in getattr(added.view, "body", "")
    first = say(actions, "/action people", coordinator).view
    assert isinstance(first, PeopleList) and (first.total, first.pages, len(first.people)) == (13, 2, 10)
    assert first.next_command == "/action people page:2"
    second = say(actions, first.next_command, coordinator).view
    assert isinstance(second, PeopleList) and second.next_command is None
    assert len(second.people) == 3 and {p.name for p in first.people}.isdisjoint(p.name for p in second.people)
    say(actions, f"/action leaver {POLICE_OTHER} handover:{POLICE_LEAD}", coordinator)
    assert say(actions, "/action people", coordinator).view.total == 12  # type: ignore[union-attr]
    back = say(actions, f'/action person add {POLICE_OTHER} "Sam Other" role:agency_lead agency:police', coordinator)
    assert "Sam Other <sam.other@police.example.org> is added again as agency lead" in getattr(back.view, "body", "")
    mine = say(actions, "/action mine", Identity("console", email=POLICE_OTHER)).view
    assert not isinstance(mine, Problem)  # their access is back (their old actions stay with the handover)
