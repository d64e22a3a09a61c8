"""Slack and Teams at once: one Person, one ledger, each message on the platform that can carry it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.app import Bot, attach_jobs, build
from bot.clock import FrozenClock
from bot.config import Settings
from bot.ports import Outcome
from bot.routing import RoutingMessenger, channel_platform, messenger_for, teams_channel
from bot.views import Recipient, Text
from handlers.slack.client import SlackStatus, make_client
from handlers.slack.messenger import SlackMessenger
from handlers.teams.app import TeamsApp, Unauthenticated, teams_messenger
from handlers.teams.messenger import TeamsMessenger
from storage.models import DigestSent, NudgeSent, Person
from tests.fakes.messenger import ReachingRecording, Recording
from tests.fakes.slack_api import FakeSlackApi
from tests.fakes.teams import TeamsSender, fake_token, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import CHAIR, COORDINATOR, CSC_LEAD, POLICE_LEAD

SLACK_IDS = {POLICE_LEAD: "U0PAT", CSC_LEAD: "U0CARA", CHAIR: "U0CHAIR", COORDINATOR: "U0COORD"}
DIGEST = "C0DIGEST"
PAT = USERS[POLICE_LEAD]


# --------------------------------------------------------------------------- the rules, with recording messengers


@pytest.mark.parametrize(
    ("channel", "platform", "conversation"),
    [
        ("C0123ABCD", "slack", "C0123ABCD"),
        ("slack:C0123ABCD", "slack", "C0123ABCD"),
        ("teams:19:abc@thread.tacv2", "teams", "19:abc@thread.tacv2"),
        ("19:abc@thread.tacv2", "teams", "19:abc@thread.tacv2"),
        ("TEAMS:19:abc@thread.skype", "teams", "19:abc@thread.skype"),
    ],
)
def test_a_channel_setting_names_its_platform(channel: str, platform: str, conversation: str) -> None:
    assert channel_platform(channel) == (platform, conversation)
    assert teams_channel(channel) == (conversation if platform == "teams" else None)


def test_people_go_where_they_can_be_reached_and_channels_where_their_id_says() -> None:
    teams, slack = ReachingRecording("teams", reachable={1}), Recording("slack")
    routing = RoutingMessenger(teams, slack)
    routing.send_direct(Recipient(1, "In Teams", "t@x.org"), Text("hi"))
    routing.send_direct(Recipient(2, "Slack only", "s@x.org"), Text("hi"))
    routing.post_channel("C0DIGEST", Text("digest"))
    routing.post_channel("teams:19:sub@thread.tacv2", Text("digest"))
    assert teams.sent == [("dm", "t@x.org"), ("channel", "19:sub@thread.tacv2")]
    assert slack.sent == [("dm", "s@x.org"), ("channel", "C0DIGEST")]
    assert routing.platform == "any"


def test_nobody_to_carry_a_message_is_undeliverable() -> None:
    teams_only = messenger_for(teams=ReachingRecording("teams", reachable=set()))
    assert isinstance(teams_only, ReachingRecording)  # one platform: its own messenger, its own ledger keys
    routing = RoutingMessenger(ReachingRecording("teams", reachable=set()))
    assert routing.send_direct(Recipient(1, "X", "x@x.org"), Text("hi")).outcome is Outcome.UNDELIVERABLE
    assert routing.post_channel("C0DIGEST", Text("d")).outcome is Outcome.CHANNEL_PROBLEM
    with pytest.raises(ValueError, match="no chat platform"):
        messenger_for()


# --------------------------------------------------------------------------- both platforms for real


@pytest.fixture
def slack_api() -> Iterator[FakeSlackApi]:
    with FakeSlackApi() as api:
        for email, user_id in SLACK_IDS.items():
            api.add_user(user_id, email, email.split("@")[0])
        yield api


@pytest.fixture
def both(
    teams_settings: Settings,
    clock: FrozenClock,
    slack_api: FakeSlackApi,
    board: dict[str, int],
    db: sessionmaker[Session],
) -> Iterator[tuple[Bot, TeamsMessenger, SlackMessenger]]:
    """A clock process on Slack and Teams; everyone already known to Slack by id."""
    with db.begin() as session:
        for person in session.scalars(select(Person)):
            person.slack_user_id = SLACK_IDS.get(person.email)
    settings = replace(teams_settings, slack_bot_token="xoxb-test", slack_api_url=slack_api.url, digest_channel=DIGEST)
    bot = build(settings, clock)
    status = SlackStatus()
    slack = SlackMessenger(make_client(settings, status, timeout=2.0), bot.sessions, status)
    teams = teams_messenger(bot, timeout=2.0, testing=Unauthenticated(token=fake_token))
    yield bot, teams, slack
    teams.close()
    bot.engine.dispose()


def test_each_reminder_goes_once_on_one_platform(
    both: tuple[Bot, TeamsMessenger, SlackMessenger], sender: TeamsSender, connector: FakeConnector,
    slack_api: FakeSlackApi, clock: FrozenClock, db: sessionmaker[Session],
) -> None:  # fmt: skip
    bot, teams, slack = both
    sender.install(PAT)  # Pat moved to Teams; Cara (CC-2, overdue) is on Slack only
    connector.reset()
    jobs = attach_jobs(bot, messenger_for(slack=slack, teams=teams))
    jobs.pause = lambda _: None
    for _ in range(2):
        clock.set(datetime(2026, 4, 17, 8, 0, tzinfo=UTC))  # CC-1 due in 14 days, CC-2 overdue
        jobs.run_due()
    teams_dms = connector.messages(PAT.chat)
    slack_dms = [c for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] != DIGEST]
    assert len(teams_dms) == 1 and "CC-1" in shown(teams_dms[0])
    assert {c.params["channel"] for c in slack_dms} >= {"U0CARA"}
    assert "U0PAT" not in {c.params["channel"] for c in slack_dms}  # not on both platforms
    with db() as session:
        keys = session.scalars(select(NudgeSent.key)).all()
    assert len(keys) == len(set(keys)) and all(":" in key and "teams" not in key for key in keys)


def test_an_update_made_in_teams_shows_in_the_slack_digest(
    both: tuple[Bot, TeamsMessenger, SlackMessenger], sender: TeamsSender, connector: FakeConnector,
    slack_api: FakeSlackApi, board: dict[str, int], db: sessionmaker[Session],
) -> None:  # fmt: skip
    bot, _, slack = both
    assert sender.message(PAT, "update CC-1 at-risk Audit tool agreed in Teams").status == 200
    assert "Update recorded for CC-1" in shown(connector.messages(PAT.chat)[0])
    with db() as session:
        pats = session.scalars(select(Person).where(Person.email == POLICE_LEAD)).all()
    assert [(p.id, p.slack_user_id, p.teams_user_id) for p in pats] == [(board[POLICE_LEAD], "U0PAT", PAT.aad)]
    jobs = attach_jobs(bot, slack)  # the Slack clock process, unchanged
    jobs.pause = lambda _: None
    assert jobs.send_digest(date(2026, 3, 30)).digests == 1
    posts = [c for c in slack_api.calls_to("chat.postMessage") if c.params["channel"] == DIGEST]
    text = "\n".join(json.dumps(c.params.get("blocks"), ensure_ascii=False) for c in posts)
    assert "*CC-1* · Pat Lead · update: Audit tool agreed in Teams" in text
    with db() as session:
        assert session.scalars(select(DigestSent.key)).one() == f"digest:{DIGEST}:2026-03-30"


def test_a_notice_from_teams_reaches_a_slack_only_chair_in_slack(
    both: tuple[Bot, TeamsMessenger, SlackMessenger], teams: TeamsApp, sender: TeamsSender, connector: FakeConnector,
    slack_api: FakeSlackApi,
) -> None:  # fmt: skip
    _, _, slack = both
    teams.deps.notifier = messenger_for(slack=slack, teams=teams.messenger)  # as `python -m bot teams` wires it
    assert sender.message(PAT, "extend CC-1 30/06/2026 Case files arrive late").status == 200
    [to_chair] = slack_api.wait_for(
        lambda api: [c for c in api.calls_to("chat.postMessage") if c.params["channel"] == "U0CHAIR"]
    )  # the notice follows the answer
    assert "asks to move CC-1" in to_chair.params["text"]
    assert connector.messages(USERS[CHAIR].chat) == []
