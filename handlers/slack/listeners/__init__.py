"""The Slack listeners: module-level functions, one module per kind, each with a ``register(app, later)``.

Every listener is acknowledged on the request thread and carried out afterwards on the listener
pool (``Later``): Bolt runs with ``process_before_response=True``, and what it runs for a request is
only the ack and the hand-over, so no amount of slow work (a locked database, a slow Slack call)
delays an ack. This is Bolt's lazy-listener pattern (``app.command(...)(ack=..., lazy=[...])``) done
without Bolt's lazy runner, which deep-copies the request's context for every lazy call (the
controller and its database engine included) and only logs what a lazy function raises: here the
listener gets the very context it was dispatched with, and an error reaches ``failed``.

What a listener needs comes through Bolt's context, put there by ``inject`` (Bolt middleware):
``context["chat"]`` (the chat controller), ``context["slack"]`` (``SlackDeps``) and
``context["identity"]``, which resolves the person (users.info, cached) when first called, after
the ack. So a listener can be tested by calling it with a stand-in ``ack`` and context.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from slack_bolt import App, BoltContext, BoltResponse

from bot.chat.controller import ChatController
from handlers.slack.deps import SlackDeps
from handlers.slack.listeners import actions, commands, events, files, views
from handlers.slack.listeners.later import Later


def inject(chat: ChatController, deps: SlackDeps) -> Callable[..., BoltResponse | None]:
    """Middleware giving every listener the controller, the Slack helpers and who is asking."""

    def middleware(context: BoltContext, next: Callable[[], BoltResponse | None]) -> BoltResponse | None:
        user_id = context.user_id or ""
        context["chat"] = chat
        context["slack"] = deps
        context["identity"] = cache(lambda: deps.identity(user_id))
        return next()

    return middleware


def register(app: App, chat: ChatController, deps: SlackDeps, later: Later) -> None:
    """The middleware, then every listener."""
    app.use(inject(chat, deps))
    for kind in (commands, actions, views, events, files):
        kind.register(app, later)
