"""Who is who in Teams when e-mails differ: the coordinator links the Teams account to the person."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from storage.models import Person
from tests.fakes.teams import GENERAL, TeamsSender, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import STRANGER, USERS
from tests.helpers import COORDINATOR, CSC_LEAD, POLICE_LEAD

COLIN = USERS[COORDINATOR]


def test_the_coordinator_links_someone_by_mentioning_them_in_a_channel(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    sender.message(COLIN, "help")  # the coordinator's 1:1 chat, where answers from channels go
    tag = f"<at>{STRANGER.name}</at>"
    activity = sender._base(COLIN, GENERAL) | {"type": "message"}
    activity["text"] = f"<at>Action Tracker</at> link {POLICE_LEAD} {tag}"
    activity["entities"] = [
        {"type": "mention", "text": "<at>Action Tracker</at>", "mentioned": activity["recipient"]},
        {"type": "mention", "text": tag, "mentioned": {"id": STRANGER.member_id, "name": STRANGER.name}},
    ]
    assert sender.send(activity).status == 200
    assert "Linked: that Teams account is now Pat Lead <pat.lead@police.example.org>." in shown(
        connector.messages(COLIN.chat)[-1]
    )
    with db() as session:
        assert session.get(Person, board[POLICE_LEAD]).teams_user_id == STRANGER.aad  # type: ignore[union-attr]
    connector.reset()
    sender.message(STRANGER, "mine")  # the e-mail on their Teams profile is not the board's: now it need not be
    assert "Your actions, Pat Lead: 2 actions" in shown(connector.messages(STRANGER.chat)[0])


def test_the_coordinator_links_by_the_id_the_person_was_told(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    sender.message(STRANGER, "mine")
    assert STRANGER.aad in shown(connector.messages(STRANGER.chat)[0])
    sender.message(COLIN, f"link {CSC_LEAD} {STRANGER.aad}")
    assert "now Cara Lead" in shown(connector.messages(COLIN.chat)[0])
    sender.message(USERS[POLICE_LEAD], f"link {CSC_LEAD} {STRANGER.aad}")
    assert "Only the coordinator can link" in shown(connector.messages(USERS[POLICE_LEAD].chat)[0])
    with db() as session:
        assert session.get(Person, board[CSC_LEAD]).teams_user_id == STRANGER.aad  # type: ignore[union-attr]
