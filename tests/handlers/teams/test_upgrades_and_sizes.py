"""Teams over real HTTP: an app upgrade is answered 200 and handled; a card's size is counted in bytes.

Teams sends ``installationUpdate`` with ``add-upgrade`` and ``remove-upgrade`` when the app is
updated; the pinned SDK answers them 500. Teams refuses a message over about 28 KB counted in
UTF-8 bytes of the activity as sent, so text in Arabic, Chinese or emoji (two to four bytes a
character) must split sooner than Latin text.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, Person, TeamsConversation, Update
from tests.fakes.teams import TeamsSender, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import POLICE_LEAD

PAT = USERS[POLICE_LEAD]
LIMIT = 28_000  # bytes: Teams' message limit
NOTES = [
    "تمت مراجعة عينة التدقيق مع فريق الحماية، والخطوة التالية هي الاجتماع مع المدارس ",  # Arabic
    "已与保护团队审查审计样本，下一步是与学校会面并更新培训记录。",  # Chinese
    "🟢✅📋🧒🏽👩‍⚕️🏫📅🔁📝 ",  # emoji, some of them several code points
]


def kept(db: sessionmaker[Session]) -> dict[str, int | None]:
    with db() as session:
        return {row.conversation_id: row.person_id for row in session.scalars(select(TeamsConversation))}


def test_both_upgrade_actions_are_answered_200_and_handled(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    upgraded = sender._base(PAT, "personal") | {"type": "installationUpdate", "action": "add-upgrade"}
    assert sender.send(upgraded).status == 200
    # An upgrade is an install as far as the bot is concerned: the chat is kept and tied to Pat, who is greeted.
    assert kept(db) == {PAT.chat: board[POLICE_LEAD]}
    with db() as session:
        assert session.get(Person, board[POLICE_LEAD]).teams_user_id == PAT.aad  # type: ignore[union-attr]
    assert len(connector.messages(PAT.chat)) == 1

    removed = sender._base(PAT, "personal") | {"type": "installationUpdate", "action": "remove-upgrade"}
    assert sender.send(removed).status == 200
    assert kept(db) == {PAT.chat: board[POLICE_LEAD]}  # the old version went; the app did not: nothing forgotten
    assert sender.send(upgraded).status == 200  # the next upgrade: nobody greeted twice
    assert len(connector.messages(PAT.chat)) == 1
    assert sender.uninstall(PAT).status == 200  # a real removal still forgets the chat
    assert kept(db) == {}


def test_non_latin_notes_over_many_updates_are_split_below_28_kb_with_nothing_lost(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    notes = [f"#{n} " + NOTES[n % 3] * (6 if n % 3 == 2 else 3) for n in range(90)]
    with db.begin() as session:
        cc1 = session.scalars(select(Action).where(Action.ref == "CC-1")).unique().one()
        for version, note in enumerate(notes, start=1):
            session.add(
                Update(
                    action_id=cc1.id, version=version, person_id=board[POLICE_LEAD], source="teams", kind="update",
                    at=datetime(2026, 3, 1, tzinfo=UTC), note=note, changes={"progress": [None, note]},
                )
            )  # fmt: skip
        cc1.version = len(notes)

    assert sender.message(PAT, "history CC-1").status == 200
    posted = connector.messages(PAT.chat)
    assert len(posted) > 1
    sizes = [len(json.dumps(call.body, ensure_ascii=False).encode("utf-8")) for call in posted]
    assert max(sizes) < LIMIT, sizes  # each activity as the connector received it, envelope and all
    everything = "\n".join(shown(call) for call in posted)
    assert [note for note in notes if note not in everything] == []
    assert f"Part {len(posted)} of {len(posted)}" in shown(posted[-1])
