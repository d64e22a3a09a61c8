"""Fixtures for the core's tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Agency, Person, Review, ReviewKind, Role


@pytest.fixture
def board(db: sessionmaker[Session]) -> dict[str, int]:
    """Two owners and a chair; actions are added by each test."""
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
