"""The local console: a terminal chat with the bot, like Hubot's shell adapter.

Type `/action ...` lines as the chosen person and read the replies; `/as EMAIL` switches
person. Messages the bot sends to other people are shown marked with their recipient.
When standard input is not a terminal, lines are read one by one, so sessions can be piped.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import TextIO

from bot.chat.controller import ChatController
from bot.chat.phrases import UPLOAD_CONSOLE_CHOICE
from bot.clock import FrozenClock
from bot.jobs import Jobs
from bot.ports import Delivery, Outcome
from bot.services import ActionService, Identity
from bot.views import Notice, Recipient, Reply, UploadPreview, View
from handlers.text import render

HELP = """Console commands:
  /action ...        anything from the /action language (try /action help)
  /as EMAIL          act as another person
  /who               who you are acting as
  /import PATH       load a plan's spreadsheet: a dry run first, then /import yes or /import no
  /tick [N days]     (--demo) move the clock on, showing every nudge and digest sent
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
        self.chat = ChatController(actions)  # no notifier: the console shows the notices itself
        self.email = email
        self.out = out
        self.extra = extra or {}  # more slash commands, e.g. /tick from the scheduler
        self.pending: str | None = None  # the token of an upload waiting for /import yes or no

    def say(self, text: str) -> None:
        self.out.write(text.rstrip("\n") + "\n\n")
        self.out.flush()

    def show_notice(self, notice: Notice) -> None:
        """A message the bot sends to someone else, marked with its recipient."""
        self.say(_direct(notice.to, notice.view))

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
        elif word == "/import":
            self.say(self.load_plan(rest.strip()))
        elif word in self.extra:
            self.say(self.extra[word](rest))
        elif word in ("/action", "action"):
            self.show_reply(self.chat.run_text(rest, Identity("console", email=self.email)))
        else:
            self.say(f"I don't know '{word}'. Type /action help, or /help for console commands.")
        return True

    def load_plan(self, words: str) -> str:
        """``/import PATH``: the importer's dry run, as an upload in chat; ``/import yes`` / ``no`` decides."""
        identity = Identity("console", email=self.email)
        if words.lower() in ("yes", "no"):
            token, self.pending = self.pending, None
            return render(self.chat.finish_upload(token or "", identity, go=words.lower() == "yes"))
        if not words:
            return "Usage: /import PATH, e.g. /import plans/child-c.xlsx"
        path = Path(words).expanduser()
        refused = self.chat.may_upload(identity) or self.chat.upload_problem(path.name, None)
        if refused is not None:
            return render(refused)
        try:
            content = path.read_bytes()
        except OSError as error:
            return f"Cannot read {path}: {error.strerror or error}."
        view = self.chat.preview_upload(content, path.name, identity)
        if not isinstance(view, UploadPreview):
            return render(view)
        self.pending = view.token
        return f"{render(view)}\n{UPLOAD_CONSOLE_CHOICE}"

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


def _direct(to: Recipient, view: View) -> str:
    return f"→ DM to {to.name} <{to.email}>:\n{_indent(render(view))}"


class ConsoleMessenger:
    """The chat port for the console: messages the bot sends show up marked with their recipient."""

    platform = "console"

    def __init__(self, console: Console) -> None:
        self.console = console
        self.sent = 0

    def _delivered(self) -> Delivery:
        self.sent += 1
        return Delivery(Outcome.SENT, message_id=f"console-{self.sent}")

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        self.console.say(_direct(to, view))
        return self._delivered()

    def post_channel(self, channel: str, view: View) -> Delivery:
        self.console.say(f"→ #{channel}:\n{_indent(render(view))}")
        return self._delivered()


def tick(clock: FrozenClock, jobs: Jobs, words: str) -> str:
    """``/tick [N days|weeks]``: move the demo clock forward, running every sweep and digest due on the way."""
    parts = words.lower().split()
    try:
        count = int(parts[0]) if parts else 1
    except ValueError:
        return "Usage: /tick [N days|weeks], e.g. /tick, /tick 3 days, /tick 2 weeks"
    unit = parts[1] if len(parts) > 1 else "days"
    if count < 0 or count > 400 or not unit.startswith(("day", "week")):
        return "Usage: /tick [N days|weeks] with N from 0 to 400, e.g. /tick 3 days"
    target = clock.now() + timedelta(days=count * (7 if unit.startswith("week") else 1))
    settings = jobs.settings
    day = clock.now().astimezone(settings.timezone).date()
    moments = []
    while day <= target.astimezone(settings.timezone).date():
        moments.append(datetime.combine(day, settings.sweep_at, settings.timezone))
        if day.weekday() == settings.digest_schedule.weekday:
            moments.append(datetime.combine(day, settings.digest_schedule.at, settings.timezone))
        day += timedelta(days=1)
    sent = 0
    for moment in sorted(moments):
        if clock.now() < moment <= target:
            clock.set(moment)
            summary = jobs.run_due()
            sent += summary.sent + summary.digests
    clock.set(target)
    local = target.astimezone(settings.timezone)
    return f"It is now {local:%a %d %b %Y %H:%M}. {sent} message{'s' if sent != 1 else ''} sent on the way."
