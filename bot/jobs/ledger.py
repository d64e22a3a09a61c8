"""The reminder ledger: every message is claimed before it is sent and recorded after, so none goes twice.

A claim (a unique key, INSERT ... ON CONFLICT DO NOTHING) is marked ``sending`` just before the
request goes out and ``sent`` with the platform's message id after. A restart, a retry or a second
scheduler therefore never sends one twice: a claim that never reached ``sending`` is safe to take
over; one that did is ``uncertain`` and shown to the coordinator rather than resent.

Every sending process has an identity (a ``scheduler`` row) and a heartbeat, and each claim
records it. A scheduler whose heartbeat stopped (DEAD_AFTER), or whose process is gone from
this host (its own previous run included), is dead: the next run takes over its claims at once
(``reap``), and what it was sending becomes ``uncertain``, listed in the next digest. A scheduler
told to stop finishes the message in flight and ``released`` the claims it had not started.
"""

from __future__ import annotations

import functools
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import BindParameter, ColumnElement, Table, and_, bindparam, case, delete, literal, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.ports import Delivery, Messenger, Outcome
from storage.db import insert_ignoring_conflicts
from storage.models import DigestSent, NudgeSent, Scheduler, SendState, Status

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a definite failure is retried at later runs, then reported
STALE_CLAIM = timedelta(minutes=15)  # a claim with no scheduler (made before 0009) this old belongs to a dead process
HEARTBEAT_EVERY = timedelta(seconds=15)  # a running scheduler shows it is alive this often
DEAD_AFTER = timedelta(seconds=90)  # a scheduler silent this long is dead, wherever it ran
HOST = socket.gethostname()
PROCESS = uuid.uuid4().hex  # this OS process: a pid reused after a restart is not mistaken for it
CATCH_UP = timedelta(days=1)  # a digest missed by less than this is sent late, once
CHANNEL_PACE = 1.1  # seconds between messages to one channel: Slack allows about one a second
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)
REPORTED = (SendState.UNDELIVERABLE, SendState.UNCERTAIN, SendState.GAVE_UP)


class Runtime(Protocol):
    """What the jobs share: the database, the clock, the settings, the chat port, and whether sends stopped."""

    sessions: sessionmaker[Session]
    clock: Clock
    settings: Settings
    messenger: Messenger
    pause: Callable[[float], None]
    stopped: str | None  # set when the platform refuses our credentials
    stopping: threading.Event  # set by an orderly stop (SIGTERM): finish the message in flight, release the rest
    identity: Identity


class Identity:
    """This process's scheduler: registered with its first claim, its heartbeat kept fresh while it runs."""

    def __init__(self) -> None:
        self.id = uuid.uuid4().hex
        self.beaten: datetime | None = None  # when this process last wrote its heartbeat

    def beat(self, session: Session, now: datetime, *, force: bool = False) -> str:
        """Register, or refresh the heartbeat if it is getting old; the id, for claims."""
        if self.beaten is not None and not force and now - self.beaten < HEARTBEAT_EVERY:
            return self.id
        if self.beaten is not None:
            beaten = session.execute(update(Scheduler).where(Scheduler.id == self.id).values(heartbeat_at=now))
            if beaten.rowcount:  # type: ignore[attr-defined]
                self.beaten = now
                return self.id
            log.info("scheduler %s was taken for dead (its claims were taken over); registering again", self.id)
        # Ignoring a conflict: the heartbeat thread and a run may both register it first.
        insert_ignoring_conflicts(session, Scheduler.__table__, {"id": self.id, "host": HOST, "pid": os.getpid(),
                                  "process": PROCESS, "started_at": now, "heartbeat_at": now}, "id")  # fmt: skip
        self.beaten = now
        return self.id

    def retire(self, session: Session) -> None:
        """An orderly stop: release what this scheduler claimed and has not started, and forget it."""
        for model in (NudgeSent, DigestSent):
            session.execute(
                bulk_update(model)
                .where(model.scheduler_id == self.id, model.state == SendState.CLAIMED)
                .values(state=SendState.RELEASED)
            )
        session.execute(delete(Scheduler).where(Scheduler.id == self.id))
        self.beaten = None


@dataclass
class RunSummary:
    """What a run did, for logs, the console's /tick and tests."""

    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    undeliverable: int = 0
    digests: int = 0
    notes: list[str] = field(default_factory=list)


def bulk_update(model: Any) -> Any:
    """An UPDATE of ledger rows: no ORM session synchronisation, one statement each."""
    return update(model.__table__)  # Core: no ORM bulk-update machinery per statement


def local_today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.settings.timezone).date()


def retakeable(model: type[NudgeSent] | type[DigestSent], now: datetime) -> Any:
    """Rows another run may take over: failed and not yet given up, or released by a scheduler that stopped."""
    return or_(
        and_(model.state == SendState.FAILED, model.attempts < MAX_ATTEMPTS),
        model.state == SendState.RELEASED,
    )


