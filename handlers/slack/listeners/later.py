"""Bolt's part of every listener is its ack; the listener runs after it, on a pool (see the package)."""

from __future__ import annotations

import inspect
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Executor
from typing import Any

from slack_bolt import Ack, BoltContext

from bot.chat import phrases
from bot.views import Reply
from handlers.notices import Notices
from handlers.slack.deps import SlackDeps

log = logging.getLogger(__name__)

FORM_WAIT = 2.0  # seconds a form's submission may take to say "errors" in place (Slack allows 3)
Listener = Callable[..., None]


def failed(error: BaseException, body: dict[str, Any], deps: SlackDeps) -> None:
    """The one place an unexpected error is logged; the person is told, never left waiting."""
    log.error("Slack listener failed: %s", error, exc_info=error)
    response_url = body.get("response_url")
    if response_url:
        try:
            deps.respond(response_url, {"text": phrases.WENT_WRONG})
        except Exception as again:  # noqa: BLE001 - telling them failed too: the log has both
            log.error("could not tell the person something went wrong: %s", again)


def notify(context: BoltContext, reply: Reply) -> None:
    """The messages a command sends to other people, after the reply and off the listener's path
    (``handlers.notices``); at once where no ``Notices`` is wired (listeners called directly in tests)."""
    notices = context.get("notices")
    if notices is None:
        context["chat"].notify(reply)
    else:
        notices.send(context["chat"], reply)


class _Said:
    """The ``ack`` a form's listener calls on the pool: what it says reaches the request thread waiting for it,
    or, once that has stopped waiting and closed the form, ``late`` (the person is told another way)."""

    def __init__(self, late: Callable[[dict[str, Any]], None]) -> None:
        self.late = late
        self.said: dict[str, Any] | None = None
        self.too_late = False
        self._lock = threading.Lock()
        self._done = threading.Event()

    def __call__(self, **said: Any) -> None:
        with self._lock:
            if not self.too_late:
                self.said = said
                self._done.set()
                return
        self.late(said)

    def finished(self) -> None:
        """The listener has returned (or raised): the request thread need not wait any longer."""
        self._done.set()

    def settle(self, wait: float) -> dict[str, Any] | None:
        """What the listener said within ``wait`` seconds; None (and anything later goes to ``late``) if nothing."""
        self._done.wait(wait)
        with self._lock:
            self.too_late = self.said is None
            return self.said


class Later:
    """Registers listeners so that Bolt's part (on the request thread) is the ack, and the listener runs
    after it on ``pool``; ``notices`` carries what commands send to other people."""

    def __init__(self, pool: Executor, notices: Notices | None = None, *, form_wait: float = FORM_WAIT) -> None:
        self.pool = pool
        self.notices = notices
        self.form_wait = form_wait

    def acked(self, listener: Listener) -> Callable[..., None]:
        """For commands and buttons: ack at once, carry out after; the listener's own ack() does nothing."""

        def on_request(ack: Ack, body: dict[str, Any], context: BoltContext, payload: dict[str, Any]) -> None:
            ack()
            self._run(listener, context, body, payload, ack=lambda **_: None)

        return on_request

    def event(self, listener: Listener) -> Callable[..., None]:
        """For events: Bolt acks them itself once this returns."""

        def on_request(body: dict[str, Any], context: BoltContext, payload: dict[str, Any]) -> None:
            self._run(listener, context, body, payload)

        return on_request

    def form(
        self, listener: Listener, late: Callable[[dict[str, Any], BoltContext, dict[str, Any]], None]
    ) -> Callable[..., None]:
        """For form submissions, whose ack carries the field errors: the listener runs on the pool and the
        request thread waits for what it says for at most ``form_wait`` seconds; after that the form closes
        and ``late(body, context, said)`` tells the person what the listener said."""

        def on_request(ack: Ack, body: dict[str, Any], context: BoltContext, payload: dict[str, Any]) -> None:
            said = _Said(lambda what: late(body, context, what))
            self._run(listener, context, body, payload, ack=said, then=said.finished)
            ack(**(said.settle(self.form_wait) or {}))

        return on_request

    def _run(
        self,
        listener: Listener,
        context: BoltContext,
        body: dict[str, Any],
        payload: Any,
        *,
        then: Callable[[], None] = lambda: None,
        **extra: Any,
    ) -> None:
        if self.notices is not None:
            context["notices"] = self.notices
        given = {"body": body, "context": context, "event": payload, "view": payload, **extra}
        wanted = inspect.signature(listener).parameters
        arguments = {name: value for name, value in given.items() if name in wanted}

        def run() -> None:
            try:
                listener(**arguments)
            except Exception as error:  # noqa: BLE001 - the pool would swallow it
                failed(error, body, context["slack"])
            finally:
                then()

        self.pool.submit(run)
