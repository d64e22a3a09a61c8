"""Permission promises the matrix in test_services did not hold on its own.

The chair signs actions off, but never their own: not one they marked complete, and not one they
own that someone else marked complete (the only self-sign-off case in the matrix had the chair as
both owner and completer, so a sign-off that checked only the completer passed it).
"""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.services import ActionService, Identity
from bot.views import Changed, Problem, Reply
from storage.models import Action, Person, Status
from tests.helpers import CHAIR, COORDINATOR, POLICE_LEAD, dump, seed_board
from tests.helpers import say as typed


@pytest.fixture
def service(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> ActionService:
    seed_board(db, local_today(clock, settings.timezone))
    return ActionService(db, clock, settings)


def say(service: ActionService, email: str, text: str) -> Reply:
    return typed(service, text, Identity("console", email=email))


def give_to(db: sessionmaker[Session], ref: str, email: str) -> None:
    with db.begin() as session:
        owner = session.scalars(select(Person).where(Person.email == email)).one()
        session.execute(update(Action).where(Action.ref == ref).values(owner_id=owner.id))


def status(db: sessionmaker[Session], ref: str) -> Status:
    with db() as session:
        return session.scalars(select(Action.status).where(Action.ref == ref)).one()


def test_the_chair_cannot_sign_off_an_action_they_own_that_someone_else_marked_complete(
    service: ActionService, db: sessionmaker[Session], engine: Engine
) -> None:
    give_to(db, "CC-1", CHAIR)
    completed = say(service, COORDINATOR, "done CC-1 Protocol published on the intranet")
    assert isinstance(completed.view, Changed), completed.view
    before = dump(engine)

    reply = say(service, CHAIR, "signoff CC-1 Evidence seen")

    assert isinstance(reply.view, Problem), reply.view
    assert "no self-approval" in reply.view.message
    assert dump(engine) == before
    assert status(db, "CC-1") is Status.COMPLETE


def test_the_chair_can_sign_off_what_others_own_and_completed(
    service: ActionService, db: sessionmaker[Session]
) -> None:
    assert isinstance(say(service, POLICE_LEAD, "done CC-1 Protocol published").view, Changed)
    assert isinstance(say(service, CHAIR, "signoff CC-1 Evidence seen").view, Changed)
    assert status(db, "CC-1") is Status.SIGNED_OFF