def is_dead(scheduler: Any, now: datetime) -> bool:
    """Whether a scheduler row belongs to a process that no longer runs (its heartbeat, or this host, says so)."""
    if scheduler.heartbeat_at < now - DEAD_AFTER:
        return True
    if scheduler.host != HOST:
        return False  # another machine's process: only its heartbeat can tell
    if scheduler.pid == os.getpid():
        return bool(scheduler.process != PROCESS)  # this pid's previous run (a container restarts as pid 1)
    return not _process_alive(scheduler.pid)


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's process
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:  # a killed child not yet reaped is a zombie
            return stat.read().rpartition(")")[2].split()[0] != "Z"
    except OSError:
        return True


def reap(session: Session, now: datetime, me: str) -> None:
    """Take over at once what dead schedulers left: claims not started are released, sends in flight uncertain.

    A claim made before schedulers had identities (no scheduler_id) is judged by its age, as before.
    """
    schedulers = session.execute(select(Scheduler.id, Scheduler.host, Scheduler.pid, Scheduler.process,
                                        Scheduler.heartbeat_at)).all()  # fmt: skip
    dead = [row.id for row in schedulers if row.id != me and is_dead(row, now)]
    if dead:
        log.warning("taking over the claims of %d stopped scheduler(s)", len(dead))
        session.execute(delete(Scheduler).where(Scheduler.id.in_(dead)))  # a handful: one per process
    for model in (NudgeSent, DigestSent):
        orphaned = or_(
            and_(model.scheduler_id.is_not(None), model.scheduler_id.not_in(select(Scheduler.id))),
            and_(model.scheduler_id.is_(None), model.claimed_at < now - STALE_CLAIM),
        )
        # It may have gone out: uncertain, reported in the next digest, never resent.
        session.execute(
            bulk_update(model)
            .where(model.state == SendState.SENDING, orphaned)
            .values(state=SendState.UNCERTAIN, last_error="the sender stopped while sending")
        )
        session.execute(
            bulk_update(model).where(model.state == SendState.CLAIMED, orphaned).values(state=SendState.RELEASED)
        )


def claim(key: str, kind: str, action_id: int, person_id: int | None) -> dict[str, Any]:
    """A ledger row claiming one reminder; what every claim of a run shares is ``claimed_by``'s."""
    return {"key": key, "kind": kind, "action_id": action_id, "person_id": person_id}


def claimed_by(runtime: Runtime, now: datetime, token: str) -> dict[str, Any]:
    """The columns all of a run's claims share: claimed now, by this run and scheduler, not yet tried."""
    return {
        "platform": runtime.messenger.platform, "state": SendState.CLAIMED, "attempts": 0,
        "claimed_at": now, "claimed_by": token, "scheduler_id": runtime.identity.id,
    }  # fmt: skip


CHUNK = 1000  # ids per statement: a person's message may hold any number of rows; bound parameters may not grow


def chunks(row_ids: Sequence[int]) -> list[Sequence[int]]:
    """Row ids in slices of at most CHUNK, so no statement's parameter list grows with the data."""
    return [row_ids[start : start + CHUNK] for start in range(0, len(row_ids), CHUNK)]


TABLE: Table = NudgeSent.__table__  # type: ignore[assignment]
LEDGER = TABLE.c  # Core columns: the send loop's statements skip the ORM's bulk-update machinery


PERSON = LEDGER.person_id
NEXT: BindParameter[int] = bindparam("next_person")  # the person whose message goes next
DONE: BindParameter[int] = bindparam("done_person")  # the person whose message just went
OURS = LEDGER.claimed_by == bindparam("token")
RECORDED = (SendState.SENDING, SendState.UNCERTAIN)  # a sent message's rows: sending, or uncertain if reaped meanwhile


def advance(runtime: Runtime, session: Session, token: str, done: tuple[int, Delivery] | None,
            upcoming: tuple[int, int] | None, summary: RunSummary) -> bool:  # fmt: skip
    """Record the message just sent and mark the next one ``sending``, in one statement.

    A message is all of one person's rows claimed by this run (one message per person per run,
    bot.jobs.policy), so both are found by (claimed_by, person_id) with a fixed set of parameters:
    the statement's text never changes, whatever the messages hold. ``done`` is (person id, delivery),
    ``upcoming`` (person id, how many rows its message holds).

    False if any of the next message's rows is no longer this run's (a run taken for dead lost its
    claims to another): it then sends nothing of that message and releases the rows it still held.
    """
    if done is None and upcoming is None:
        return True
    params: dict[str, Any] = {"token": token}
    shape: tuple[tuple[str, ...], bool] = ((), False)
    if done is not None:
        values = outcome_values(runtime, done[1], summary)
        shape = (tuple(values), values["state"] is SendState.FAILED)  # a failure's state is worked out in SQL
        bound = {f"v_{name}": value for name, value in values.items() if not (shape[1] and name == "state")}
        params.update({"done_person": done[0], **bound})
    if upcoming is None:
        session.execute(_statement(shape, False, True), params)
        return True
    params["next_person"] = upcoming[0]
    if done is None or done[0] == upcoming[0]:  # (a person's message twice in a run: never, but then one by one)
        if done is not None:
            session.execute(_statement(shape, False, True), params)
        marked = session.execute(_statement(((), False), True, False), params).rowcount  # type: ignore[attr-defined]
    else:
        marked = session.execute(_statement(shape, True, True), params).scalars().all().count(upcoming[0])
    if marked == upcoming[1]:
        return True
    session.execute(RELEASE, params)
    return False


