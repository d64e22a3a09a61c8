"""Bot Framework's token on every activity, checked before the SDK sees the request.

The pinned SDK (microsoft-teams-apps 2.1.1) accepts a token with no ``exp`` (PyJWT checks ``exp``
only when it is there), and its key client fetches the signing keys again for every token whose key
id it does not know, so a flood of forged JWT-shaped tokens is a flood of outbound key fetches. In
front of it, this guard answers 401 unless the token:

- is RS256 and names a key id, and carries ``exp``; is not expired beyond ``SKEW`` (5 minutes of
  clock difference); has no ``nbf`` or ``iat`` beyond ``SKEW`` in the future;
- was issued by Bot Framework (or by Entra for the board's own tenant) for this bot (``aud``);
- is signed by a key from the issuer's published key set.

These are checked cheapest first, so a malformed or expired token costs no key look-up; and the key
set of each issuer is fetched at most once every ``REFRESH`` seconds whatever arrives (a key id not in
the set waits for the next refresh rather than forcing one).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
import time
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

import httpx
import jwt
from jwt import PyJWK

log = logging.getLogger(__name__)

SKEW = 5 * 60  # seconds of clock difference allowed between Bot Framework and us
REFRESH = 5 * 60  # seconds between two fetches of one key set, at most one per interval
MAX_AGE = 24 * 60 * 60  # a key set this old is fetched again even if every key id is known (keys are revoked)
BOT_FRAMEWORK_ISSUER = "https://api.botframework.com"
BOT_FRAMEWORK_KEYS = "https://login.botframework.com/v1/.well-known/keys"
ENTRA_LOGIN = "https://login.microsoftonline.com"


class BadToken(Exception):
    """The token is refused; the message says why (for the log, never for the caller)."""


class KeySet:
    """The signing keys published at ``url``, fetched at most once every ``refresh`` seconds."""

    def __init__(
        self, url: str, *, refresh: float = REFRESH, timeout: float = 5.0, now: Callable[[], float] = time.monotonic
    ) -> None:
        self.url, self.refresh, self.timeout, self.now = url, refresh, timeout, now
        self._keys: dict[str, PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = threading.Lock()

    def key(self, kid: str) -> PyJWK | None:
        """The key with id ``kid``, fetching the set first only if the last fetch is ``refresh`` seconds old."""
        with self._lock:
            age = None if self._fetched_at is None else self.now() - self._fetched_at
            if age is None or (age >= self.refresh and kid not in self._keys) or age >= MAX_AGE:
                self._fetched_at = self.now()  # a failed fetch counts too: a key server down is not hammered
                self._keys = self._fetch() or self._keys
            return self._keys.get(kid)

    def _fetch(self) -> dict[str, PyJWK] | None:
        try:
            answer = httpx.get(self.url, timeout=self.timeout)
            answer.raise_for_status()
            keys = {}
            for data in answer.json().get("keys", []):
                if isinstance(data, dict) and isinstance(data.get("kid"), str):
                    try:
                        keys[data["kid"]] = PyJWK(data)
                    except jwt.PyJWTError:
                        continue  # a key of a kind we do not use
            return keys
        except (httpx.HTTPError, ValueError, AttributeError) as error:
            log.warning("could not fetch the signing keys from %s: %s", self.url, error)
            return None


@dataclass
class TokenCheck:
    """Everything a token for this bot must satisfy; ``keys`` maps each accepted issuer to its key set."""

    app_id: str
    keys: dict[str, KeySet]
    skew: int = SKEW
    now: Callable[[], float] = time.time

    @classmethod
    def for_bot(cls, app_id: str, tenant_id: str | None) -> TokenCheck:
        """Bot Framework's issuer, and Entra's for the board's tenant when there is one."""
        keys = {BOT_FRAMEWORK_ISSUER: KeySet(BOT_FRAMEWORK_KEYS)}
        if tenant_id:
            entra = KeySet(f"{ENTRA_LOGIN}/{tenant_id}/discovery/v2.0/keys")
            keys |= {f"{ENTRA_LOGIN}/{tenant_id}/v2.0": entra, f"https://sts.windows.net/{tenant_id}/": entra}
        return cls(app_id, keys)

    def claims(self, raw: str) -> dict[str, Any]:
        """The token's verified claims; ``BadToken`` if anything is wrong with it."""
        try:
            header = jwt.get_unverified_header(raw)
            unverified = jwt.decode(raw, options={"verify_signature": False})
        except jwt.PyJWTError as error:
            raise BadToken(f"not a JWT: {error}") from None
        kid, issuer = header.get("kid"), unverified.get("iss")
        if header.get("alg") != "RS256" or not isinstance(kid, str):
            raise BadToken("not signed with RS256 under a key id")
        self._check_times(unverified)
        key_set = self.keys.get(issuer) if isinstance(issuer, str) else None
        if key_set is None:
            raise BadToken("issued by someone we do not accept")
        key = key_set.key(kid)
        if key is None:
            raise BadToken("signed with a key the issuer does not publish")
        audiences = [self.app_id, f"api://{self.app_id}", f"api://botid-{self.app_id}"]
        try:
            return jwt.decode(
                raw, key.key, algorithms=["RS256"], audience=audiences, issuer=issuer,
                # The times were checked above, on our clock; PyJWT would read the system's.
                options={"require": ["exp", "iss", "aud"], "verify_exp": False, "verify_nbf": False,
                         "verify_iat": False},
            )  # fmt: skip
        except jwt.PyJWTError as error:
            raise BadToken(str(error)) from None

    def _check_times(self, claims: dict[str, Any]) -> None:
        now = self.now()

        def moment(name: str) -> float | None:
            value = claims.get(name)
            if value is None:
                return None
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise BadToken(f"{name} is not a time")
            return float(value)

        expires, not_before, issued = moment("exp"), moment("nbf"), moment("iat")
        if expires is None:
            raise BadToken("no expiry (exp)")
        if now > expires + self.skew:
            raise BadToken("expired")
        if not_before is not None and not_before > now + self.skew:
            raise BadToken("not valid yet (nbf)")
        if issued is not None and issued > now + self.skew:
            raise BadToken("issued in the future (iat)")


Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
Asgi = Callable[[Scope, Receive, Send], Awaitable[None]]


class TokenGuard:
    """ASGI middleware: POST ``path`` without a token ``check`` accepts gets 401 and goes no further."""

    def __init__(self, app: Asgi, check: TokenCheck, path: str) -> None:
        self.app, self.check, self.path = app, check, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("path") == self.path and scope.get("method") == "POST":
            problem = await self._problem(scope)
            if problem is not None:
                log.warning("refused an activity: %s", problem)
                body = json.dumps({"error": "Unauthorized"}).encode()
                headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
                await send({"type": "http.response.start", "status": 401, "headers": headers})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)

    async def _problem(self, scope: Scope) -> str | None:
        values = [value for name, value in scope.get("headers", []) if name.lower() == b"authorization"]
        if len(values) != 1:
            return "no Authorization header" if not values else "more than one Authorization header"
        scheme, _, raw = values[0].decode("latin-1").partition(" ")
        if scheme != "Bearer" or not raw:
            return "not a Bearer token"
        try:
            await asyncio.to_thread(self.check.claims, raw.strip())  # a key fetch blocks: keep it off the event loop
        except BadToken as error:
            return str(error)
        return None
