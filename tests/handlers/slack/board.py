"""More actions on the seeded board, for paging and for counting statements."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, Agency, Person, Rag, Review, Status
from tests.helpers import POLICE_LEAD


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