@functools.cache
def _statement(shape: tuple[tuple[str, ...], bool], upcoming: bool, done: bool) -> Any:
    """The UPDATE that records a message's outcome and/or marks the next one ``sending``.

    ``shape``: the columns the outcome sets, and whether it failed (then it gives up after MAX_ATTEMPTS).

    Built once per shape: bound parameters only, so SQLAlchemy compiles it once and psycopg prepares it.
    """
    sending = and_(PERSON == NEXT, LEDGER.state == SendState.CLAIMED)
    recorded = and_(PERSON == DONE, LEDGER.state.in_([_typed("state", state) for state in RECORDED]))
    names, failed = shape
    outcome: dict[str, Any] = {name: bindparam(f"v_{name}", type_=LEDGER[name].type) for name in names}
    if failed:
        outcome["state"] = give_up_after_attempts()
    if not upcoming:
        return update(TABLE).where(OURS, recorded).values(**outcome)
    if not done:
        return update(TABLE).where(OURS, sending).values(state=SendState.SENDING, attempts=LEDGER.attempts + 1)
    assignments = {
        "state": case((PERSON == NEXT, _typed("state", SendState.SENDING)), else_=outcome["state"]),
        "attempts": case((PERSON == NEXT, LEDGER.attempts + 1), else_=LEDGER.attempts),
        **{
            name: case((PERSON == NEXT, LEDGER[name]), else_=bound)
            for name, bound in outcome.items()
            if name != "state"
        },
    }
    # person_id IN (two) leads, so both databases look the rows up by the (claimed_by, person_id) index.
    where = and_(OURS, PERSON.in_([NEXT, DONE]), or_(sending, recorded))
    return update(TABLE).where(where).values(**assignments).returning(PERSON)


# A message this run will not send after all: release the rows it had marked ``sending``.
RELEASE = (
    update(TABLE)
    .where(OURS, PERSON == NEXT, LEDGER.state == SendState.SENDING)
    .values(state=SendState.RELEASED, attempts=LEDGER.attempts - 1)
)
# A message marked ``sending`` that will not be sent after all (the credentials were refused): it was never
# requested, so it goes back to ``claimed`` for close_run.
UNSTART = (
    update(TABLE)
    .where(OURS, PERSON == NEXT, LEDGER.state == SendState.SENDING)
    .values(state=SendState.CLAIMED, attempts=LEDGER.attempts - 1)
)


def _typed(name: str, value: Any) -> Any:
    """A value bound with its column's type (UTC datetimes, enums), as ``values()`` would bind it."""
    return value if isinstance(value, ColumnElement) else literal(value, LEDGER[name].type)


def give_up_after_attempts() -> Any:
    """The state of a failed row: failed, or given up once it has been tried MAX_ATTEMPTS times."""
    return case(
        (LEDGER.attempts >= MAX_ATTEMPTS, _typed("state", SendState.GAVE_UP)), else_=_typed("state", SendState.FAILED)
    )


def close_run(runtime: Runtime, session: Session, token: str, messages: int, summary: RunSummary) -> None:
    """What a run leaves unsent: failed when the platform refused us, released when told to stop."""
    unsent = bulk_update(NudgeSent).where(NudgeSent.claimed_by == token, NudgeSent.state == SendState.CLAIMED)
    if runtime.stopped:
        summary.failed += messages
        session.execute(unsent.values(state=give_up_after_attempts(), last_error=runtime.stopped))
    elif runtime.stopping.is_set():
        session.execute(unsent.values(state=SendState.RELEASED))


def outcome_values(runtime: Runtime, delivery: Delivery, summary: RunSummary) -> dict[str, Any]:
    """Ledger values for a delivery's outcome, counting it in the summary."""
    outcome = delivery.outcome
    if outcome is Outcome.SENT:
        summary.sent += 1
        return {"state": SendState.SENT, "sent_at": runtime.clock.now(), "message_ts": delivery.message_id,
                "last_error": None}  # fmt: skip
    if outcome is Outcome.UNCERTAIN:
        summary.uncertain += 1
        return {"state": SendState.UNCERTAIN, "last_error": delivery.detail}
    if outcome is Outcome.UNDELIVERABLE:
        summary.undeliverable += 1
        return {"state": SendState.UNDELIVERABLE, "last_error": delivery.detail}
    if outcome is Outcome.STOPPED:
        runtime.stopped = delivery.detail or "the chat platform refused the bot's credentials"
        log.error("sending stopped: %s", runtime.stopped)
    summary.failed += 1
    return {"state": SendState.FAILED, "last_error": delivery.detail}
