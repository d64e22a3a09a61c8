"""Bot Framework tokens over real HTTP: only a fresh, signed token for this bot reaches the SDK.

A stand-in key server on loopback publishes the signing key (and counts every fetch); the real
Teams app is served by uvicorn with the token guard in front. A refused token gets 401 and the
SDK's listeners never run: no reply reaches the stand-in connector and nothing is stored.
"""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from sqlalchemy import Engine

from handlers.teams.app import TEST_APP_ID, TeamsApp
from handlers.teams.auth import BOT_FRAMEWORK_ISSUER, REFRESH, SKEW, KeySet, TokenCheck, TokenGuard
from handlers.teams.server import ServerThread, guarded_app, token_check
from tests.fakes.teams import TeamsSender
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import POLICE_LEAD, dump

KID = "bf-key-1"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
NOW = 1_775_030_400.0  # 2026-04-01 09:00 UTC


class KeyServer:
    """Publishes Bot Framework's key set on loopback and counts how often it is fetched."""

    def __init__(self) -> None:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(KEY.public_key()))
        self.document = json.dumps({"keys": [{**jwk, "kid": KID, "use": "sig", "alg": "RS256"}]}).encode()
        self.fetches = 0
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
                pass

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                outer.fetches += 1
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(outer.document)))
                self.end_headers()
                self.wfile.write(outer.document)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/.well-known/keys"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> KeyServer:
        self.thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self.server.shutdown()
        self.server.server_close()


class Clocks:
    """Wall time for the claims and a monotonic time for the key cache, both moved by the test."""

    def __init__(self) -> None:
        self.wall, self.mono = NOW, 1000.0

    def move(self, seconds: float) -> None:
        self.wall += seconds
        self.mono += seconds


@pytest.fixture
def keys() -> Iterator[KeyServer]:
    with KeyServer() as server:
        yield server


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def guarded(teams: TeamsApp, keys: KeyServer, clocks: Clocks) -> Iterator[str]:
    """The real app with the guard in front, trusting the stand-in key server; its base URL."""
    key_set = KeySet(keys.url, now=lambda: clocks.mono)
    check = TokenCheck(TEST_APP_ID, {BOT_FRAMEWORK_ISSUER: key_set}, now=lambda: clocks.wall)
    server = ServerThread(teams, check=check).start()
    yield server.url
    server.stop()


def token(key: Any = KEY, *, kid: str | None = KID, algorithm: str = "RS256", drop: tuple[str, ...] = (),
          **claims: Any) -> str:  # fmt: skip
    """A token as Bot Framework signs one (valid for an hour from NOW), changed as asked."""
    body = {"iss": BOT_FRAMEWORK_ISSUER, "aud": TEST_APP_ID, "serviceurl": "http://127.0.0.1",
            "nbf": int(NOW) - 60, "iat": int(NOW) - 60, "exp": int(NOW) + 3600} | claims  # fmt: skip
    for name in drop:
        del body[name]
    headers = {"kid": kid} if kid else {}
    return jwt.encode(body, key, algorithm=algorithm, headers=headers)


def say(sender: TeamsSender, text: str, authorization: str | None) -> int:
    activity = sender._base(USERS[POLICE_LEAD], "personal") | {"type": "message", "textFormat": "plain", "text": text}
    headers = {"Authorization": authorization} if authorization is not None else {}
    return sender.send(activity, headers).status


@pytest.fixture
def sender(guarded: str, connector: FakeConnector) -> TeamsSender:
    return TeamsSender(guarded, connector)


def test_a_fresh_signed_token_reaches_the_listeners(
    sender: TeamsSender, connector: FakeConnector, board: dict[str, int], clocks: Clocks
) -> None:
    assert say(sender, "mine", f"Bearer {token()}") == 200
    connector.wait_for(lambda fake: fake.messages())
    clocks.move(3600 + SKEW - 10)  # expired, but within the clock difference allowed
    assert say(sender, "mine", f"Bearer {token()}") == 200


REFUSED = {
    "no exp": lambda: token(drop=("exp",)),
    "nbf in the future": lambda: token(nbf=int(NOW) + SKEW + 60),
    "iat in the future": lambda: token(iat=int(NOW) + SKEW + 60),
    "expired beyond the skew": lambda: token(exp=int(NOW) - SKEW - 60),
    "exp not a number": lambda: token(exp="tomorrow"),
    "exp true": lambda: token(exp=True),
    "another bot's audience": lambda: token(aud="11111111-2222-4333-8444-555555555555"),
    "no audience": lambda: token(drop=("aud",)),
    "another issuer": lambda: token(iss="https://evil.example.org"),
    "no issuer": lambda: token(drop=("iss",)),
    "signed by another key": lambda: token(OTHER_KEY),
    "no key id": lambda: token(kid=None),
    "an unknown key id": lambda: token(OTHER_KEY, kid="made-up"),
    "HS256 with a shared secret": lambda: jwt.encode(
        {"iss": BOT_FRAMEWORK_ISSUER, "aud": TEST_APP_ID, "exp": int(NOW) + 3600},
        "x" * 64,
        algorithm="HS256",
        headers={"kid": KID},
    ),
    "alg none": lambda: jwt.encode(
        {"iss": BOT_FRAMEWORK_ISSUER, "aud": TEST_APP_ID, "exp": int(NOW) + 3600}, None, algorithm="none"
    ),
    "not a JWT": lambda: "not.a.jwt",
    "empty": lambda: "",
}


@pytest.mark.parametrize("make", REFUSED.values(), ids=REFUSED.keys())
def test_a_bad_token_is_refused_before_the_sdk(
    make: Any, sender: TeamsSender, connector: FakeConnector, board: dict[str, int], engine: Engine
) -> None:
    before = dump(engine)
    assert say(sender, "update CC-1 at-risk Trainer off sick", f"Bearer {make()}") == 401
    assert connector.calls == []
    assert dump(engine) == before


@pytest.mark.parametrize("authorization", [None, "Basic dXNlcjpwYXNz", "Bearer", "bearer " + "x" * 20])
def test_no_bearer_token_is_refused(
    authorization: str | None, sender: TeamsSender, connector: FakeConnector, board: dict[str, int]
) -> None:
    assert say(sender, "mine", authorization) == 401
    assert connector.calls == []


def test_a_flood_of_forged_tokens_fetches_the_keys_once_per_interval(
    sender: TeamsSender, connector: FakeConnector, board: dict[str, int], keys: KeyServer, clocks: Clocks
) -> None:
    def forged() -> str:
        return token(OTHER_KEY, kid=f"kid-{uuid.uuid4().hex}")

    assert all(say(sender, "mine", f"Bearer {forged()}") == 401 for _ in range(60))
    assert keys.fetches == 1
    clocks.move(REFRESH - 1)
    assert all(say(sender, "mine", f"Bearer {forged()}") == 401 for _ in range(20))
    assert keys.fetches == 1
    clocks.move(1)
    assert all(say(sender, "mine", f"Bearer {forged()}") == 401 for _ in range(20))
    assert keys.fetches == 2
    assert say(sender, "mine", f"Bearer {token()}") == 200  # the real key still works, from the cache
    assert keys.fetches == 2
    assert connector.wait_for(lambda fake: fake.messages())


def test_the_production_server_puts_the_guard_in_front(teams: TeamsApp) -> None:
    check = token_check(teams)
    app = guarded_app(teams, check)
    assert isinstance(app, TokenGuard) and app.check is check and app.path == "/api/messages"
    assert set(check.keys) >= {BOT_FRAMEWORK_ISSUER}
