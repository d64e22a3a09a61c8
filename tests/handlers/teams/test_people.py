"""People in chat through the Teams endpoint: people, person add, leaver (both told in their 1:1 chats),
away, snooze (typed, and the reminder's Snooze card form) and settings (typed, and its buttons)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.views import Nudge, Reminder
from handlers.teams import cards
from storage.models import Action, Pace, Person
from tests.chat.test_renderers_agree import action as action_view
from tests.fakes.teams import TeamsSender, actions_of, invoke_card, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.handlers.teams.test_messages import ask, history
from tests.helpers import COORDINATOR, MEMBER, POLICE_LEAD, POLICE_OTHER

PAT, SAM, COORD, MO = USERS[POLICE_LEAD], USERS[POLICE_OTHER], USERS[COORDINATOR], USERS[MEMBER]


def person(db: sessionmaker[Session], email: str) -> Person:
    with db() as session:
        return session.scalars(select(Person).options(joinedload(Person.agency)).where(Person.email == email)).one()


def test_people_and_person_add(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    text = ask(sender, connector, "people agency:police", MO)
    assert "People in Avon and Somerset Police: 2 people" in text and "Sam Other <sam.other@police.example.org>" in text
    assert "Only the coordinator can add people." in ask(sender, connector, 'person add jo@police.example.org "Jo"'
                                                         " role:member", PAT)  # fmt: skip
    added = ask(sender, connector, "person add jo@police.example.org Jo New role:member", COORD)
    assert "Jo New <jo@police.example.org> is added as member (read only)." in added
    assert person(db, "jo@police.example.org").name == "Jo New"


def test_a_leaver_in_teams(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    ask(sender, connector, "mine", SAM)  # Sam and Pat each have a 1:1 chat with the bot
    ask(sender, connector, "mine", PAT)
    connector.reset()
    text = ask(sender, connector, "leaver pat.lead@police.example.org handover:sam.other@police.example.org", COORD)
    assert "Pat Lead has left the board: 2 open actions moved to Sam Other: CC-1, CC-3. Both were told." in text
    told = connector.wait_for(lambda c: c.messages(SAM.chat))
    assert "Handed over to you from Pat Lead, who has left the board: 2 actions" in shown(told[0])
    goodbye = connector.wait_for(lambda c: c.messages(PAT.chat))
    assert "Your access to the action tracker ends today." in shown(goodbye[0])
    assert "Your access to the action tracker ended on Wed 1 Apr 2026" in ask(sender, connector, "mine", PAT)
    assert history(db, "CC-1")[-1] == ("handover", "teams", "Pat Lead left the board: handed over to Sam Other")
    assert person(db, POLICE_LEAD).left_on == date(2026, 4, 1)


def test_away_snooze_and_settings_in_teams(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    text = ask(sender, connector, "away 6/4/2026 10/4/2026", PAT)
    assert "Away Mon 6 Apr 2026 to Fri 10 Apr 2026: no reminders are sent to you meanwhile, and none is lost" in text
    assert person(db, POLICE_LEAD).away_to == date(2026, 4, 10)
    # The reminder card's Snooze opens the form; a date past due is refused beside it, a good one recorded.
    [reminder] = cards.cards(Nudge("Pat Lead", (Reminder(action_view("CC-1", pending_extension=None), "due soon"),)))
    snooze = [a for a in actions_of(cards.as_json(reminder)) if a[0] == "Snooze"]
    assert [(verb, data) for _, verb, data in snooze] == [("form", {"ref": "CC-1", "form": "snooze"})]
    form = invoke_card(sender.click(PAT, "form", {"ref": "CC-1", "form": "snooze"}))
    assert "Snooze reminders about CC-1" in shown(form)
    [(_, verb, data)] = [a for a in actions_of(form) if a[0] == "Snooze"]
    late = invoke_card(sender.click(PAT, verb, {**data, "due": "2026-05-20", "reason": "Audit in May"}))
    assert "a snooze can't run past the due date" in shown(late)
    done = invoke_card(sender.click(PAT, verb, {**data, "due": "2026-04-20", "reason": "Waiting for the audit"}))
    assert "Snoozed: no reminder about CC-1 before Mon 20 Apr 2026" in shown(done)
    with db() as session:
        assert session.scalars(select(Action.snooze_until).where(Action.ref == "CC-1")).one() == date(2026, 4, 20)
    # settings: the buttons run the command
    shown_settings = ask(sender, connector, "settings", PAT)
    assert "Your reminders come as they fall" in shown_settings
    saved = invoke_card(sender.click(PAT, "more", {"command": "/action settings weekly"}))
    assert "Saved. They now come weekly" in shown(saved)
    assert person(db, POLICE_LEAD).reminders is Pace.WEEKLY
