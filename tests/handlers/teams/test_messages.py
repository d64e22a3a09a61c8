"""The /action language typed to the bot in Teams, over real HTTP: replies go to the stand-in connector.

The board (tests.helpers.seed_board) on Wed 1 Apr 2026: CC-1 police, Pat, due Fri 1 May, in
progress; CC-2 social care, Cara, 5 days overdue; CC-3 police, Pat, complete; CC-4 the chair's, complete.
"""

from __future__ import annotations

from dataclasses import replace

import jwt
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.teams.app import TEST_APP_ID, TeamsApp
from storage.models import Action, Person, Rag, TeamsConversation, Update
from tests.fakes.teams import (
    GENERAL,
    SUBGROUP,
    TeamsSender,
    TeamsUser,
    actions_of,
    cards_of,
    inputs_of,
    shown,
)
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import STRANGER, USERS
from tests.helpers import CHAIR, COORDINATOR, POLICE_LEAD, dump

PAT, CHAIR_USER = USERS[POLICE_LEAD], USERS[CHAIR]


def ask(sender: TeamsSender, connector: FakeConnector, text: str, user: TeamsUser = PAT, **where: str) -> str:
    """Type ``text`` in the 1:1 chat (or ``where``); what the bot answered there."""
    before = len(connector.messages())
    answer = sender.message(user, text, **where)
    assert answer.status == 200, answer.body
    return "\n".join(shown(call) for call in connector.messages()[before:])


def history(db: sessionmaker[Session], ref: str) -> list[tuple[str, str, str | None]]:
    with db() as session:
        rows = session.execute(
            select(Update.kind, Update.source, Update.note)
            .join(Action, Action.id == Update.action_id)
            .where(Action.ref == ref)
            .order_by(Update.version)
        ).all()
    return [tuple(row) for row in rows]  # type: ignore[misc]


def test_help_in_the_personal_chat(board: dict[str, int], sender: TeamsSender, connector: FakeConnector) -> None:
    text = ask(sender, connector, "help")
    assert "/action update CC-3 [on-track|at-risk|off-track] <note>" in text
    assert "Commands" in text and "`" not in text
    [reply] = connector.messages(PAT.chat)
    scheme, token = reply.headers["authorization"].split(" ")
    assert scheme == "Bearer" and jwt.decode(token, options={"verify_signature": False})["appid"] == TEST_APP_ID


def test_mine_lists_my_actions_as_a_card_with_details_buttons(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector
) -> None:
    text = ask(sender, connector, "mine")
    assert "Your actions, Pat Lead: 2 actions" in text
    assert "CC-1 · 🟢 Green · due Fri 1 May 2026" in text
    assert "CC-3 · 🔵 Blue · due Sat 4 Apr 2026" in text
    [card] = cards_of(connector.messages(PAT.chat)[0])
    assert ("Details", "show", {"ref": "CC-1"}) in actions_of(card)
    assert card["version"] == "1.5" and card["fallbackText"] == "Your actions, Pat Lead: 2 actions"


def test_a_leading_slash_and_the_word_action_are_optional(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector
) -> None:
    for typed in ("/action show CC-1", "action show cc-1", "/show CC-1", "show CC-1", "CC-1"):
        assert "CC-1 · SCR Child C (CC)" in ask(sender, connector, typed), typed


