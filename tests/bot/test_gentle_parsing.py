"""Gentle parsing: dates people say, refused dates quoted whole, and ``update X done`` asking for evidence."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.commands import parse
from bot.commands.types import Extend, UpdateAction
from bot.config import Settings
from bot.dates import date_phrase, parse_date
from bot.errors import UsageError
from bot.services import ActionService, Identity
from bot.views import OpenForm
from handlers.slack import blocks
from handlers.teams import cards
from handlers.text import render
from tests.fakes.slack import shown as slack_shown
from tests.fakes.teams import shown as teams_shown
from tests.helpers import POLICE_LEAD, dump, seed_board
from tests.helpers import say as typed

TUESDAY = date(2026, 12, 15)


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("next month", TUESDAY, date(2027, 1, 31)),  # met by next month's end
        ("next month", date(2027, 1, 31), date(2027, 2, 28)),
        ("in a fortnight", TUESDAY, date(2026, 12, 29)),
        ("fortnight", TUESDAY, None),
        ("in 2 fortnights", TUESDAY, date(2027, 1, 12)),
        ("end of next week", TUESDAY, date(2026, 12, 25)),
        ("mid-March", TUESDAY, date(2027, 3, 15)),
        ("mid March", TUESDAY, date(2027, 3, 15)),
        ("Mid-Dec", date(2026, 12, 1), date(2026, 12, 15)),
        ("mid-March 2028", TUESDAY, date(2028, 3, 15)),
        ("the 14th", TUESDAY, date(2027, 1, 14)),  # this month's 14th has gone
        ("the 15th", TUESDAY, date(2026, 12, 15)),
        ("on the 20th", TUESDAY, date(2026, 12, 20)),
        ("the 31st", date(2027, 2, 1), date(2027, 3, 31)),  # February has none
    ],
)
def test_dates_people_say(text: str, today: date, expected: date | None) -> None:
    if expected is None:
        with pytest.raises(Exception, match="can't read"):
            parse_date(text, today)
    else:
        assert parse_date(text, today) == expected


@pytest.mark.parametrize(
    ("words", "quoted"),
    [
        ("next blursday staff off", "next blursday"),
        ("in a fortnite staff off", "in a fortnite"),
        ("end of Marhc staff off", "end of Marhc"),
        ("soonish staff off", "soonish"),
    ],
)
def test_a_refused_date_is_quoted_whole(words: str, quoted: str) -> None:
    assert date_phrase(words.split()) == quoted
    refused = parse(f"extend CC-3 {words}", TUESDAY)
    assert isinstance(refused, UsageError) and f"'{quoted}'" in refused.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("update CC-3 done", UpdateAction("CC-3", None, None, "done")),
        ("update CC-3 Complete.", UpdateAction("CC-3", None, None, "done")),
        ("update CC-3 completed", UpdateAction("CC-3", None, None, "done")),
        ("update CC-3 finished!", UpdateAction("CC-3", None, None, "done")),
        ("update CC-3 extend to next month", UpdateAction("CC-3", None, None, "extend")),
        ("update CC-3 done the first audit", UpdateAction("CC-3", None, "done the first audit")),
        ("extend CC-3 in a fortnight staff off", Extend("CC-3", date(2026, 12, 29), "staff off")),
        ("extend CC-3 mid-March panel moved", Extend("CC-3", date(2027, 3, 15), "panel moved")),
        ("extend CC-3 the 14th panel moved", Extend("CC-3", date(2027, 1, 14), "panel moved")),
    ],
)
def test_update_done_asks_rather_than_stores(text: str, expected: object) -> None:
    assert parse(text, TUESDAY) == expected


def test_update_done_asks_for_evidence_on_every_surface(
    db: sessionmaker[Session], engine: Engine, clock: FrozenClock, settings: Settings
) -> None:
    seed_board(db, local_today(clock, settings.timezone))
    service = ActionService(db, clock, settings)
    before = dump(engine)
    reply = typed(service, "update CC-1 done", Identity("console", email=POLICE_LEAD))
    assert isinstance(reply.view, OpenForm) and reply.view.form == "done" and reply.view.asked
    assert dump(engine) == before  # the word "done" is not stored as a note
    assert "Mark CC-1 complete? Evidence:" in render(reply.view)
    assert "/action done CC-1 <evidence>" in render(reply.view)
    slack = "\n".join(slack_shown(message) for message in blocks.messages(reply.view))  # type: ignore[arg-type]
    assert "Mark CC-1 complete? Evidence:" in slack and "Mark complete" in slack
    teams = "\n".join(teams_shown(cards.as_json(card)) for card in cards.cards(reply.view))  # type: ignore[arg-type]
    assert "Mark CC-1 complete? Evidence:" in teams
    extend = typed(service, "update CC-1 extend next month", Identity("console", email=POLICE_LEAD))
    assert isinstance(extend.view, OpenForm) and extend.view.form == "extend"
    assert dump(engine) == before
