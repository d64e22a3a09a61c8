"""Reading add, edit, assign and find (bot.commands.editing): the forms people type, and the refusals."""

from __future__ import annotations

from datetime import date

import pytest

from bot.commands import AddAction, Assign, Command, EditAction, Find, Mention, parse
from bot.errors import UsageError

WEDNESDAY = date(2026, 4, 1)
JO = Mention(None, "jo", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("add CC", AddAction("CC", None)),
        ("add cc Review the policy", AddAction("CC", "Review the policy")),
        ("add CC Review the policy owner:@jo agency:police due:31/05/2026",
         AddAction("CC", "Review the policy", JO, "police", date(2026, 5, 31))),
        ("add CC owner:jo@police.example.org Train  staff due:31 May 2026",
         AddAction("CC", "Train  staff", Mention(None, None, "jo@police.example.org"), None, date(2026, 5, 31))),
        ('add CC Audit agency:"social care"', AddAction("CC", "Audit", agency="social care")),
        ("edit CC-3", EditAction("CC-3")),
        ("edit cc-3 text:Review the policy again owner:@jo",
         EditAction("CC-3", text="Review the policy again", owner=JO)),
        ('edit CC-3 supporting:"" target:Ongoing', EditAction("CC-3", supporting="", target="Ongoing")),
        ("edit CC-3 agency:social care recommendation:2",
         EditAction("CC-3", agency="social care", recommendation="2")),
        ("edit CC-3 due:31 May 2026 the sheet had the wrong month",
         EditAction("CC-3", due=date(2026, 5, 31), reason="the sheet had the wrong month")),
        ("edit CC-3 due:tomorrow reason:typo", EditAction("CC-3", due=date(2026, 4, 2), reason="typo")),
        ("assign CC-3 @jo", Assign("CC-3", JO)),
        ('assign CC-3 @"Jo Smith" moved team', Assign("CC-3", Mention(None, "Jo Smith", None), "moved team")),
        ("assign CC-3 <@U0JO|jo>", Assign("CC-3", Mention("U0JO", "jo", None))),
        ("find neglect policy", Find("neglect policy")),
        ("find neglect page:3", Find("neglect", 3)),
    ],
)  # fmt: skip
def test_the_forms_people_type(text: str, expected: Command) -> None:
    assert parse(text, WEDNESDAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("add", "Which review?"),
        ("add CC-3 Review", "not an action ref"),
        ("add CC owner:@jo", "'add' needs the action's text"),
        ("add CC Review owner:@jo owner:@sam", "'owner:' is given twice."),
        ("add CC Review due:someday", "can't read 'someday' as a date"),
        ("edit CC-3 colour:blue", "I can't read 'colour:blue'"),
        ("edit CC-3 text:", "'text:' needs the action's new wording."),
        ("edit CC-3 due:31 Feb 2027", "31 February 2027 does not exist"),
        ("assign CC-3", "Who is to own CC-3?"),
        ("assign CC-3 me", "not 'me'"),
        ("find", "'find' needs the words"),
        ("find page:2", "'find' needs the words"),
    ],
)
def test_refusals_say_what_was_wrong(text: str, message: str) -> None:
    result = parse(text, WEDNESDAY)
    assert isinstance(result, UsageError), result
    assert message in result.message, result.message
