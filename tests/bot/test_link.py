"""``/action link``: the coordinator ties a chat account to the person it belongs to when e-mails differ."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.commands import Link, parse
from bot.config import Settings
from bot.errors import UsageError
from bot.services import ActionService, Identity
from bot.views import Problem, Text
from storage.models import Person, Role
from tests.helpers import dump, say

AAD = "8f3a1c2e-1111-2222-3333-444455556666"
TODAY = date(2026, 4, 1)


@pytest.mark.parametrize(
    ("text", "command"),
    [
        (f"link jo@x.org {AAD}", Link("jo@x.org", "teams", AAD)),
        (f"/action link Jo@X.org {AAD.upper()}", Link("jo@x.org", "teams", AAD)),
        ("link <mailto:jo@x.org|jo@x.org> <@U0JO|jo>", Link("jo@x.org", "slack", "U0JO", "jo")),
        ("link jo@x.org teams:abc-123", Link("jo@x.org", "teams", "abc-123")),
        ('link jo@x.org @"Jo Bloggs"', Link("jo@x.org", None, None, "Jo Bloggs")),
    ],
)
def test_link_is_read(text: str, command: Link) -> None:
    assert parse(text, TODAY) == command


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("link", "'link' needs the person's e-mail on the board, then their chat account."),
        ("link jo@x.org", "'link' needs the person's e-mail"),
        (f"link jo {AAD}", "'jo' is not an e-mail address"),
        ("link jo@x.org bob", "'bob' is not a chat account"),
    ],
)
def test_link_refusals_show_the_form(text: str, message: str) -> None:
    error = parse(text, TODAY)
    assert isinstance(error, UsageError) and message in error.message
    assert error.hint and error.hint.startswith("/action link <board e-mail>")


@pytest.fixture
def people(db: sessionmaker[Session]) -> dict[str, int]:
    with db.begin() as session:
        coordinator = Person(name="Colin Coordinator", email="coordinator@board.example.org", role=Role.COORDINATOR)
        jo = Person(name="Jo Bloggs", email="jo.bloggs@police.example.org", role=Role.AGENCY_LEAD)
        sam = Person(name="Sam Smith", email="sam@police.example.org", role=Role.AGENCY_LEAD, teams_user_id=AAD)
        session.add_all([coordinator, jo, sam])
        session.flush()
        return {"coordinator": coordinator.id, "jo": jo.id, "sam": sam.id}


@pytest.fixture
def service(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> ActionService:
    return ActionService(db, clock, settings)


def test_the_coordinator_links_a_teams_account_and_it_then_is_that_person(
    service: ActionService, people: dict[str, int], db: sessionmaker[Session]
) -> None:
    reply = say(
        service, f"link jo.bloggs@police.example.org {AAD}", Identity("console", email="coordinator@board.example.org")
    )
    assert isinstance(reply.view, Text)
    assert reply.view.body == (
        "Linked: that Teams account is now Jo Bloggs <jo.bloggs@police.example.org>. "
        "It was linked to Sam Smith <sam@police.example.org> before."
    )
    with db() as session:
        assert session.get(Person, people["jo"]).teams_user_id == AAD  # type: ignore[union-attr]
        assert session.get(Person, people["sam"]).teams_user_id is None  # type: ignore[union-attr]
    mine = say(service, "mine", Identity("teams", AAD, "jo.b@nhs-mail.example.org"))
    assert "Your actions, Jo Bloggs" in str(mine.view)


def test_a_slack_account_is_linked_the_same_way(service: ActionService, people: dict[str, int], db) -> None:
    say(
        service,
        "link jo.bloggs@police.example.org <@U0JO|jo>",
        Identity("slack", email="coordinator@board.example.org"),
    )
    with db() as session:
        assert session.get(Person, people["jo"]).slack_user_id == "U0JO"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("who", "text", "message"),
    [
        ("jo.bloggs@police.example.org", f"link jo.bloggs@police.example.org {AAD}", "Only the coordinator can link"),
        (
            "coordinator@board.example.org",
            f"link nobody@x.org {AAD}",
            "Nobody on the board has the e-mail nobody@x.org",
        ),
        ("coordinator@board.example.org", 'link jo.bloggs@police.example.org @"Jo"', "I can't tell which chat account"),
    ],
)
def test_link_refusals_write_nothing(
    service: ActionService, people: dict[str, int], engine: Engine, who: str, text: str, message: str
) -> None:
    before = dump(engine)
    reply = say(service, text, Identity("console", email=who))
    assert isinstance(reply.view, Problem) and message in reply.view.message
    assert dump(engine) == before
