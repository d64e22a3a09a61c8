"""Fixtures for the core's tests."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.helpers import seed_owners_and_chair


@pytest.fixture
def board(db: sessionmaker[Session]) -> dict[str, int]:
    """Two owners and a chair; actions are added by each test."""
    return seed_owners_and_chair(db)
