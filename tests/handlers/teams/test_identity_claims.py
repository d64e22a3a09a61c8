"""Nobody takes another's place in Teams: another account whose member record shows the chair's e-mail is refused.

Teams matches people by e-mail (the member record) until their Entra object id is bound; once it
is, a different account with the same e-mail is refused, the chair and the coordinator are told in
their 1:1 chats, and only the coordinator's ``action link`` moves the binding.
"""

from __future__ import annotations

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Person, TeamsConversation
from tests.fakes.teams import TeamsSender, TeamsUser, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import CHAIR, COORDINATOR, dump

HELEN, COLIN = USERS[CHAIR], USERS[COORDINATOR]
IMPOSTOR = TeamsUser(CHAIR, "Helen Chair", "7d1e0f00-0000-4000-8000-0000000000aa", "29:1impostor", "a:1chat-impostor")
REFUSED = "The e-mail on this Teams account belongs to someone the board knows under another Teams account"


def ask(sender: TeamsSender, connector: FakeConnector, text: str, user: TeamsUser) -> str:
    before = len(connector.messages(user.chat))
    assert sender.message(user, text).status == 200
    return "\n".join(shown(call) for call in connector.messages(user.chat)[before:])


def teams_id(db: sessionmaker[Session], person_id: int) -> str | None:
    with db() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return person.teams_user_id


def test_a_second_teams_account_with_the_chairs_e_mail_is_refused_and_only_the_coordinator_relinks(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session], engine: Engine
) -> None:
    assert "Your actions, Helen Chair" in ask(sender, connector, "mine", HELEN)  # bound by e-mail, first time
    ask(sender, connector, "mine", COLIN)  # the coordinator's 1:1 chat, where they are told (and bound)
    assert teams_id(db, board[CHAIR]) == HELEN.aad
    connector.add_member(IMPOSTOR.member_id, aad=IMPOSTOR.aad, email=CHAIR, name="Helen Chair")
    before = dump(engine)
    told_before = len(connector.messages(HELEN.chat)), len(connector.messages(COLIN.chat))

    answer = ask(sender, connector, "signoff CC-4", IMPOSTOR)
    assert REFUSED in answer and "Helen Chair" not in answer and "CC-4" not in answer
    assert "Your actions" not in ask(sender, connector, "mine", IMPOSTOR)
    assert teams_id(db, board[CHAIR]) == HELEN.aad
    connector.wait_for(  # the notices follow the answer
        lambda c: len(c.messages(HELEN.chat)) > told_before[0] and len(c.messages(COLIN.chat)) > told_before[1]
    )
    to_chair = [shown(call) for call in connector.messages(HELEN.chat)[told_before[0] :]]
    to_coordinator = [shown(call) for call in connector.messages(COLIN.chat)[told_before[1] :]]
    assert len(to_chair) == len(to_coordinator) == 1  # told once, not per attempt
    assert f"Another Teams account ({IMPOSTOR.aad}) whose profile shows your e-mail address" in to_chair[0]
    assert f"action link {CHAIR} {IMPOSTOR.aad}" in to_coordinator[0]
    unchanged = ("seen_request", "teams_conversation")  # the impostor's chat is noted, tied to nobody
    assert {k: v for k, v in dump(engine).items() if k not in unchanged} == {
        k: v for k, v in before.items() if k not in unchanged
    }
    with db() as session:
        chat = session.scalars(
            select(TeamsConversation).where(TeamsConversation.conversation_id == IMPOSTOR.chat)
        ).one()
        assert chat.person_id is None

    assert "Only the coordinator can link" in ask(sender, connector, f"link {CHAIR} {IMPOSTOR.aad}", HELEN)
    linked = ask(sender, connector, f"link {CHAIR} {IMPOSTOR.aad}", COLIN)
    assert f"Linked: that Teams account is now Helen Chair <{CHAIR}>." in linked
    assert teams_id(db, board[CHAIR]) == IMPOSTOR.aad
    assert "Your actions, Helen Chair" in ask(sender, connector, "mine", IMPOSTOR)
