"""The local console: a terminal chat with the bot, like Hubot's shell adapter.

Type `/action ...` lines as the chosen person and read the replies; `/as EMAIL` switches
person. Messages the bot sends to other people are shown marked with their recipient.
When standard input is not a terminal, lines are read one by one, so sessions can be piped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TextIO

from bot.services import ActionService, Identity
from bot.views import Notice, Reply
from handlers.text import render

HELP = """Console commands:
  /action ...        anything from the /action language (try /action help)
  /as EMAIL          act as another person
  /who               who you are acting as
  /quit              leave (Ctrl-D works too)"""


class Console:
    """Reads lines, carries them out as one person, and writes the bot's side of the conversation."""

    def __init__(
        self,
        actions: ActionService,
        email: str | None,
        out: TextIO = sys.stdout,
        extra: dict[str, Callable[[str], str]] | None = None,
    ) -> None:
        self.actions = actions
        self.email = email
        self.out = out
        self.extra = extra or {}  # more slash commands, e.g. /tick from the scheduler

    def say(self, text: str) -> None:
        self.out.write(text.rstrip("\n") + "\n\n")
        self.out.flush()

    def show_notice(self, notice: Notice) -> None:
        """A message the bot sends to someone else, marked with its recipient."""
        self.say(f"→ DM to {notice.to.name} <{notice.to.email}>:\n{_indent(render(notice.view))}")

    def show_reply(self, reply: Reply) -> None:
        self.say(render(reply.view))
        for notice in reply.notices:
            self.show_notice(notice)

    def handle(self, line: str) -> bool:
        """Carry out one line; False when the person wants to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        word, _, rest = line.partition(" ")
        word = word.lower()
        if word in ("/quit", "/exit"):
            return False
        if word == "/as":
            self.email = rest.strip() or self.email
            self.say(f"You are now {self.email}.")
        elif word == "/who":
            self.say(f"You are {self.email or 'nobody yet: /as EMAIL'}.")
        elif word == "/help":
            self.say(HELP)
        elif word in self.extra:
            self.say(self.extra[word](rest))
        elif word in ("/action", "action"):
            self.show_reply(self.actions.handle_text(rest, Identity("console", email=self.email)))
        else:
            self.say(f"I don't know '{word}'. Type /action help, or /help for console commands.")
        return True

    def run(self, lines: TextIO = sys.stdin) -> None:
        """The read-reply loop; echoes piped input so a transcript reads like a chat."""
        interactive = lines.isatty()
        self.say(f"Case-review action tracker console. You are {self.email or 'nobody yet'}. /help for help.")
        while True:
            if interactive:
                try:
                    line = input(f"{self.email or '?'}> ")
                except EOFError:
                    break
            else:
                line = lines.readline()
                if not line:
                    break
                if line.strip():
                    self.out.write(f"{self.email or '?'}> {line.rstrip()}\n")
            if not self.handle(line):
                break


def _indent(text: str) -> str:
    return "\n".join(f"   {line}" for line in text.splitlines())
