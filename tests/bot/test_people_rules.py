"""The people commands' words and the sweep's routing rules, as tables. Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest

from bot.calendar import Nation
from bot.commands import parse
from bot.commands.types import Away, Leaver, Mention, People, PersonAdd, ReminderSettings, Snooze
from bot.errors import UsageError
from bot.jobs.recipients import Routes, weekly_day
from storage.models import Pace, Role

MONDAY = date(2027, 3, 1)
KIM = Mention(None, "kim", None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("people", People()),
        ("people agency:police page:2", People("police", 2)),
        ('person add jo@x.org "Jo Bloggs" role:agency_lead agency:police',
         PersonAdd("jo@x.org", "Jo Bloggs", Role.AGENCY_LEAD, "police")),
        ("person add JO@X.ORG Jo Bloggs role:chair", PersonAdd("jo@x.org", "Jo Bloggs", Role.CHAIR)),
        ("leaver jo@x.org handover:@kim", Leaver("jo@x.org", KIM)),
        ("leaver jo@x.org handover:<@U12|kim>", Leaver("jo@x.org", Mention("U12", "kim", None))),
        ("away 2/3 13/3 deputy:@kim", Away(date(2027, 3, 2), date(2027, 3, 13), KIM)),
        ("away mon 8 mar fri 12 mar", Away(date(2027, 3, 8), date(2027, 3, 12))),
        ("away today friday for:jo@x.org", Away(MONDAY, date(2027, 3, 5), None, Mention(None, None, "jo@x.org"))),
        ("away off", Away(None, None)),
        ("snooze cc-3 15/3 waiting for the audit", Snooze("CC-3", date(2027, 3, 15), "waiting for the audit")),
        ("snooze CC-3 in 2 weeks audit", Snooze("CC-3", date(2027, 3, 15), "audit")),
        ("settings", ReminderSettings()),
        ("settings weekly", ReminderSettings(Pace.WEEKLY)),
        ("settings as they fall", ReminderSettings(Pace.AS_THEY_FALL)),
        ("settings daily", ReminderSettings(Pace.AS_THEY_FALL)),
    ],
)  # fmt: skip
def test_the_people_commands_parse(text: str, expected: object) -> None:
    assert parse(text, MONDAY) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("person add jo@x.org Jo", "'person add' needs their role: role:coordinator, role:chair, role:agency_lead"),
        ("person add nobody Jo role:chair", "'nobody' is not an e-mail address"),
        ("person add jo@x.org role:chair", "'person add' needs the person's name after jo@x.org"),
        ("person add jo@x.org Jo role:boss", "'boss' is not a role"),
        ("person jo@x.org", "'person' takes 'add'"),
        ("leaver jo@x.org", "'leaver' needs handover:@person: who takes over jo@x.org's open actions."),
        ("away friday", "'away' needs the last day you are away after Fri 5 Mar 2027: it is missing."),
        ("away 13/3 2/3", "The last day, Tue 2 Mar 2027, is before the first, Sat 13 Mar 2027."),
        ("away next blursday", "I can't read 'next blursday' as a date."),
        ("away 1/3/2027 1/6/2028", "An absence of more than a year is leaving"),
        ("snooze CC-3 today audit", "Mon 1 Mar 2027 is not after today"),
        ("snooze CC-3 15/3", "'snooze' needs a reason for no reminders until Mon 15 Mar 2027."),
        ("snooze CC-3", "'snooze' needs the date reminders start again, then a reason."),
        ("settings hourly", "'hourly' is not a setting: use 'settings weekly' or 'settings daily'."),
    ],
)
def test_the_people_commands_refuse_with_a_sentence(text: str, message: str) -> None:
    result = parse(text, MONDAY)
    assert isinstance(result, UsageError) and message in result.message, result
    assert result.hint and result.hint.startswith("/action ")  # the right form


@dataclass
class Someone:
    id: int
    name: str = "Someone"
    left_on: date | None = None
    away_from: date | None = None
    away_to: date | None = None
    deputy_id: int | None = None
    reminders: Pace = Pace.AS_THEY_FALL


ENGLAND: Nation = "england-and-wales"
EASTER_MONDAY, TUESDAY_AFTER = date(2026, 4, 6), date(2026, 4, 7)


@pytest.mark.parametrize(
    ("owner", "deputy", "today", "to"),
    [
        (Someone(1), None, MONDAY, 1),
        (Someone(1, left_on=MONDAY), None, MONDAY, None),
        (Someone(1, away_from=MONDAY, away_to=MONDAY, deputy_id=2), Someone(2), MONDAY, 2),
        (Someone(1, away_from=MONDAY, away_to=MONDAY), None, MONDAY, None),  # no deputy: held
        (Someone(1, away_from=MONDAY, away_to=MONDAY, deputy_id=2), Someone(2, left_on=MONDAY), MONDAY, None),
        (Someone(1, away_from=MONDAY, away_to=MONDAY, deputy_id=2), Someone(2, away_from=MONDAY, away_to=MONDAY),
         MONDAY, None),
        (Someone(1, away_from=date(2027, 2, 1), away_to=date(2027, 2, 28), deputy_id=2), Someone(2), MONDAY, 1),
        (Someone(1, reminders=Pace.WEEKLY), None, MONDAY, 1),
        (Someone(1, reminders=Pace.WEEKLY), None, date(2027, 3, 2), None),
        (Someone(1, reminders=Pace.WEEKLY), None, EASTER_MONDAY, None),
        (Someone(1, reminders=Pace.WEEKLY), None, TUESDAY_AFTER, 1),
        (Someone(1, away_from=MONDAY, away_to=MONDAY, deputy_id=2), Someone(2, reminders=Pace.WEEKLY),
         date(2027, 3, 1), 2),
    ],
)  # fmt: skip
def test_who_receives_a_reminder(owner: Someone, deputy: Someone | None, today: date, to: int | None) -> None:
    routes = Routes([owner, *([deputy] if deputy else [])], today, ENGLAND)
    assert routes.reminder_to(owner.id) == to


def test_snoozed_actions_wait_for_their_date_and_escalations_ignore_the_weekly_setting() -> None:
    routes = Routes([Someone(1, reminders=Pace.WEEKLY)], date(2027, 3, 3), ENGLAND)
    assert routes.reminder_to(1) is None and routes.reminder_to(1, weekly=False) == 1
    monday = Routes([Someone(1)], MONDAY, ENGLAND)
    assert monday.nudge_to(1, date(2027, 3, 2)) is None
    assert monday.nudge_to(1, MONDAY) == 1 and monday.nudge_to(1, None) == 1
    assert [weekly_day(day, ENGLAND) for day in (EASTER_MONDAY, TUESDAY_AFTER, date(2026, 4, 13))] == [
        False,
        True,
        True,
    ]
