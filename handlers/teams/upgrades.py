"""App upgrades: ``installationUpdate`` with ``add-upgrade`` or ``remove-upgrade``, settled before the SDK.

The pinned SDK reads an installationUpdate's action as ``add`` or ``remove`` only and answers any
other with a 500, which Teams retries. An upgrade changes nothing the bot keeps, so: ``add-upgrade``
(the new version is in the conversation) goes on to the SDK as the install it amounts to (the
conversation remembered, the person matched, greeted only if never greeted before), and
``remove-upgrade`` (the old version gone, the app still installed) forgets nothing and is answered
200 here. Sits behind the token guard: only a checked activity is read.
"""

from __future__ import annotations

import json
import logging
from typing import Any

from handlers.teams.auth import Asgi, Receive, Scope, Send

log = logging.getLogger(__name__)

ADD_UPGRADE, REMOVE_UPGRADE = "add-upgrade", "remove-upgrade"


class UpgradeActivities:
    """ASGI middleware: an app upgrade on POST ``path`` is answered (remove-upgrade) or passed on as an install."""

    def __init__(self, app: Asgi, path: str) -> None:
        self.app, self.path = app, path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not (scope["type"] == "http" and scope.get("path") == self.path and scope.get("method") == "POST"):
            await self.app(scope, receive, send)
            return
        body = await _read(receive)
        action = _upgrade(body)
        if action == REMOVE_UPGRADE:
            log.info("Teams: the app's previous version was removed in an upgrade; the conversation is kept")
            await send({"type": "http.response.start", "status": 200, "headers": [(b"content-length", b"0")]})
            await send({"type": "http.response.body", "body": b""})
            return
        if action == ADD_UPGRADE:
            log.info("Teams: the app was upgraded in a conversation")
            body = json.dumps({**json.loads(body), "action": "add"}).encode()
            scope = {**scope, "headers": _with_length(scope.get("headers", []), len(body))}
        await self.app(scope, _replay(body), send)


async def _read(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


def _upgrade(body: bytes) -> str | None:
    """The upgrade action an installationUpdate carries; None for anything else (the SDK judges that)."""
    try:
        activity = json.loads(body)
    except ValueError:
        return None
    if not isinstance(activity, dict) or activity.get("type") != "installationUpdate":
        return None
    action = activity.get("action")
    return action if action in (ADD_UPGRADE, REMOVE_UPGRADE) else None


def _with_length(headers: Any, length: int) -> list[tuple[bytes, bytes]]:
    kept = [(name, value) for name, value in headers if name.lower() != b"content-length"]
    return [*kept, (b"content-length", str(length).encode())]


def _replay(body: bytes) -> Receive:
    sent = False

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive
