"""The core scenario (update, done, extend, approve, sign-off, outstanding) on every surface, from one list of steps."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, ExtensionRequest, ExtensionState, Status, Update
from tests.scenario.drivers import Driver
from tests.scenario.steps import HISTORY, STEPS


def told_since(driver: Driver, email: str, start: int, notice: str, timeout: float = 5.0) -> str:
    """What ``email`` was sent since ``start``, waiting a little: Slack sends notices after it answers."""
    deadline = time.monotonic() + timeout
    while True:
        news = driver.told(email)[start:]
        if notice in news or time.monotonic() > deadline:
            return news
        time.sleep(0.02)


@pytest.mark.parametrize("surface", ["console_driver", "slack_driver", "teams_driver"])
def test_the_scenario(surface: str, request: pytest.FixtureRequest, db: sessionmaker[Session]) -> None:
    driver: Driver = request.getfixturevalue(surface)
    with db() as session:
        due_before = session.scalars(select(Action.due).where(Action.ref == "BM-1")).one()
    for number, step in enumerate(STEPS, start=1):
        told_before = driver.told(step.told) if step.told else ""
        answer = driver.say(step.who, step.text)
        for words in step.expect:
            assert words in answer, f"step {number} ({step.text}) on {driver.source}: {answer!r}"
        if step.told:
            news = told_since(driver, step.told, len(told_before), step.notice)
            assert step.notice in news, f"step {number}: {step.told} was not told on {driver.source}: {news!r}"
    with db() as session:
        bm1 = session.scalars(select(Action).where(Action.ref == "BM-1")).unique().one()
        cc5 = session.scalars(select(Action).where(Action.ref == "CC-5")).unique().one()
        assert bm1.original_due == due_before and bm1.due > due_before
        assert cc5.status is Status.SIGNED_OFF and (cc5.evidence or "").startswith("All assessments")
        assert session.scalars(select(ExtensionRequest.state)).one() is ExtensionState.APPROVED
        history = session.execute(
            select(Action.ref, Update.kind, Update.source)
            .join(Action, Action.id == Update.action_id)
            .where(Update.source.not_in(("import", "plan")))  # the plan's own dated history aside
            .order_by(Update.id)
        ).all()
    assert [tuple(row) for row in history] == [(ref, kind, driver.source) for ref, kind in HISTORY]
