"""The coordinator runs the plan in Teams, over the real endpoint: add (a card form with no text), edit (filled in),
assign (the people concerned are told in their 1:1 chats), find, and who may not."""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action
from tests.fakes.teams import TeamsSender, actions_of, cards_of, inputs_of, invoke_card, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.handlers.teams.test_messages import ask, history
from tests.helpers import CHAIR, COORDINATOR, MEMBER, POLICE_LEAD, POLICE_OTHER, dump

COORD, PAT, SAM, CHAIR_USER, MO = (USERS[who] for who in (COORDINATOR, POLICE_LEAD, POLICE_OTHER, CHAIR, MEMBER))


def stored(db: sessionmaker[Session], ref: str) -> Action:
    with db() as session:
        return session.scalars(select(Action).where(Action.ref == ref)).unique().one()


def plan_rows(engine: Engine) -> dict[str, list[tuple]]:
    rows = dump(engine)
    return {table: rows[table] for table in ("action", "action_update", "action_supporting_agency")}


def test_add_with_no_text_shows_the_form_and_submitting_it_adds_the_action(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session], engine: Engine
) -> None:
    sender.install(PAT)
    connector.reset()
    ask(sender, connector, "add CC", COORD)
    [card] = cards_of(connector.messages(COORD.chat)[-1])
    assert "Add an action to CC" in shown(card)
    assert set(inputs_of(card)) == {"text", "owner", "agency", "due"}
    [(_, verb, data)] = [a for a in actions_of(card) if a[0] == "Add an action"]
    assert data == {"ref": "CC", "form": "add"}

    before = plan_rows(engine)
    again = invoke_card(sender.click(COORD, verb, {**data, "text": " ", "owner": POLICE_LEAD}))
    assert "Write what is to be done." in shown(again) and inputs_of(again)["owner"] == POLICE_LEAD
    assert plan_rows(engine) == before

    done = invoke_card(sender.click(COORD, verb, {**data, "text": "Audit strategy meetings", "owner": POLICE_LEAD}))
    assert "CC-5 added to CC SCR Child C: led by Avon and Somerset Police, owned by Pat Lead" in shown(done)
    [told] = connector.wait_for(lambda c: c.messages(PAT.chat))  # the notice follows the answer
    assert "Colin Coordinator added CC-5 to CC and made you its owner." in shown(told)
    assert stored(db, "CC-5").text == "Audit strategy meetings"
    assert history(db, "CC-5") == [("created", "teams", "Added in chat")]


def test_edit_opens_filled_in_and_saves_only_what_changed(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    ask(sender, connector, "edit CC-1", COORD)
    [card] = cards_of(connector.messages(COORD.chat)[-1])
    values = inputs_of(card)
    assert values["text"] == "Action 1 text" and values["owner"] == POLICE_LEAD
    assert values["agency"] == "Avon and Somerset Police"
    [(_, verb, data)] = [a for a in actions_of(card) if a[0] == "Edit action"]
    done = invoke_card(sender.click(COORD, verb, {**data, **values, "text": "Action 1, reworded", "target": ""}))
    assert "CC-1 edited: text." in shown(done)
    assert stored(db, "CC-1").text == "Action 1, reworded"
    assert history(db, "CC-1") == [("edit", "teams", None)]
    unknown = invoke_card(sender.click(COORD, verb, {**data, **values, "agency": "Fire service"}))
    assert "There is no agency 'Fire service'" in shown(unknown)
    assert len(history(db, "CC-1")) == 1


def test_assign_tells_the_old_and_new_owner_and_the_chair_in_their_chats(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    for user in (PAT, SAM, CHAIR_USER):
        sender.install(user)
    connector.reset()
    text = ask(sender, connector, f"assign CC-1 {POLICE_OTHER} Pat moves team", COORD)
    assert "CC-1 now belongs to Sam Other (was Pat Lead)." in text
    connector.wait_for(lambda c: all(c.messages(user.chat) for user in (SAM, PAT, CHAIR_USER)))  # after the answer
    assert "made you the owner of CC-1 from Pat Lead. Reason: Pat moves team" in shown(connector.messages(SAM.chat)[0])
    assert "passed CC-1 to Sam Other: you no longer own it." in shown(connector.messages(PAT.chat)[0])
    assert "reassigned CC-1 from Pat Lead to Sam Other" in shown(connector.messages(CHAIR_USER.chat)[0])
    assert stored(db, "CC-1").owner_id == board[POLICE_OTHER]
    assert "owner Pat Lead → Sam Other" in ask(sender, connector, "history CC-1", COORD)


def test_find_and_the_refusals(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, engine: Engine
) -> None:
    found = ask(sender, connector, "find protocol", MO)
    assert 'Actions mentioning "protocol"' in found and "CC-3" in found
    before = plan_rows(engine)
    assert "Only the coordinator can add actions to a plan." in ask(sender, connector, "add CC Do it", PAT)
    assert "Only the coordinator can edit actions." in ask(sender, connector, "edit CC-1", CHAIR_USER)
    assert "Only the coordinator or the chair" in ask(sender, connector, f"assign CC-1 {POLICE_OTHER}", PAT)
    assert plan_rows(engine) == before
