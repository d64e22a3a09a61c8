"""A name registered for any review is refused in every review's text, and never shown in the digest."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from bot.anonymity import PROTECTED_NAME, guard_digest
from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.digest import digest_sections
from bot.services import ActionService, Identity
from bot.views import DeliveryProblem, Problem, UpdateLine
from storage.models import Action, ProtectedName, Review, ReviewKind
from tests.helpers import POLICE_LEAD, dump, say, seed_board


def test_a_name_registered_for_another_review_is_refused(
    db: sessionmaker[Session], engine: Engine, clock: FrozenClock, settings: Settings
) -> None:
    seed_board(db, local_today(clock, settings.timezone))
    with db.begin() as session:
        other = Review(code="BM", title="Case review Baby M", kind=ReviewKind.CASE_REVIEW)
        session.add(other)
        session.flush()
        session.add(ProtectedName(review_id=other.id, name="Kayleigh Smith"))
    service = ActionService(db, clock, settings)
    before = dump(engine)

    reply = say(service, "update CC-1 at-risk Kayleigh Smith moved schools", Identity("console", email=POLICE_LEAD))

    assert isinstance(reply.view, Problem)
    assert "protected name" in reply.view.message and "kayleigh" not in reply.view.message.lower()
    assert dump(engine) == before


def test_the_digest_withholds_every_text_that_shows_a_protected_name(
    db: sessionmaker[Session], clock: FrozenClock, settings: Settings
) -> None:
    today = local_today(clock, settings.timezone)
    seed_board(db, today)
    service = ActionService(db, clock, settings)
    with db() as session:
        views = [service.view(a, None) for a in session.scalars(select(Action).order_by(Action.id)).unique()]
    at = datetime(2026, 3, 30, 9, tzinfo=UTC)
    updates = [
        UpdateLine("CC-1", "Pat Lead", "update", "Kayleigh-Smith's school re-ran the training", at),
        UpdateLine("CC-2", "Cara Lead", "update", "Training booked for 48 staff", at),
    ]
    problems = [DeliveryProblem("Pat Lead", "nudge about CC-1", "gave_up", "bounced: smith, kayleigh")]
    sections = digest_sections(views, updates, problems, today)

    guarded = guard_digest(sections, ["Kayleigh Smith", "Jane Doe"])

    shown = repr(guarded).lower()
    assert "kayleigh" not in shown
    notes = [u.note for s in guarded for u in s.updates]
    assert notes == [f"[withheld: the text looks like it contains {PROTECTED_NAME}]", "Training booked for 48 staff"]
    assert [p.detail for s in guarded for p in s.problems] == [
        f"[withheld: the text looks like it contains {PROTECTED_NAME}]"
    ]
    # Nothing else changes: the same sections, actions and counts.
    assert [s.heading for s in guarded] == [s.heading for s in sections]
    assert [a.ref for s in guarded for a in s.actions] == [a.ref for s in sections for a in s.actions]
    assert [r for s in guarded for r in s.reviews] == [r for s in sections for r in s.reviews]
    assert guard_digest(sections, []) == sections