def test_an_update_is_stored_from_teams_and_a_resend_is_recorded_once(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    text = ask(sender, connector, "update CC-1 at-risk Waiting for the audit tool")
    assert "✅ Update recorded for CC-1 (at risk)." in text
    assert "Latest progress: Waiting for the audit tool" in text
    assert "Already recorded" in ask(sender, connector, "update CC-1 at-risk Waiting for the audit tool")
    assert history(db, "CC-1") == [("update", "teams", "Waiting for the audit tool")]
    with db() as session:
        cc1 = session.scalars(select(Action).where(Action.ref == "CC-1")).unique().one()
        pat = session.get(Person, board[POLICE_LEAD])
    assert cc1.rag is Rag.AMBER
    assert pat is not None and pat.teams_user_id == PAT.aad  # matched by e-mail once, then by Entra id


def test_the_member_record_is_fetched_once(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector
) -> None:
    ask(sender, connector, "mine")
    ask(sender, connector, "show CC-1")
    lookups = [call for call in connector.calls if call.method == "GET" and "/members/" in call.path]
    assert [call.path.rsplit("/", 1)[1] for call in lookups] == [PAT.member_id]


def test_a_person_with_another_e_mail_in_teams_is_told_their_teams_id(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, engine: Engine
) -> None:
    before = dump(engine)
    text = ask(sender, connector, "mine", STRANGER)
    assert "I don't know you yet" in text
    assert f"Your Teams id is {STRANGER.aad}" in text and f"action link <board e-mail> {STRANGER.aad}" in text
    after = dump(engine)
    assert {name: rows for name, rows in after.items() if name not in ("teams_conversation", "seen_request")} == {
        name: rows for name, rows in before.items() if name not in ("teams_conversation", "seen_request")
    }


def test_update_with_no_note_answers_with_the_form(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector
) -> None:
    ask(sender, connector, "update CC-1")
    [card] = cards_of(connector.messages(PAT.chat)[0])
    assert "Post an update on CC-1" in shown(card)
    assert set(inputs_of(card)) == {"rag", "note"}
    assert ("Post update", "submit", {"ref": "CC-1", "form": "update"}) in actions_of(card)


def test_in_the_sub_group_channel_details_are_answered_in_the_channel(
    board: dict[str, int], teams: TeamsApp, sender: TeamsSender, connector: FakeConnector
) -> None:
    teams.deps.settings = replace(teams.deps.settings, digest_channel=f"teams:{SUBGROUP}")
    answer = sender.message(CHAIR_USER, "outstanding", where=SUBGROUP)
    assert answer.status == 200
    [reply] = connector.messages()
    assert reply.conversation_id.startswith(SUBGROUP)  # the thread the question was asked in
    assert "Outstanding actions: 2 open, 1 overdue" in shown(reply)


def test_elsewhere_the_answer_goes_to_the_1_to_1_chat(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector
) -> None:
    sender.message(CHAIR_USER, "help")  # the chair has a 1:1 chat with the bot
    connector.reset()
    assert sender.message(CHAIR_USER, "outstanding", where=GENERAL).status == 200
    [in_chat] = connector.messages(CHAIR_USER.chat)
    assert "Outstanding actions: 2 open, 1 overdue" in shown(in_chat)
    [in_channel] = [call for call in connector.messages() if call.conversation_id.startswith(GENERAL)]
    assert in_channel.conversation_id.startswith(f"{GENERAL};messageid=")  # in the thread it was asked in
    note = in_channel.body["text"]
    assert "answered you in our 1:1 chat" in note and "CC-" not in note  # no case detail in the channel


def test_elsewhere_without_a_chat_one_is_opened(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    assert sender.message(PAT, "mine", where=GENERAL).status == 200
    [created] = [call for call in connector.calls if call.path == "/v3/conversations"]
    assert created.body["members"] == [{"id": PAT.member_id}] and created.body["tenantId"] == "tenant-1"
    [card_post] = [c for c in connector.messages() if c.conversation_id.startswith("a:created-")]
    assert "Your actions, Pat Lead" in shown(card_post)
    with db() as session:
        kinds = dict(session.execute(select(TeamsConversation.conversation_id, TeamsConversation.kind)).all())
    assert kinds[card_post.conversation_id] == "personal" and kinds[GENERAL] == "channel"


def test_the_bots_mention_is_stripped_and_html_read_back(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    text = ask(sender, connector, "<p>update CC-1 on-track Met A&amp;E staff&nbsp;today</p>", mention=True)
    assert "Update recorded for CC-1 (on track)" in text
    assert history(db, "CC-1") == [("update", "teams", "Met A&E staff today")]


def test_a_mention_of_someone_else_in_owner_is_their_e_mail(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector
) -> None:
    activity_text = f"list owner:<at>{PAT.name}</at>"
    before = len(connector.messages())
    activity = sender._base(USERS[COORDINATOR], "personal") | {"type": "message", "text": activity_text}
    activity["entities"] = [{"type": "mention", "text": f"<at>{PAT.name}</at>",
                             "mentioned": {"id": PAT.member_id, "name": PAT.name}}]  # fmt: skip
    assert sender.send(activity).status == 200
    text = shown(connector.messages()[before])
    assert "Actions (owner pat.lead@police.example.org): 2 actions" in text


def test_another_tenant_is_refused(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, engine: Engine
) -> None:
    before = dump(engine)
    activity = sender._base(PAT, "personal") | {"type": "message", "text": "update CC-1 on-track from elsewhere"}
    activity["conversation"]["tenantId"] = "other-tenant"
    activity["channelData"]["tenant"]["id"] = "other-tenant"
    assert sender.send(activity).status == 200
    assert "only its own board" in connector.messages()[0].body["text"]
    assert dump(engine) == before


def test_a_redelivered_message_is_carried_out_once(
    board: dict[str, int], sender: TeamsSender, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    activity = sender._base(PAT, "personal") | {"type": "message", "text": "done CC-1 Protocol published"}
    assert sender.send(activity).status == 200
    assert sender.send(activity).status == 200  # Teams retried: same activity id
    assert len(connector.messages(PAT.chat)) == 1
    assert [kind for kind, _, _ in history(db, "CC-1")] == ["done"]
