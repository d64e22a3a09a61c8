"""/import in the console: the same preview and confirmation as an upload in Slack or Teams."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bot import app
from bot.clock import FrozenClock
from bot.config import Settings
from bot.ports import NoMessenger
from handlers.console import Console
from storage.models import Action, PendingUpload
from tests.helpers import COORDINATOR, MEMBER

PLAN = Path(__file__).resolve().parents[1] / "fixtures" / "messy-child-c.csv"


def counts(db: sessionmaker[Session]) -> tuple[int, int]:
    with db() as session:
        return (
            session.scalar(select(func.count()).select_from(Action)) or 0,
            session.scalar(select(func.count()).select_from(PendingUpload)) or 0,
        )


def test_import_previews_then_imports_on_yes(
    board: dict[str, int], db: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    out = io.StringIO()
    console = Console(app.build(settings, clock).actions, COORDINATOR, out)
    before, _ = counts(db)

    console.handle(f"/import {PLAN}")
    assert "Dry run of messy-child-c.csv: nothing was written." in out.getvalue()
    assert "Type /import yes to import it" in out.getvalue()
    assert counts(db) == (before, 1)

    console.handle("/import yes")
    assert "Imported messy-child-c.csv." in out.getvalue()
    after, waiting = counts(db)
    assert after > before and waiting == 0

    console.handle("/import yes")
    assert "already imported or cancelled" in out.getvalue()
    assert counts(db) == (after, 0)


def test_import_no_discards_and_a_member_is_refused(
    board: dict[str, int], db: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    out = io.StringIO()
    actions = app.build(settings, clock).actions
    before, _ = counts(db)
    console = Console(actions, COORDINATOR, out)
    console.handle(f"/import {PLAN}")
    console.handle("/import no")
    assert "Cancelled: nothing was imported" in out.getvalue()
    assert counts(db) == (before, 0)

    member = Console(actions, MEMBER, out)
    member.handle(f"/import {PLAN}")
    assert "Only the board's coordinator can load a plan" in out.getvalue()
    assert counts(db) == (before, 0)


def test_an_unanswered_upload_is_deleted_by_the_scheduler_after_an_hour(
    board: dict[str, int], db: sessionmaker[Session], settings: Settings, clock: FrozenClock
) -> None:
    bot = app.build(settings, clock)
    jobs = app.attach_jobs(bot, NoMessenger(), pause=lambda _: None)
    Console(bot.actions, COORDINATOR, io.StringIO()).handle(f"/import {PLAN}")
    jobs.run_due()
    assert counts(db)[1] == 1  # still waiting for the coordinator
    clock.advance(timedelta(minutes=61))
    jobs.run_due()
    assert counts(db)[1] == 0
