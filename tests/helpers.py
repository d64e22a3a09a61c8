"""Test helpers: the board factories (one seeded board, more actions on it, the core's small board),
and a dump of a database to compare before and after."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.chat.controller import ChatController
from bot.identity import Identity
from bot.services import ActionService
from bot.views import Reply
from storage.models import Action, Agency, Base, Person, Plan, Rag, Review, ReviewKind, Role, Status

CHAIR = "chair@board.example.org"
COORDINATOR = "coordinator@board.example.org"
POLICE_LEAD = "pat.lead@police.example.org"
POLICE_OTHER = "sam.other@police.example.org"
CSC_LEAD = "cara.lead@csc.example.org"
MEMBER = "mo.member@health.example.org"
NAMES = {
    CHAIR: "Helen Chair",
    COORDINATOR: "Colin Coordinator",
    POLICE_LEAD: "Pat Lead",
    POLICE_OTHER: "Sam Other",
    CSC_LEAD: "Cara Lead",
    MEMBER: "Mo Member",
}  # the seeded board's people, as their chat profiles name them


def dump(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, in a stable order: equal dumps mean nothing was written."""
    with engine.connect() as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=lambda row: repr(row))
            for table in Base.metadata.sorted_tables
        }


def seed_board(sessions: sessionmaker[Session], today: date) -> dict[str, int]:
    """A small board: two agencies, six people, one review, four actions in different states."""
    with sessions.begin() as session:
        police = Agency(code="police", name="Avon and Somerset Police")
        csc = Agency(code="csc", name="Children's Social Care")
        session.add_all([police, csc])
        people = {
            CHAIR: Person(name="Helen Chair", email=CHAIR, role=Role.CHAIR),
            COORDINATOR: Person(name="Colin Coordinator", email=COORDINATOR, role=Role.COORDINATOR),
            POLICE_LEAD: Person(name="Pat Lead", email=POLICE_LEAD, role=Role.AGENCY_LEAD, agency=police),
            POLICE_OTHER: Person(name="Sam Other", email=POLICE_OTHER, role=Role.AGENCY_LEAD, agency=police),
            CSC_LEAD: Person(name="Cara Lead", email=CSC_LEAD, role=Role.AGENCY_LEAD, agency=csc),
            MEMBER: Person(name="Mo Member", email=MEMBER, role=Role.MEMBER),
        }
        session.add_all(people.values())
        review = Review(code="CC", title="SCR Child C", kind=ReviewKind.SCR)
        session.add(review)
        session.flush()

        def action(n: int, agency: Agency, owner: Person, due: date, status: Status, **more: Any) -> Action:
            return Action(
                ref=f"CC-{n}", review=review, text=f"Action {n} text", plan=Plan.SINGLE_AGENCY,
                agency=agency, owner=owner, due=due, original_due=due, status=status, rag=Rag.GREEN,
                version=0, **more,
            )  # fmt: skip

        session.add_all(
            [
                action(1, police, people[POLICE_LEAD], today + timedelta(days=30), Status.IN_PROGRESS),
                action(2, csc, people[CSC_LEAD], today - timedelta(days=5), Status.NOT_STARTED),
                action(
                    3,
                    police,
                    people[POLICE_LEAD],
                    today + timedelta(days=3),
                    Status.COMPLETE,
                    evidence="Protocol published",
                    completed_by_id=None,
                ),  # fmt: skip
                action(4, csc, people[CHAIR], today + timedelta(days=60), Status.COMPLETE, evidence="Done"),
            ]
        )
        session.flush()
        chair = people[CHAIR]
        cc4 = session.scalars(select(Action).where(Action.ref == "CC-4")).one()
        cc4.completed_by_id = chair.id
        cc3 = session.scalars(select(Action).where(Action.ref == "CC-3")).one()
        cc3.completed_by_id = people[POLICE_LEAD].id
        return {email: person.id for email, person in people.items()}


def add_actions(db: sessionmaker[Session], count: int, *, owner: str = POLICE_LEAD, start: int = 10) -> None:
    """``count`` more open police actions for ``owner`` in review CC, due from June 2026 on."""
    with db.begin() as session:
        review = session.scalars(select(Review)).one()
        police = session.scalars(select(Agency).where(Agency.code == "police")).one()
        person = session.scalars(select(Person).where(Person.email == owner)).unique().one()
        for n in range(start, start + count):
            due = date(2026, 6, 1) + timedelta(days=n % 90)
            session.add(
                Action(
                    ref=f"CC-{n}",
                    review=review,
                    text=f"Action {n}",
                    agency=police,
                    owner=person,
                    due=due,
                    original_due=due,
                    status=Status.IN_PROGRESS,
                    rag=Rag.GREEN,
                    version=0,
                )
            )


def seed_owners_and_chair(db: sessionmaker[Session]) -> dict[str, int]:
    """Two police owners and a chair in review CC, no actions: each test adds its own."""
    with db.begin() as session:
        police = Agency(code="police", name="Avon and Somerset Police")
        review = Review(code="CC", title="SCR Child C", kind=ReviewKind.SCR)
        people = [
            Person(name="Pat Owner", email="pat@police.example.org", role=Role.AGENCY_LEAD, agency=police),
            Person(name="Sam Owner", email="sam@police.example.org", role=Role.AGENCY_LEAD, agency=police),
            Person(name="Helen Chair", email="chair@board.example.org", role=Role.CHAIR),
        ]
        session.add_all([police, review, *people])
        session.flush()
        return {"police": police.id, "review": review.id, **{p.email.split("@")[0]: p.id for p in people}}


def say(actions: ActionService, text: str, identity: Identity) -> Reply:
    """What a person typing ``text`` gets back: through the chat controller, as every surface does."""
    return ChatController(actions).run_text(text, identity)
