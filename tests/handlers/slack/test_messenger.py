"""SlackMessenger against the fake Web API: every delivery error becomes the right Outcome."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.config import Settings
from bot.ports import Outcome
from bot.views import Recipient, Text
from handlers.slack.client import SlackStatus, make_client
from handlers.slack.messenger import SlackMessenger
from storage.models import Person
from tests.fakes.slack import shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import DIGEST_CHANNEL, SLACK_IDS
from tests.helpers import CSC_LEAD, POLICE_LEAD

HELLO = Text("Hello <!channel> & welcome")
TIMEOUT = 0.5


@pytest.fixture
def messenger(slack_settings: Settings, db: sessionmaker[Session], board: dict[str, int]) -> Iterator[SlackMessenger]:
    status = SlackStatus()
    yield SlackMessenger(make_client(slack_settings, status, timeout=TIMEOUT), db, status)


def person(db: sessionmaker[Session], email: str) -> Person:
    with db() as session:
        return session.scalars(select(Person).where(Person.email == email)).unique().one()


def recipient(db: sessionmaker[Session], email: str, slack_user_id: str | None = None) -> Recipient:
    found = person(db, email)
    return Recipient(found.id, found.name, found.email, slack_user_id)


def test_a_direct_message_posts_to_the_user_id(
    messenger: SlackMessenger, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    delivery = messenger.send_direct(recipient(db, POLICE_LEAD, SLACK_IDS[POLICE_LEAD]), HELLO)
    assert delivery.outcome is Outcome.SENT and delivery.message_id == "1700000000.000100"
    [call] = slack_api.calls_to("chat.postMessage")
    assert call.params["channel"] == SLACK_IDS[POLICE_LEAD]
    assert call.headers["authorization"] == "Bearer xoxb-0000-test-token"
    assert shown({"blocks": call.params["blocks"]}) == "Hello &lt;!channel&gt; &amp; welcome"
    assert call.params["text"] == "Hello &lt;!channel&gt; &amp; welcome"  # notifications are escaped too


def test_someone_without_a_slack_id_is_found_by_email_and_remembered(
    messenger: SlackMessenger, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    delivery = messenger.send_direct(recipient(db, CSC_LEAD), HELLO)
    assert delivery.sent
    [lookup] = slack_api.calls_to("users.lookupByEmail")
    assert lookup.params["email"] == CSC_LEAD
    assert slack_api.calls_to("chat.postMessage")[0].params["channel"] == SLACK_IDS[CSC_LEAD]
    assert person(db, CSC_LEAD).slack_user_id == SLACK_IDS[CSC_LEAD]


def test_someone_not_in_the_workspace_is_marked_unreachable(
    messenger: SlackMessenger, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    stranger = recipient(db, CSC_LEAD)
    stranger = replace(stranger, email="left@csc.example.org")
    delivery = messenger.send_direct(stranger, HELLO)
    assert (delivery.outcome, delivery.detail) == (Outcome.UNDELIVERABLE, "users_not_found")
    assert person(db, CSC_LEAD).unreachable == "slack: users_not_found"
    assert slack_api.calls_to("chat.postMessage") == []


def test_a_deactivated_user_is_marked_unreachable(
    messenger: SlackMessenger, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    slack_api.add_user(SLACK_IDS[CSC_LEAD], CSC_LEAD, "Cara Lead", deleted=True)
    delivery = messenger.send_direct(recipient(db, CSC_LEAD), HELLO)
    assert delivery.outcome is Outcome.UNDELIVERABLE
    assert person(db, CSC_LEAD).unreachable == "slack: user_disabled"


@pytest.mark.parametrize("error", ["user_not_found", "user_disabled"])
def test_a_user_slack_refuses_is_marked_unreachable(
    error: str, messenger: SlackMessenger, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    slack_api.fail("chat.postMessage", error=error)
    delivery = messenger.send_direct(recipient(db, POLICE_LEAD, SLACK_IDS[POLICE_LEAD]), HELLO)
    assert (delivery.outcome, delivery.detail) == (Outcome.UNDELIVERABLE, error)
    assert person(db, POLICE_LEAD).unreachable == f"slack: {error}"


def test_a_rate_limit_is_waited_out_and_the_message_goes_once(
    messenger: SlackMessenger, slack_api: FakeSlackApi
) -> None:
    slack_api.fail("chat.postMessage", status=429, retry_after=0)
    delivery = messenger.post_channel(DIGEST_CHANNEL, HELLO)
    assert delivery.sent
    first, second = slack_api.calls_to("chat.postMessage")
    assert second.params == first.params


def test_a_rate_limit_waits_for_retry_after(messenger: SlackMessenger, slack_api: FakeSlackApi) -> None:
    slack_api.fail("chat.postMessage", status=429, retry_after=1)
    assert messenger.post_channel(DIGEST_CHANNEL, HELLO).sent
    first, second = slack_api.calls_to("chat.postMessage")
    assert second.at - first.at >= 1.0


def test_rate_limited_after_the_retries_is_a_failure(messenger: SlackMessenger, slack_api: FakeSlackApi) -> None:
    slack_api.fail("chat.postMessage", status=429, retry_after=0, times=3)
    delivery = messenger.post_channel(DIGEST_CHANNEL, HELLO)
    assert (delivery.outcome, delivery.detail) == (Outcome.FAILED, "ratelimited")
    assert len(slack_api.calls_to("chat.postMessage")) == 3


def test_a_server_error_is_a_failure_and_not_retried(messenger: SlackMessenger, slack_api: FakeSlackApi) -> None:
    slack_api.fail("chat.postMessage", status=500)
    delivery = messenger.post_channel(DIGEST_CHANNEL, HELLO)
    assert (delivery.outcome, delivery.detail) == (Outcome.FAILED, "HTTP 500")
    assert len(slack_api.calls_to("chat.postMessage")) == 1


def test_a_timeout_after_sending_is_uncertain_and_never_resent(
    messenger: SlackMessenger, slack_api: FakeSlackApi
) -> None:
    slack_api.hang("chat.postMessage", 2.0)
    started = time.monotonic()
    delivery = messenger.post_channel(DIGEST_CHANNEL, HELLO)
    assert delivery.outcome is Outcome.UNCERTAIN
    assert time.monotonic() - started < 1.5
    time.sleep(0.3)
    assert len(slack_api.calls_to("chat.postMessage")) == 1


def test_a_refused_connection_is_a_failure(
    slack_settings: Settings, db: sessionmaker[Session], board: dict[str, int]
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    settings = replace(slack_settings, slack_api_url=f"http://127.0.0.1:{port}/api/")
    status = SlackStatus()
    delivery = SlackMessenger(make_client(settings, status, timeout=TIMEOUT), db, status).post_channel("C1", HELLO)
    assert delivery.outcome is Outcome.FAILED and delivery.detail and "refused" in delivery.detail


@pytest.mark.parametrize("error", ["channel_not_found", "not_in_channel", "is_archived"])
def test_a_channel_problem_is_flagged_for_the_coordinator(
    error: str, messenger: SlackMessenger, slack_api: FakeSlackApi
) -> None:
    slack_api.fail("chat.postMessage", error=error)
    delivery = messenger.post_channel(DIGEST_CHANNEL, HELLO)
    assert (delivery.outcome, delivery.detail) == (Outcome.CHANNEL_PROBLEM, error)
    assert messenger.channel_problems() == {DIGEST_CHANNEL: error}
    assert messenger.post_channel(DIGEST_CHANNEL, HELLO).sent
    assert messenger.channel_problems() == {}


@pytest.mark.parametrize("error", ["token_revoked", "invalid_auth", "account_inactive"])
def test_refused_credentials_stop_every_further_send(
    error: str, messenger: SlackMessenger, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    slack_api.fail("chat.postMessage", error=error)
    delivery = messenger.post_channel(DIGEST_CHANNEL, HELLO)
    assert (delivery.outcome, delivery.detail) == (Outcome.STOPPED, error)
    assert messenger.status.stopped == error
    later = messenger.send_direct(recipient(db, CSC_LEAD), HELLO)
    assert later.outcome is Outcome.STOPPED
    assert len(slack_api.calls) == 1  # nothing more was even attempted


def test_a_long_message_goes_in_parts(messenger: SlackMessenger, slack_api: FakeSlackApi) -> None:
    long = Text("\n".join(f"Line {n}: " + "x" * 2000 for n in range(30)))
    delivery = messenger.post_channel(DIGEST_CHANNEL, long)
    assert delivery.sent and delivery.message_id == "1700000000.000100"
    posts = slack_api.calls_to("chat.postMessage")
    assert len(posts) > 1
    everything = "\n".join(shown({"blocks": p.params["blocks"]}) for p in posts)
    assert all(f"Line {n}: " in everything for n in range(30))
