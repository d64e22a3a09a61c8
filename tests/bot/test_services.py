"""The core services: every command, the permission matrix, idempotency, and refusals that write nothing."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.clock import FrozenClock, local_today
from bot.config import Settings
from bot.services import ActionService, Identity
from bot.views import (
    ActionDetail,
    ActionList,
    Changed,
    ExtensionDecided,
    ExtensionRequested,
    History,
    OpenForm,
    Outstanding,
    Problem,
    Reply,
)
from storage.models import Action, ExtensionRequest, ExtensionState, ProtectedName, Rag, Status, Update
from tests.helpers import (
    CHAIR,
    COORDINATOR,
    CSC_LEAD,
    MEMBER,
    POLICE_LEAD,
    POLICE_OTHER,
    dump,
    seed_board,
)
from tests.helpers import say as typed


@pytest.fixture
def service(db: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> ActionService:
    seed_board(db, local_today(clock, settings.timezone))
    return ActionService(db, clock, settings)


def say(service: ActionService, email: str, text: str) -> Reply:
    return typed(service, text, Identity("console", email=email))


def action(db: sessionmaker[Session], ref: str) -> Action:
    with db() as session:
        return session.scalars(select(Action).where(Action.ref == ref)).unique().one()


def updates(db: sessionmaker[Session], ref: str) -> list[Update]:
    with db() as session:
        return list(
            session.scalars(
                select(Update)
                .options(joinedload(Update.person))
                .join(Action, Action.id == Update.action_id)
                .where(Action.ref == ref)
                .order_by(Update.version)
            ).unique()
        )


# ------------------------------------------------------------------ changes


def test_update_records_rag_note_and_starts_the_action(service: ActionService, db: sessionmaker[Session]) -> None:
    reply = say(service, CSC_LEAD, "update cc-2 at-risk Waiting for the new assessment template")
    assert isinstance(reply.view, Changed), reply.view
    assert "CC-2" in reply.view.summary and not reply.view.duplicate
    stored = action(db, "CC-2")
    assert (stored.rag, stored.status, stored.progress) == (
        Rag.AMBER,
        Status.IN_PROGRESS,
        "Waiting for the new assessment template",
    )
    [update] = updates(db, "CC-2")
    assert update.source == "console" and update.kind == "update"
    assert update.changes["rag"] == ["green", "amber"]
    assert update.changes["status"] == ["not_started", "in_progress"]
    assert update.person.email == CSC_LEAD


def test_the_same_update_twice_is_recorded_once(service: ActionService, db: sessionmaker[Session]) -> None:
    first = say(service, POLICE_LEAD, "update CC-1 on-track Training booked for May")
    second = say(service, POLICE_LEAD, "update CC-1 on-track Training booked for May")
    assert isinstance(first.view, Changed) and not first.view.duplicate
    assert isinstance(second.view, Changed) and second.view.duplicate
    assert "Already recorded" in second.view.summary
    assert len(updates(db, "CC-1")) == 1
    third = say(service, POLICE_LEAD, "update CC-1 on-track Training booked for 12 May")
    assert isinstance(third.view, Changed) and not third.view.duplicate
    assert len(updates(db, "CC-1")) == 2


def test_update_without_a_note_opens_the_form(service: ActionService, engine: Engine) -> None:
    before = dump(engine)
    reply = say(service, POLICE_LEAD, "update CC-1")
    assert isinstance(reply.view, OpenForm) and reply.view.form == "update"
    assert dump(engine) == before


def test_done_then_signoff_by_the_chair(service: ActionService, db: sessionmaker[Session], clock: FrozenClock) -> None:
    done = say(service, POLICE_LEAD, "done CC-1 Bruising protocol in use in all ED departments")
    assert isinstance(done.view, Changed) and done.view.action.status is Status.COMPLETE
    assert done.view.action.rag is Rag.BLUE
    signed = say(service, CHAIR, "signoff CC-1 Evidence seen at sub-group")
    assert isinstance(signed.view, Changed) and signed.view.action.status is Status.SIGNED_OFF
    stored = action(db, "CC-1")
    assert stored.signed_off_on == local_today(clock, service.settings.timezone)
    assert [u.kind for u in updates(db, "CC-1")] == ["done", "signoff"]
    again = say(service, CHAIR, "signoff CC-1")
    assert isinstance(again.view, Changed) and again.view.duplicate
    assert len(updates(db, "CC-1")) == 2


def test_extension_request_goes_to_the_chair_and_approval_moves_the_due_date(
    service: ActionService, db: sessionmaker[Session]
) -> None:
    old_due = action(db, "CC-1").due
    new_due = old_due + timedelta(days=30)
    request = say(service, POLICE_LEAD, f"extend CC-1 {new_due:%d/%m/%Y} Training provider cancelled")
    assert isinstance(request.view, Changed), request.view
    [notice] = request.notices
    assert notice.to.email == CHAIR and isinstance(notice.view, ExtensionRequested)
    assert notice.view.requested_due == new_due
    assert action(db, "CC-1").due == old_due  # nothing moves until the chair decides

    approved = say(service, CHAIR, "approve CC-1")
    assert isinstance(approved.view, Changed), approved.view
    stored = action(db, "CC-1")
    assert (stored.due, stored.original_due) == (new_due, old_due)
    [told] = approved.notices
    assert told.to.email == POLICE_LEAD and isinstance(told.view, ExtensionDecided) and told.view.approved
    assert [u.kind for u in updates(db, "CC-1")] == ["extension_requested", "extension_approved"]
    assert updates(db, "CC-1")[1].changes["due"] == [old_due.isoformat(), new_due.isoformat()]


def test_decline_keeps_the_due_date_and_tells_the_requester(service: ActionService, db: sessionmaker[Session]) -> None:
    old_due = action(db, "CC-2").due
    say(service, CSC_LEAD, "extend CC-2 in 4 weeks Staff shortage")
    reply = say(service, CHAIR, "decline CC-2 Needed before the Ofsted visit")
    assert isinstance(reply.view, Changed)
    assert action(db, "CC-2").due == old_due
    [told] = reply.notices
    assert isinstance(told.view, ExtensionDecided) and not told.view.approved
    assert told.view.note == "Needed before the Ofsted visit"
    with db() as session:
        [request] = session.scalars(select(ExtensionRequest)).all()
        assert request.state is ExtensionState.DECLINED


def test_an_extension_must_be_later_than_the_due_date(service: ActionService, engine: Engine, db) -> None:
    due = action(db, "CC-1").due
    before = dump(engine)
    reply = say(service, POLICE_LEAD, f"extend CC-1 {due - timedelta(days=1):%Y-%m-%d} reason")
    assert isinstance(reply.view, Problem)
    assert "not later than" in reply.view.message
    assert dump(engine) == before


# ------------------------------------------------------------------ permissions


CHANGE = "update CC-1 on-track Progressing well"
PERMISSIONS = [
    # (who, command, allowed)
    (POLICE_LEAD, CHANGE, True),  # owner
    (POLICE_OTHER, CHANGE, True),  # lead of the owning agency
    (COORDINATOR, CHANGE, True),
    (CSC_LEAD, CHANGE, False),  # another agency
    (CHAIR, CHANGE, False),  # the chair decides, does not update others' actions
    (MEMBER, CHANGE, False),
    (POLICE_LEAD, "done CC-1 evidence", True),
    (CSC_LEAD, "done CC-1 evidence", False),
    (MEMBER, "done CC-1 evidence", False),
    (POLICE_LEAD, "extend CC-1 in 8 weeks reason", True),
    (CSC_LEAD, "extend CC-1 in 8 weeks reason", False),
    (CHAIR, "signoff CC-3", True),
    (COORDINATOR, "signoff CC-3", False),
    (POLICE_LEAD, "signoff CC-3", False),  # owner
    (POLICE_OTHER, "signoff CC-3", False),
    (MEMBER, "signoff CC-3", False),
    (CHAIR, "signoff CC-4", False),  # the chair owns CC-4 and completed it: no self-approval
]


@pytest.mark.parametrize(("who", "text", "allowed"), PERMISSIONS)
def test_permission_matrix(service: ActionService, engine: Engine, who: str, text: str, allowed: bool) -> None:
    before = dump(engine)
    reply = say(service, who, text)
    if allowed:
        assert isinstance(reply.view, Changed), reply.view
    else:
        assert isinstance(reply.view, Problem), reply.view
        assert dump(engine) == before


@pytest.mark.parametrize(
    ("requester", "decider", "allowed"),
    [
        (POLICE_LEAD, CHAIR, True),
        (POLICE_LEAD, COORDINATOR, False),
        (POLICE_LEAD, POLICE_OTHER, False),
        (POLICE_LEAD, MEMBER, False),
    ],
)
def test_extension_decisions_are_the_chairs(
    service: ActionService, engine: Engine, requester: str, decider: str, allowed: bool
) -> None:
    say(service, requester, "extend CC-1 in 8 weeks Waiting for training dates")
    before = dump(engine)
    reply = say(service, decider, "approve CC-1")
    assert isinstance(reply.view, Changed if allowed else Problem), reply.view
    if not allowed:
        assert dump(engine) == before


def test_the_chair_cannot_approve_their_own_extension(service: ActionService, engine: Engine) -> None:
    # CC-4 is owned by the chair; reopen it as in progress so an extension can be asked.
    with service.sessions.begin() as session:
        session.scalars(select(Action).where(Action.ref == "CC-4")).unique().one().status = Status.IN_PROGRESS
    assert isinstance(say(service, CHAIR, "extend CC-4 in 12 weeks More time").view, Changed)
    before = dump(engine)
    reply = say(service, CHAIR, "approve CC-4")
    assert isinstance(reply.view, Problem) and "self-approval" in reply.view.message
    assert dump(engine) == before


def test_a_stranger_is_told_how_to_get_added(service: ActionService) -> None:
    reply = say(service, "nobody@example.org", "mine")
    assert isinstance(reply.view, Problem)
    assert "coordinator" in (reply.view.hint or "")


# ------------------------------------------------------------------ refusals write nothing


@pytest.mark.parametrize(
    ("who", "text", "expected"),
    [
        (POLICE_LEAD, "update CC-99 on-track note", "no action CC-99"),
        (POLICE_LEAD, "update CC-3 on-track note", "waiting for the chair's sign-off"),
        (CHAIR, "signoff CC-1", "only complete actions"),
        (CHAIR, "approve CC-1", "no extension request"),
        (POLICE_LEAD, "update CC-1 on-track Seen at 12 Acacia Road BS16 1AA", "postcode"),
        (POLICE_LEAD, "extend CC-1 31/02/2030 reason", "February"),
        (POLICE_LEAD, "frobnicate CC-1", "Unknown command"),
    ],
)
def test_refusals_say_why_and_write_nothing(
    service: ActionService, engine: Engine, who: str, text: str, expected: str
) -> None:
    before = dump(engine)
    reply = say(service, who, text)
    assert isinstance(reply.view, Problem)
    assert expected.lower() in (reply.view.message + (reply.view.hint or "")).lower()
    assert dump(engine) == before


def test_protected_names_are_refused_without_echoing_them(
    service: ActionService, engine: Engine, db: sessionmaker[Session]
) -> None:
    with db.begin() as session:
        review_id = action(db, "CC-1").review_id
        session.add(ProtectedName(review_id=review_id, name="Jayden Smith"))
    before = dump(engine)
    reply = say(service, POLICE_LEAD, "update CC-1 at-risk Spoke to jayden smith's grandmother")
    assert isinstance(reply.view, Problem)
    assert "jayden" not in reply.view.message.lower()
    assert dump(engine) == before


# ------------------------------------------------------------------ queries


def test_mine_lists_only_my_open_actions(service: ActionService) -> None:
    reply = say(service, POLICE_LEAD, "mine")
    assert isinstance(reply.view, ActionList)
    assert [view.ref for view in reply.view.actions] == ["CC-3", "CC-1"]


def test_list_filters(service: ActionService) -> None:
    overdue = say(service, COORDINATOR, "list overdue")
    assert isinstance(overdue.view, ActionList)
    assert [view.ref for view in overdue.view.actions] == ["CC-2"]
    police = say(service, COORDINATOR, "list agency:police")
    assert isinstance(police.view, ActionList)
    assert {view.ref for view in police.view.actions} == {"CC-1", "CC-3"}
    owner = say(service, COORDINATOR, f"list owner:{CSC_LEAD}")
    assert isinstance(owner.view, ActionList)
    assert [view.ref for view in owner.view.actions] == ["CC-2"]


def test_outstanding_puts_overdue_first_with_days(service: ActionService) -> None:
    reply = say(service, CHAIR, "outstanding")
    assert isinstance(reply.view, Outstanding)
    assert reply.view.total == 2 and reply.view.overdue == 1
    first = reply.view.groups[0]
    assert first.agency == "Children's Social Care" and first.actions[0].ref == "CC-2"
    assert first.actions[0].days_overdue == 5


def test_outstanding_is_paged_not_cut(service: ActionService, db: sessionmaker[Session], clock: FrozenClock) -> None:
    today = local_today(clock, service.settings.timezone)
    with db.begin() as session:
        template = session.scalars(select(Action).where(Action.ref == "CC-1")).unique().one()
        for n in range(10, 35):
            session.add(
                Action(
                    ref=f"CC-{n}",
                    review_id=template.review_id,
                    text=f"Action {n}",
                    agency_id=template.agency_id,
                    owner_id=template.owner_id,
                    due=today + timedelta(days=n),
                    original_due=today + timedelta(days=n),
                    status=Status.IN_PROGRESS,
                    rag=Rag.GREEN,
                    version=0,
                )  # fmt: skip
            )
    seen: list[str] = []
    text = "outstanding"
    while True:
        reply = say(service, CHAIR, text)
        assert isinstance(reply.view, Outstanding)
        seen += [view.ref for group in reply.view.groups for view in group.actions]
        if reply.view.next_command is None:
            break
        text = reply.view.next_command.removeprefix("/action ")
    assert len(seen) == len(set(seen)) == 27
    with db() as session:
        assert session.scalar(select(func.count()).select_from(Action).where(Action.status.in_(
            [Status.NOT_STARTED, Status.IN_PROGRESS]))) == 27  # fmt: skip


def test_show_and_history(service: ActionService) -> None:
    say(service, POLICE_LEAD, "update CC-1 at-risk Trainer off sick")
    show = say(service, COORDINATOR, "show cc-1")
    assert isinstance(show.view, ActionDetail)
    assert show.view.action.owner_rag is Rag.AMBER
    assert show.view.recent[0].note == "Trainer off sick"
    history = say(service, COORDINATOR, "history CC-1")
    assert isinstance(history.view, History)
    [entry] = history.view.entries
    assert (entry.who, entry.source, entry.kind) == ("Pat Lead", "console", "update")


def test_displayed_rag_is_red_when_overdue(service: ActionService) -> None:
    reply = say(service, COORDINATOR, "show CC-2")
    assert isinstance(reply.view, ActionDetail)
    assert reply.view.action.rag is Rag.RED


def test_today_is_in_the_board_time_zone(service: ActionService, clock: FrozenClock) -> None:
    from datetime import UTC, datetime

    clock.set(datetime(2026, 6, 30, 23, 30, tzinfo=UTC))  # 00:30 on 1 July in London
    assert service.today() == date(2026, 7, 1)
