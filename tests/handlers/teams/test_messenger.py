"""Proactive messages through TeamsMessenger (a fake token, the stand-in connector), and the scheduler's jobs."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Bot, attach_jobs, build
from bot.clock import FrozenClock
from bot.config import Settings
from bot.ports import Outcome
from bot.views import History, HistoryEntry, Recipient, Text
from handlers.teams.app import TeamsApp, Unauthenticated, teams_messenger
from handlers.teams.conversations import CHANNEL, PERSONAL, Place
from handlers.teams.messenger import TeamsMessenger
from storage.models import DigestSent, NudgeSent, Person, SendState, TeamsConversation
from tests.fakes.teams import SUBGROUP, TeamsSender, cards_of, fake_token, get, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import CHAIR, CSC_LEAD, POLICE_LEAD

PAT = USERS[POLICE_LEAD]


def recipient(db: sessionmaker[Session], person_id: int) -> Recipient:
    with db() as session:
        person = session.get(Person, person_id)
        assert person is not None
        return Recipient(person.id, person.name, person.email, person.slack_user_id, person.teams_user_id)


def keep_chat(teams: TeamsApp, connector: FakeConnector, person_id: int | None, chat: str, aad: str | None) -> None:
    teams.messenger.conversations.remember(Place(chat, PERSONAL, connector.url, "tenant-1", aad))
    if person_id is not None:
        with teams.bot.sessions.begin() as session:
            session.get(Person, person_id).teams_user_id = aad  # type: ignore[union-attr]


def test_a_direct_message_goes_to_the_stored_chat_with_the_bots_token(
    board: dict[str, int], teams: TeamsApp, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    keep_chat(teams, connector, board[POLICE_LEAD], PAT.chat, PAT.aad)
    delivery = teams.messenger.send_direct(recipient(db, board[POLICE_LEAD]), Text("Hello Pat"))
    assert delivery.outcome is Outcome.SENT and delivery.message_id
    [sent] = connector.messages(PAT.chat)
    assert shown(sent) == "Hello Pat" and sent.headers["authorization"].startswith("Bearer ey")
    assert sent.body["type"] == "message" and sent.body["summary"] == "Hello Pat"


def test_someone_without_a_chat_is_undeliverable_and_marked(
    board: dict[str, int], teams: TeamsApp, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    delivery = teams.messenger.send_direct(recipient(db, board[CSC_LEAD]), Text("Hello"))
    assert delivery.outcome is Outcome.UNDELIVERABLE and connector.calls == []
    with db() as session:
        assert "no Teams chat with them yet" in (session.get(Person, board[CSC_LEAD]).unreachable or "")  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("status", "outcome"),
    [(403, Outcome.UNDELIVERABLE), (404, Outcome.UNDELIVERABLE), (429, Outcome.FAILED), (502, Outcome.FAILED)],
)
def test_what_teams_says_decides_the_outcome(
    board: dict[str, int], teams: TeamsApp, connector: FakeConnector, db: sessionmaker[Session], status: int,
    outcome: Outcome,
) -> None:  # fmt: skip
    keep_chat(teams, connector, board[POLICE_LEAD], PAT.chat, PAT.aad)
    connector.fail("/activities", status)
    delivery = teams.messenger.send_direct(recipient(db, board[POLICE_LEAD]), Text("Hello"))
    assert delivery.outcome is outcome and str(status) in (delivery.detail or "")
    with db() as session:
        kept = session.scalars(select(TeamsConversation.conversation_id)).all()
    assert kept == ([] if outcome is Outcome.UNDELIVERABLE else [PAT.chat])  # a removed app's chat is forgotten


def test_a_refused_token_stops_every_send_and_fails_healthz(
    board: dict[str, int], teams: TeamsApp, connector: FakeConnector, db: sessionmaker[Session], app_server: str
) -> None:
    keep_chat(teams, connector, board[POLICE_LEAD], PAT.chat, PAT.aad)
    assert get(app_server, "/healthz").json() == {"ok": True}
    connector.fail("/activities", 401)
    assert teams.messenger.send_direct(recipient(db, board[POLICE_LEAD]), Text("a")).outcome is Outcome.STOPPED
    calls = len(connector.calls)
    assert teams.messenger.send_direct(recipient(db, board[POLICE_LEAD]), Text("b")).outcome is Outcome.STOPPED
    assert len(connector.calls) == calls  # nothing more was sent
    health = get(app_server, "/healthz")
    assert health.status == 503 and "Teams refused the bot's credentials" in health.json()["reason"]


@pytest.fixture
def quick(teams: TeamsApp) -> Iterator[TeamsMessenger]:
    """A messenger that waits 0.3 s for Teams."""
    messenger = teams_messenger(teams.bot, timeout=0.3, testing=Unauthenticated(token=fake_token))
    yield messenger
    messenger.close()


def test_no_answer_after_sending_is_uncertain_and_refused_connections_failed(
    board: dict[str, int], teams: TeamsApp, quick: TeamsMessenger, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    keep_chat(teams, connector, board[POLICE_LEAD], PAT.chat, PAT.aad)
    connector.hang("/activities", 2.0)
    delivery = quick.send_direct(recipient(db, board[POLICE_LEAD]), Text("Hello"))
    assert delivery.outcome is Outcome.UNCERTAIN
    quick.conversations.remember(Place(PAT.chat, PERSONAL, "http://127.0.0.1:9/", "tenant-1", PAT.aad))
    assert quick.send_direct(recipient(db, board[POLICE_LEAD]), Text("Hello")).outcome is Outcome.FAILED


def test_a_long_view_goes_as_several_cards_and_a_failure_half_way_is_uncertain(
    board: dict[str, int], teams: TeamsApp, connector: FakeConnector, db: sessionmaker[Session]
) -> None:
    keep_chat(teams, connector, board[POLICE_LEAD], PAT.chat, PAT.aad)
    at = datetime(2026, 4, 1, 10, tzinfo=UTC)
    long = History("CC-1", tuple(HistoryEntry(at, "Pat Lead", "teams", "update", {}, "x" * 900) for _ in range(60)))
    delivery = teams.messenger.send_direct(recipient(db, board[POLICE_LEAD]), long)
    parts = connector.messages(PAT.chat)
    assert delivery.outcome is Outcome.SENT and len(parts) > 1
    assert all(len(str(part.body)) < 28_000 for part in parts)
    assert f"Part {len(parts)} of {len(parts)}" in shown(parts[-1])
    connector.reset()
    connector.fail("/activities", 502, skip=1)
    delivery = teams.messenger.send_direct(recipient(db, board[POLICE_LEAD]), long)
    assert delivery.outcome is Outcome.UNCERTAIN and delivery.message_id  # part 1 went out: never resend it
    assert "part 2 of" in (delivery.detail or "")


def test_a_channel_post_goes_to_the_stored_channel_and_an_unknown_one_is_a_channel_problem(
    board: dict[str, int], teams: TeamsApp, connector: FakeConnector
) -> None:
    assert teams.messenger.post_channel(SUBGROUP, Text("Digest")).outcome is Outcome.CHANNEL_PROBLEM
    teams.messenger.conversations.remember(Place(SUBGROUP, CHANNEL, connector.url, "tenant-1"))
    assert teams.messenger.post_channel(SUBGROUP, Text("Digest")).outcome is Outcome.SENT
    assert shown(connector.messages(SUBGROUP)[0]) == "Digest"
    connector.fail("/activities", 403)
    assert teams.messenger.post_channel(SUBGROUP, Text("Digest")).outcome is Outcome.CHANNEL_PROBLEM


# --------------------------------------------------------------------------- the scheduler's jobs


@pytest.fixture
def scheduled(
    teams_settings: Settings, clock: FrozenClock, connector: FakeConnector, board: dict[str, int]
) -> Iterator[tuple[Bot, TeamsMessenger]]:
    """A clock process sending through Teams only, the sub-group channel in Teams."""
    settings = Settings(**{**teams_settings.__dict__, "digest_channel": f"teams:{SUBGROUP}"})
    bot = build(settings, clock)
    messenger = teams_messenger(bot, timeout=2.0, testing=Unauthenticated(token=fake_token))
    yield bot, messenger
    messenger.close()
    bot.engine.dispose()


def test_nudges_and_the_digest_go_to_teams_once_and_the_unreachable_are_reported(
    scheduled: tuple[Bot, TeamsMessenger], sender: TeamsSender, connector: FakeConnector, clock: FrozenClock,
    board: dict[str, int], db: sessionmaker[Session],
) -> None:  # fmt: skip
    bot, messenger = scheduled
    sender.install(USERS[CHAIR])  # the chair and Pat have the app; Cara (CC-2, overdue) does not
    sender.install(PAT)
    sender.add_to_team(PAT, SUBGROUP)
    connector.reset()
    jobs = attach_jobs(bot, messenger)
    jobs.pause = lambda _: None
    for day in (1, 6, 7):  # Wed 1 Apr 09:00 London: the sweep; Mon 6 Apr is a bank holiday: the digest goes Tue 7
        clock.set(datetime(2026, 4, day, 8, 0, tzinfo=UTC))
        jobs.run_due()
        jobs.run_due()  # a second run (or a second scheduler) sends nothing again
    with db() as session:
        nudges = {(row.kind, row.person_id, row.state) for row in session.scalars(select(NudgeSent))}
        digest = session.scalars(select(DigestSent)).one()
    assert (("nudge", board[CSC_LEAD], SendState.UNDELIVERABLE)) in nudges
    assert digest.key == f"digest:teams:{SUBGROUP}:2026-04-06" and digest.state is SendState.SENT
    posts = connector.messages(SUBGROUP)
    assert posts, [c.path for c in connector.calls]
    text = "\n".join(shown(card) for post in posts for card in cards_of(post))
    assert "Weekly digest, week of Mon 6 Apr 2026" in text
    assert (
        "Cara Lead · nudge about CC-2 · undeliverable (no Teams chat with them yet (the app is not installed))" in text
    )
    assert "Cara Lead · any message · unreachable" in text
    assert len(posts) == len({post.body["attachments"][0]["content"]["fallbackText"] for post in posts})  # once each


def test_a_nudge_reaches_an_installed_owner_in_teams(
    scheduled: tuple[Bot, TeamsMessenger], sender: TeamsSender, connector: FakeConnector, clock: FrozenClock,
    board: dict[str, int],
) -> None:  # fmt: skip
    bot, messenger = scheduled
    sender.install(PAT)
    connector.reset()
    jobs = attach_jobs(bot, messenger)
    clock.set(datetime(2026, 4, 17, 8, 0, tzinfo=UTC))  # Fri 17 Apr: CC-1 (due Fri 1 May) is 14 days out
    jobs.sweep()
    jobs.sweep()
    [nudge] = connector.messages(PAT.chat)
    [card] = cards_of(nudge)
    assert "Hello Pat Lead: 1 of your actions needs attention." in shown(card)
    assert "CC-1 · 🟠 Amber · due Fri 1 May 2026" in shown(card) and "due in 14 days" in shown(card)
    assert "[Post update]" in shown(card)
