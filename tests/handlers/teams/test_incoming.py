"""A Teams message's text as the /action line it carries, and card forms read back. Pure."""

from __future__ import annotations

from datetime import date

import pytest

from bot import commands as cmd
from bot.views import Problem
from handlers.teams import forms
from handlers.teams.incoming import Mentioned, Resolved, command_text
from storage.models import Rag

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


@pytest.mark.parametrize(
    ("form", "data", "expected"),
    [
        ("update", {"rag": "at-risk", "note": " Off sick "}, cmd.UpdateAction("CC-3", Rag.AMBER, "Off sick")),
        ("update", {"note": "Fine"}, cmd.UpdateAction("CC-3", None, "Fine")),
        ("update", {"rag": "purple", "note": "x"}, {"rag": "Choose on track, at risk or off track."}),
        ("update", {"note": ""}, {"note": "Write what has happened since the last update."}),
        ("update", {"note": "x" * 3001}, {"note": "The note is 3,001 characters; the limit is 3,000."}),
        ("done", {"evidence": "Published"}, cmd.Done("CC-3", "Published")),
        ("done", {}, {"evidence": "Say what shows the action is complete: the chair reads it."}),
        ("extend", {"due": "2026-06-30", "reason": "Late"}, cmd.Extend("CC-3", date(2026, 6, 30), "Late")),
        ("extend", {"reason": "Late"}, {"due": "Pick the new due date."}),
        ("decline", {"reason": "No"}, cmd.Decline("CC-3", "No")),
        ("impact", {"note": "Held"}, cmd.Impact("CC-3", "Held")),
    ],
)  # fmt: skip
def test_forms_read_back(form: str, data: dict, expected: object) -> None:
    assert forms.READERS[form]("CC-3", data, TODAY) == expected


def test_a_past_extension_date_is_refused_by_name() -> None:
    errors = forms.read_extend("CC-3", {"due": "2026-03-01", "reason": ""}, TODAY)
    assert isinstance(errors, dict) and set(errors) == {"due", "reason"} and "2026" in errors["due"]


def test_refusals_go_under_the_field_they_concern() -> None:
    later = Problem(
        "Tue 31 Mar 2026 is not later than CC-3's current due date, Fri 1 May 2026.", "Ask for a later date"
    )
    assert set(forms.problem_errors("extend", later)) == {"due"}
    assert forms.problem_errors("update", Problem("Looks like an NHS number.")) == {"note": "Looks like an NHS number."}
    assert forms.typed("update", {"ref": "CC-3", "note": "n", "rag": "at-risk", "form": "update"}) == {
        "rag": "at-risk", "note": "n",
    }  # fmt: skip
