"""Fixtures for the reporting tests: a year of history on the demo plan."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from tests.reporting.year import Year, build_year


@pytest.fixture
def year(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> Year:
    """The demo plan after a year of updates, extensions and sign-offs (see year.EVENTS)."""
    return build_year(db, clock, settings)
