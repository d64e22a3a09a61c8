"""A Teams message's text as the /action line it carries, and card forms read back. Pure."""

from __future__ import annotations

from datetime import date

import pytest

from bot import commands as cmd
from handlers.teams.incoming import Mentioned, Resolved, command_text

BOT = Mentioned("<at>Action Tracker</at>", "28:bot", "Action Tracker")
JO = Mentioned("<at>Jo Bloggs</at>", "29:jo", "Jo Bloggs")
KNOWN = {"29:jo": Resolved("aad-jo", "jo@police.example.org")}
TODAY = date(2026, 4, 1)


@pytest.mark.parametrize(
    ("text", "mentions", "resolved", "expected"),
    [
        ("mine", [], {}, "mine"),
        ("<at>Action Tracker</at> outstanding", [BOT], {}, "outstanding"),
        ("/mine", [], {}, "mine"),
        ("/action update CC-3 on-track", [], {}, "/action update CC-3 on-track"),
        ("<p>update CC-3 Met A&amp;E&nbsp;staff</p>", [], {}, "update CC-3 Met A&E staff"),
        ("done CC-3 line one<br>line two", [], {}, "done CC-3 line one\nline two"),
        ("update CC-3 <3 the team, a < b", [], {}, "update CC-3 <3 the team, a < b"),
        ("<at>Action Tracker</at> list owner:<at>Jo Bloggs</at>", [BOT, JO], KNOWN, "list owner:jo@police.example.org"),
        ("list owner:<at>Jo Bloggs</at>", [JO], {}, 'list owner:@"Jo Bloggs"'),
        ("link jo@x.org <at>Jo Bloggs</at>", [JO], KNOWN, "link jo@x.org teams:aad-jo"),
        ("<at>Action Tracker</at> /action link jo@x.org <at>Jo Bloggs</at>", [BOT, JO], KNOWN,
         "/action link jo@x.org teams:aad-jo"),
        (None, [], {}, ""),
    ],
)  # fmt: skip
def test_the_command_a_message_carries(
    text: str | None, mentions: list[Mentioned], resolved: dict[str, Resolved], expected: str
) -> None:
    assert command_text(text, mentions, "28:bot", resolved) == expected


def test_a_mention_of_someone_else_parses_as_the_owner() -> None:
    line = command_text("list owner:<at>Jo Bloggs</at>", [JO], "28:bot", {})
    parsed = cmd.parse(line, TODAY)
    assert isinstance(parsed, cmd.ListActions) and parsed.owner == cmd.Mention(None, "Jo Bloggs", None)
