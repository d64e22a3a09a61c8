"""The Teams process: the SDK's ASGI app (POST /api/messages, GET /healthz) served by uvicorn.

POST /api/messages is the SDK's, behind ``handlers.teams.auth``'s guard: Bot Framework's signed
token (JWT) is checked on every activity (expiry required, keys cached) and a 401 goes back before
the SDK sees a bad one; the listeners run, and replies go to the activity's serviceUrl.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import socket
import threading
from typing import Any

import uvicorn
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from bot.health import health as health_check
from handlers.teams.app import TeamsApp
from handlers.teams.auth import TokenCheck, TokenGuard
from handlers.teams.upgrades import UpgradeActivities

log = logging.getLogger(__name__)

MESSAGES_PATH = "/api/messages"
HEALTH_PATH = "/healthz"


def asgi_app(teams: TeamsApp) -> FastAPI:
    """The ASGI application: the SDK's FastAPI app, with GET /healthz added once."""
    fastapi: FastAPI = teams.sdk.server.adapter.app  # type: ignore[attr-defined]
    if not any(getattr(route, "path", None) == HEALTH_PATH for route in fastapi.routes):

        async def health() -> JSONResponse:
            """200 when the database answers and Teams has not refused our credentials; else 503 and why."""
            code, answer = await asyncio.to_thread(health_check, teams.bot.engine, "Teams", teams.status.stopped)
            return JSONResponse(answer, status_code=code)

        fastapi.add_api_route(HEALTH_PATH, health, methods=["GET", "HEAD"])
    return fastapi


def guarded_app(teams: TeamsApp, check: TokenCheck | None) -> Any:
    """The ASGI application with the token guard in front (none only for tests that switch tokens off)."""
    app = UpgradeActivities(asgi_app(teams), MESSAGES_PATH)
    return app if check is None else TokenGuard(app, check, MESSAGES_PATH)


def token_check(teams: TeamsApp) -> TokenCheck:
    """The production token check: for the bot's app id, from Bot Framework or the board's Entra tenant."""
    settings = teams.bot.settings
    return TokenCheck.for_bot(settings.teams_app_id or "", settings.teams_tenant_id)


DRAIN = 5  # seconds at most for the requests in flight when stopping


def config(
    teams: TeamsApp, host: str, port: int, *, check: TokenCheck | None, log_level: str = "info"
) -> uvicorn.Config:
    return uvicorn.Config(
        guarded_app(teams, check), host=host, port=port, log_level=log_level, lifespan="off", proxy_headers=True,
        access_log=False, timeout_graceful_shutdown=DRAIN,
    )  # fmt: skip


def serve(teams: TeamsApp, host: str, port: int) -> None:
    """Serve the Teams app until SIGTERM: the production Teams process. uvicorn stops orderly (no new
    connections, the requests in flight answered, at most ``DRAIN`` seconds); the caller then sends the
    notices still queued (``TeamsApp.close``)."""
    log.info("Teams app listening on http://%s:%s (POST %s, GET %s)", host, port, MESSAGES_PATH, HEALTH_PATH)
    # uvicorn raises the signal again once it has stopped, for the handler it found: let that be one
    # that notes it, so that the process goes on to close and exits 0 rather than dying by the signal.
    signal.signal(signal.SIGTERM, _stopped_by)
    uvicorn.Server(config(teams, host, port, check=token_check(teams))).run()


def _stopped_by(number: int, _frame: Any) -> None:
    log.info("%s: the Teams app has stopped taking requests", signal.Signals(number).name)


class _PromptServer(uvicorn.Server):
    """uvicorn, noticing a stop within 10 ms rather than 100 (tests start and stop one per test)."""

    async def main_loop(self) -> None:
        counter = 0
        while not await self.on_tick(counter):
            counter = (counter + 1) % 864000
            await asyncio.sleep(0.01)


class ServerThread:
    """The app served on a loopback port in a background thread, stopped cleanly (tests)."""

    def __init__(self, teams: TeamsApp, host: str = "127.0.0.1", *, check: TokenCheck | None = None) -> None:
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._socket.bind((host, 0))
        port = self._socket.getsockname()[1]
        self.url = f"http://{host}:{port}"
        self.server = _PromptServer(config(teams, host, port, check=check, log_level="warning"))
        self._thread = threading.Thread(target=self._run, name="teams-uvicorn", daemon=True)

    def _run(self) -> None:
        asyncio.run(self.server.serve(sockets=[self._socket]))

    def start(self) -> ServerThread:
        self._thread.start()
        for _ in range(500):
            if self.server.started:
                return self
            threading.Event().wait(0.01)
        raise RuntimeError("the Teams app did not start")

    def stop(self) -> None:
        self.server.should_exit = True
        self._thread.join(timeout=5)
        self._socket.close()
