"""The plan's own changes (bot.services.editing) through the chat controller: numbering, the anonymity guard,
unchanged edits, closed actions, history in words. Each refusal writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.people import protect_name
from bot.services import ActionService, Identity
from handlers.text import render
from storage.models import Action, Agency, Person, Recommendation, Review, Status, Update
from tests.helpers import COORDINATOR, CSC_LEAD, POLICE_LEAD, add_actions, dump, seed_board
from tests.helpers import say as typed


@pytest.fixture
def service(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> ActionService:
    seed_board(db, local_today(clock, settings.timezone))
    return ActionService(db, clock, settings)


def say(service: ActionService, text: str, email: str = COORDINATOR) -> str:
    return render(typed(service, text, Identity("console", email=email)).view)


def test_a_new_action_takes_the_next_plain_number_of_its_review(
    service: ActionService, db: sessionmaker[Session]
) -> None:
    add_actions(db, 3, start=10)  # CC-10 .. CC-12
    with db.begin() as session:
        review = session.scalars(select(Review)).one()
        police = session.scalars(select(Agency).where(Agency.code == "police")).one()
        session.add(Action(ref="CC-CSC40", review=review, text="Board's own number", agency=police, version=0))
    assert "CC-13 added" in say(service, "add CC Audit the audits agency:police")
    with db() as session:
        added = session.scalars(select(Action).where(Action.ref == "CC-13")).unique().one()
        assert (added.status, added.owner_id, added.agency.code) == (Status.NOT_STARTED, None, "police")


def test_refusals_write_nothing(service: ActionService, db: sessionmaker[Session], engine: Engine) -> None:
    protect_name(db, "CC", "Jayden Smith")
    before = dump(engine)
    assert "Not saved" in say(service, "add CC Call Jayden Smith's school agency:police")
    assert "There is no review ZZ." in say(service, "add ZZ Audit agency:police")
    assert "Which agency leads it? no owner was given." in say(service, "add CC Audit")
    assert "There is no agency 'fire'" in say(service, "add CC Audit agency:fire")
    assert "has passed" in say(service, "add CC Audit agency:police due:01/01/2026")
    assert "CC has no recommendation 9: it has no recommendations on record." in say(
        service, "edit CC-1 recommendation:9"
    )
    assert "Nothing to change: nothing new was saved for CC-1." in say(service, "edit CC-1 text:Action 1 text")
    assert "Pat Lead already owns CC-1." in say(service, f"assign CC-1 {POLICE_LEAD}")
    assert "Not saved" in say(service, "assign CC-1 sam.other@police.example.org Jayden Smith moved")
    with db.begin() as session:
        session.scalars(select(Action).where(Action.ref == "CC-2")).unique().one().status = Status.WITHDRAWN
    before = dump(engine)
    assert "CC-2 was withdrawn by the chair, so it is no longer edited." in say(service, "edit CC-2 text:New")
    assert "CC-2 was withdrawn by the chair, so it is no longer reassigned." in say(service, f"assign CC-2 {CSC_LEAD}")
    assert "so it is no longer edited" in say(service, "edit CC-2 due:31/12/2026")
    assert dump(engine) == before


def test_a_recommendation_and_a_target_are_set_and_cleared(service: ActionService, db: sessionmaker[Session]) -> None:
    with db.begin() as session:
        review = session.scalars(select(Review)).one()
        session.add_all([Recommendation(review_id=review.id, number="1", text="Share"),
                         Recommendation(review_id=review.id, number="2", text="Audit")])  # fmt: skip
    assert "CC-1 edited: recommendation, target wording." in say(service, "edit CC-1 recommendation:2 target:Ongoing")
    assert "its recommendations are 1, 2" in say(service, "edit CC-1 recommendation:7")
    shown = say(service, "history CC-1")
    assert "recommendation — → 2" in shown and "target wording — → Ongoing" in shown
    assert "CC-1 edited: recommendation, target wording." in say(service, 'edit CC-1 recommendation:"" target:""')


def test_history_names_the_people_and_agencies_a_reimport_changed(
    service: ActionService, db: sessionmaker[Session]
) -> None:
    with db.begin() as session:  # a re-import that moved the owner and the lead agency, stored as ids
        action = session.scalars(select(Action).where(Action.ref == "CC-1")).unique().one()
        pat, cara = (session.scalars(select(Person).where(Person.email == e)).one() for e in (POLICE_LEAD, CSC_LEAD))
        action.version = 1
        changes = {
            "owner_id": [pat.id, cara.id],
            "agency_id": [action.agency_id, cara.agency_id],
            "status": ["not_started", "in_progress"],
            "due": ["2026-05-01", "2026-06-01"],
        }
        at = service.clock.now()
        session.add(Update(action_id=action.id, version=1, at=at, source="import", kind="import", changes=changes))
    shown = say(service, "history CC-1", POLICE_LEAD)
    assert "owner Pat Lead → Cara Lead" in shown
    assert "lead agency Avon and Somerset Police → Children's Social Care" in shown
    assert "status not started → in progress" in shown and "due Fri 1 May 2026 → Mon 1 Jun 2026" in shown
    assert f"{pat.id} →" not in shown and "owner_id" not in shown
