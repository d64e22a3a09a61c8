"""The web process at the HTTP level: request signing, replays and retries, /healthz, the 3-second ack."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import replace

import pytest
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.views import Text
from handlers.slack.app import SlackApp, build_slack, check_credentials
from handlers.slack.server import ServerThread, make_server, signature_ok, wsgi_app
from storage.models import Update
from tests.fakes.slack import SECRET, SlackSender, get, post, shown, sign
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import POLICE_LEAD, dump

PAT = SLACK_IDS[POLICE_LEAD]


def updates(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(Update)) or 0


def test_a_signed_command_is_carried_out(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    sent = sender.command("update CC-1 on-track Trainer booked", PAT)
    assert sent.status == 200
    slack_api.wait_for(lambda api: api.responses())
    assert updates(db) == 1


@pytest.mark.parametrize(
    "how",
    [
        {"secret": "not-the-signing-secret"},
        {"signed": False},
        {"timestamp": -301},  # stale (seconds from now)
        {"timestamp": +301},  # from the future
        {"timestamp": "not-a-number"},  # slack_sdk would raise, and Bolt answer 500
        {"timestamp": "1.7e9"},
        {"timestamp": "+1700000000"},
        {"timestamp": ""},
    ],
    ids=["forged", "unsigned", "stale", "future", "non-numeric", "float", "signed-number", "empty"],
)
def test_bad_signatures_and_timestamps_get_401_and_change_nothing(
    how: dict, board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine
) -> None:
    before = dump(engine)
    if isinstance(how.get("timestamp"), int):
        how = {"timestamp": int(time.time()) + how["timestamp"]}
    sent = sender.command("update CC-1 on-track Trainer booked", PAT, **how)
    assert sent.status == 401
    time.sleep(0.3)  # had anything started, it would have called Slack by now
    assert slack_api.calls == [] and slack_api.responses() == []
    assert dump(engine) == before


def test_a_body_changed_after_signing_gets_401(
    board: dict[str, int], app_server: str, slack_api: FakeSlackApi, engine: Engine
) -> None:
    before = dump(engine)
    body = (
        b"command=%2Faction&text=mine&user_id=U0PAT&trigger_id=1.2.3&response_url=" + slack_api.response_url().encode()
    )
    headers = {**sign(body), "Content-Type": "application/x-www-form-urlencoded"}
    status, _ = post(app_server, "/slack/events", body.replace(b"mine", b"help"), headers)
    assert status == 401
    assert dump(engine) == before


def test_a_replay_inside_the_window_applies_once(
    board: dict[str, int], sender: SlackSender, app_server: str, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    sent = sender.command("update CC-1 on-track Trainer booked", PAT)
    slack_api.wait_for(lambda api: api.responses())
    # The very same signed bytes again, seconds later: valid signature, same trigger_id.
    status, body = post(app_server, "/slack/events", sent.form, sent.headers)
    assert (status, body) == (200, b"")  # acknowledged...
    time.sleep(0.5)
    assert len(slack_api.responses()) == 1  # ...and nothing done
    assert updates(db) == 1


def test_a_retried_request_applies_once(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    first = sender.command("update CC-1 at-risk Trainer ill", PAT)
    slack_api.wait_for(lambda api: api.responses())
    retry = sender.command(
        "update CC-1 at-risk Trainer ill",
        PAT,
        trigger_id=first.trigger_id,
        response_url=first.response_url,
        extra={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert retry.status == 200
    time.sleep(0.5)
    assert len(slack_api.responses()) == 1 and updates(db) == 1


def test_a_replay_of_a_refused_command_is_answered_once(
    board: dict[str, int], sender: SlackSender, app_server: str, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    # A refused change rolls its transaction back, request record and all: the record is kept on its own then.
    sent = sender.command("update ZZ-9 on-track Trainer booked", PAT)
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "There is no action ZZ-9" in shown(answer)
    status, _ = post(app_server, "/slack/events", sent.form, sent.headers)
    assert status == 200
    time.sleep(0.5)
    assert len(slack_api.responses()) == 1 and updates(db) == 0


def test_a_retry_racing_its_original_applies_once(
    board: dict[str, int], sender: SlackSender, app_server: str, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    # Both in flight at once: the change and its request's record commit together, so the second
    # waits on the first's record and is then recognised, on either database.
    first = sender.command("update CC-1 at-risk Trainer ill", PAT)  # acked before its listener runs
    again = (app_server, "/slack/events", first.form, first.headers)
    threads = [threading.Thread(target=post, args=again) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    slack_api.wait_for(lambda api: api.responses())
    time.sleep(0.5)
    assert len(slack_api.responses()) == 1 and updates(db) == 1


def test_a_retried_event_applies_once(board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi) -> None:
    event = {"type": "app_home_opened", "user": PAT, "channel": "D0PAT", "tab": "home", "event_ts": "1.2"}
    assert sender.event(event, event_id="Ev0RETRY").status == 200
    slack_api.wait_for(lambda api: api.calls_to("views.publish"))
    again = sender.event(event, event_id="Ev0RETRY", extra={"X-Slack-Retry-Num": "1"})
    assert again.status == 200
    time.sleep(0.5)
    assert len(slack_api.calls_to("views.publish")) == 1


def test_the_ack_does_not_wait_for_a_locked_database(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine, db: sessionmaker[Session]
) -> None:
    release = threading.Event()
    locked = threading.Event()

    def hold_lock() -> None:
        # On SQLite the engine begins with BEGIN IMMEDIATE: every other writer now waits.
        with engine.begin() as connection:
            if engine.dialect.name == "postgresql":
                connection.execute(text("LOCK TABLE action, seen_request IN ACCESS EXCLUSIVE MODE"))
            locked.set()
            release.wait(10)

    holder = threading.Thread(target=hold_lock)
    holder.start()
    try:
        assert locked.wait(5)
        started = time.monotonic()
        sent = sender.command("update CC-1 on-track Trainer booked", PAT)
        assert sent.status == 200 and time.monotonic() - started < 1.5
        time.sleep(0.5)
        assert slack_api.responses() == []  # still waiting for the database
    finally:
        release.set()
        holder.join()
    slack_api.wait_for(lambda api: api.responses(), timeout=10)
    assert updates(db) == 1


# ---------------------------------------------------------------------- /healthz


def test_healthz_answers_200_when_the_database_answers(app_server: str) -> None:
    status, body = get(app_server, "/healthz")
    assert (status, json.loads(body)) == (200, {"ok": True})


def test_other_paths_and_methods(app_server: str) -> None:
    assert get(app_server, "/")[0] == 404
    assert get(app_server, "/slack/events")[0] == 405


DEAD_DATABASES = {
    "postgresql": "postgresql+psycopg://postgres@127.0.0.1:9/nowhere",  # nothing listens on port 9
    "sqlite": "sqlite:////nonexistent-directory/actions.db",  # cannot be created
}


@pytest.fixture(params=["postgresql"])
def dead_database_app(
    request: pytest.FixtureRequest, slack_settings: Settings, clock: FrozenClock, slack_api: FakeSlackApi
) -> Iterator[str]:
    """A second app whose database does not answer."""
    settings = replace(slack_settings, database_url=DEAD_DATABASES[request.param])
    bot = app.build(settings, clock, check_schema=False)
    slack = build_slack(bot, timeout=2.0)
    server = ServerThread(make_server(wsgi_app(slack), "127.0.0.1", 0, threads=2, loop_timeout=0.1)).start()
    yield server.url
    server.stop()
    slack.close()
    bot.engine.dispose()


@pytest.mark.parametrize("dead_database_app", ["postgresql", "sqlite"], indirect=True)
def test_healthz_is_503_when_the_database_is_unreachable(dead_database_app: str) -> None:
    status, body = get(dead_database_app, "/healthz")
    assert status == 503
    assert json.loads(body) == {"ok": False, "reason": "database unreachable"}


def test_a_command_is_acked_and_answered_when_the_database_is_down(
    dead_database_app: str, slack_api: FakeSlackApi
) -> None:
    sender = SlackSender(dead_database_app, slack_api)
    started = time.monotonic()
    assert sender.command("update CC-1 on-track note", PAT).status == 200
    assert time.monotonic() - started < 1.5
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "temporarily unavailable, so nothing was changed" in shown(answer)


def test_healthz_is_503_once_slack_refuses_the_token(app_server: str, slack: SlackApp, slack_api: FakeSlackApi) -> None:
    slack_api.fail("chat.postMessage", error="token_revoked")
    slack.messenger.post_channel("C0DIGEST", Text("hello"))
    status, body = get(app_server, "/healthz")
    assert status == 503
    assert json.loads(body)["reason"] == "Slack refused the bot's credentials (token_revoked)"


# ---------------------------------------------------------------------- the signature check itself


def test_signature_check_matches_slacks_documented_example() -> None:
    # https://api.slack.com/authentication/verifying-requests-from-slack (the worked example)
    secret = "8f742231b10e8888abcd99yyyzzz85a5"
    body = (
        b"token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V"
        b"&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text="
        b"&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN"
        b"&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
    )
    signature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
    assert signature_ok(secret, body, "1531420618", signature, now=1531420618 + 60)
    assert not signature_ok(secret, body, "1531420618", signature, now=1531420618 + 301)
    assert not signature_ok(secret, body + b"x", "1531420618", signature, now=1531420618)
    assert not signature_ok(None, body, "1531420618", signature, now=1531420618)
    assert secret == SECRET  # the tests sign with the documented secret


def test_a_token_refused_at_start_up_shows_on_healthz(
    app_server: str, slack: SlackApp, slack_api: FakeSlackApi
) -> None:
    slack_api.fail("auth.test", error="invalid_auth")
    check_credentials(slack).join(timeout=5)
    status, body = get(app_server, "/healthz")
    assert (status, json.loads(body)["reason"]) == (503, "Slack refused the bot's credentials (invalid_auth)")
