"""bot.changes.record_change(at_once=True): a chat command's one change is written as it is made (one UPDATE,
one INSERT), and the ORM is left with nothing to flush about it at commit."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session, sessionmaker

from bot.changes import record_change
from bot.clock import FrozenClock, local_today
from bot.config import Settings
from storage.models import Action, Person, Rag, Status, Update
from tests.helpers import CSC_LEAD, seed_board

AT = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


def test_a_change_written_at_once_is_stored_and_leaves_nothing_to_flush(
    db: sessionmaker[Session], engine: Engine, clock: FrozenClock, settings: Settings
) -> None:
    seed_board(db, local_today(clock, settings.timezone))
    statements: list[str] = []

    def seen(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        statements.append(statement)

    with db() as session:
        action = session.scalars(select(Action).where(Action.ref == "CC-2")).unique().one()
        lead = session.scalars(select(Person).where(Person.email == CSC_LEAD)).one()
        version = action.version
        session.commit()
        event.listen(engine, "before_cursor_execute", seen)
        try:
            assert record_change(session, action, person=lead, source="slack", kind="update", at=AT,
                                 note="Template agreed", at_once=True, progress="Template agreed",
                                 rag=Rag.AMBER, status=Status.IN_PROGRESS)  # fmt: skip
            assert not session.dirty and not session.new  # nothing left for the flush at commit
            assert (action.progress, action.rag, action.version, action.last_update_at) == (
                "Template agreed", Rag.AMBER, version + 1, AT
            )  # fmt: skip
            # Stored already, in this transaction: a Core read sees it without a flush.
            stored = (
                session.connection()
                .execute(
                    select(Action.__table__.c.progress, Action.__table__.c.version).where(
                        Action.__table__.c.id == action.id
                    )
                )
                .one()
            )
            assert tuple(stored) == ("Template agreed", version + 1)
            # Nothing changed and no note: nothing written.
            assert not record_change(session, action, person=lead, source="slack", kind="update", at=AT,
                                     at_once=True, progress="Template agreed")  # fmt: skip
            session.commit()
        finally:
            event.remove(engine, "before_cursor_execute", seen)
    writes = [s.split()[0] for s in statements if s.split()[0] in ("UPDATE", "INSERT")]
    assert writes == ["UPDATE", "INSERT"]  # one of each, and none more at commit
    with db() as session:
        [entry] = session.scalars(select(Update).where(Update.action_id == action.id)).all()
        assert (entry.version, entry.kind, entry.source, entry.note, entry.person_id) == (
            version + 1, "update", "slack", "Template agreed", lead.id
        )  # fmt: skip
        assert entry.changes["rag"] == ["green", "amber"] and entry.changes["progress"][1] == "Template agreed"
        assert session.get(Action, action.id).status is Status.IN_PROGRESS  # type: ignore[union-attr]
