"""Installing and removing the app: the conversations proactive messages need are kept and forgotten."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Person, TeamsConversation
from tests.fakes.teams import GENERAL, TeamsSender, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import STRANGER, USERS
from tests.helpers import CSC_LEAD, POLICE_LEAD

PAT, CARA = USERS[POLICE_LEAD], USERS[CSC_LEAD]


def conversations(db: sessionmaker[Session]) -> dict[str, tuple[str, int | None, str | None, str]]:
    with db() as session:
        rows = session.scalars(select(TeamsConversation)).all()
        return {row.conversation_id: (row.kind, row.person_id, row.aad_object_id, row.service_url) for row in rows}


def test_a_personal_install_keeps_the_chat_ties_it_to_the_person_and_greets_once(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    assert sender.install(PAT).status == 200
    assert conversations(db) == {PAT.chat: ("personal", board[POLICE_LEAD], PAT.aad, connector.url)}
    with db() as session:
        assert session.get(Person, board[POLICE_LEAD]).teams_user_id == PAT.aad  # type: ignore[union-attr]
    [welcome] = connector.messages(PAT.chat)
    assert "I'm the board's action tracker" in shown(welcome) and "don't know you" not in shown(welcome)
    # Teams also says so with conversationUpdate, and may say it again: one chat, one greeting.
    activity = sender._base(PAT, "personal") | {"type": "conversationUpdate", "membersAdded": [{"id": "28:x"}]}
    activity["membersAdded"] = [{"id": activity["recipient"]["id"]}]
    assert sender.send(activity).status == 200
    assert sender.install(PAT).status == 200
    assert len(connector.messages(PAT.chat)) == 1 and len(conversations(db)) == 1


def test_someone_the_board_does_not_know_is_told_their_teams_id(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    sender.install(STRANGER)
    [welcome] = connector.messages(STRANGER.chat)
    assert "I don't know you yet" in shown(welcome) and STRANGER.aad in shown(welcome)
    assert conversations(db)[STRANGER.chat][:3] == ("personal", None, STRANGER.aad)


def test_an_install_makes_someone_reachable_again(
    board: dict[str, int], sender: TeamsSender, db: sessionmaker[Session]
) -> None:
    with db.begin() as session:
        session.get(Person, board[CSC_LEAD]).unreachable = "teams: no Teams chat with them yet"  # type: ignore[union-attr]
    sender.install(CARA)
    with db() as session:
        assert session.get(Person, board[CSC_LEAD]).unreachable is None  # type: ignore[union-attr]


def test_removing_the_app_forgets_the_chat(
    board: dict[str, int], sender: TeamsSender, db: sessionmaker[Session]
) -> None:
    sender.install(PAT)
    assert sender.uninstall(PAT).status == 200
    assert conversations(db) == {}


def test_adding_the_app_to_a_team_keeps_its_channel(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    assert sender.add_to_team(PAT, GENERAL).status == 200
    assert conversations(db) == {GENERAL: ("channel", None, None, connector.url)}
    assert connector.messages() == []  # nothing is posted into the team's channel
    with db() as session:
        assert session.scalars(select(TeamsConversation.name)).one() == "Safeguarding Board"
