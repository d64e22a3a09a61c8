"""The messages a command sends to other people (the chair told of an extension request, the owner told of
a decision) go after the reply, on a pool of their own: a hung DM to the chair holds neither the asker's
reply, nor a Teams card click's answer, nor a listener thread. ``close`` sends what is queued, then stops."""

from __future__ import annotations

import logging
from concurrent.futures import ThreadPoolExecutor

from bot.chat.controller import ChatController
from bot.views import Reply

log = logging.getLogger(__name__)

THREADS = 4


class Notices:
    """A command's notices, sent in the background through the controller's notifier."""

    def __init__(self, name: str, threads: int = THREADS) -> None:
        self._pool = ThreadPoolExecutor(threads, thread_name_prefix=name)

    def send(self, chat: ChatController, reply: Reply) -> None:
        """Queue ``reply``'s notices (nothing when it has none)."""
        if reply.notices:
            self._pool.submit(self._deliver, chat, reply)

    def close(self) -> None:
        """Send every queued notice, then stop the threads."""
        self._pool.shutdown(wait=True)

    @staticmethod
    def _deliver(chat: ChatController, reply: Reply) -> None:
        try:
            chat.notify(reply)  # logs each notice not delivered
        except Exception as error:  # noqa: BLE001 - a pool would swallow it
            log.error("notices after a reply failed: %s", error, exc_info=error)
