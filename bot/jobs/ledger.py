"""The reminder ledger: every message is claimed before it is sent and recorded after, so none goes twice.

A claim (a unique key, INSERT ... ON CONFLICT DO NOTHING) is marked ``sending`` just before the
request goes out and ``sent`` with the platform's message id after. A restart, a retry or a second
scheduler therefore never sends one twice: a claim that never reached ``sending`` is safe to take
over; one that did is ``uncertain`` and shown to the coordinator rather than resent.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import and_, or_, update
from sqlalchemy.orm import Session, sessionmaker

from bot.clock import Clock
from bot.config import Settings
from bot.ports import Delivery, Messenger, Outcome
from storage.models import DigestSent, NudgeSent, SendState, Status

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3  # a definite failure is retried at later runs, then reported
STALE_CLAIM = timedelta(minutes=15)  # a claim this old that never started sending belongs to a dead process
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


@dataclass
class RunSummary:
    """What a run did, for logs, the console's /tick and tests."""

    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    undeliverable: int = 0
    digests: int = 0
    notes: list[str] = field(default_factory=list)


def bulk_update(model: type) -> Any:
    """An UPDATE of ledger rows: no ORM session synchronisation, one statement each."""
    return update(model).execution_options(synchronize_session=False)


def local_today(runtime: Runtime) -> date:
    return runtime.clock.now().astimezone(runtime.settings.timezone).date()


def retakeable(model: type[NudgeSent] | type[DigestSent], now: datetime) -> Any:
    """Rows another run may take over: failed and not yet given up, or claimed by a process that died."""
    return or_(
        and_(model.state == SendState.FAILED, model.attempts < MAX_ATTEMPTS),
        and_(model.state == SendState.CLAIMED, model.claimed_at < now - STALE_CLAIM),
    )


def give_up_on_dead_senders(session: Session, now: datetime) -> None:
    """Still "sending" long after: the process died mid-request. It may have gone out, so it is uncertain."""
    for model in (NudgeSent, DigestSent):
        session.execute(
            bulk_update(model)
            .where(model.state == SendState.SENDING, model.claimed_at < now - STALE_CLAIM)
            .values(state=SendState.UNCERTAIN, last_error="the sender stopped while sending")
        )


def claim(runtime: Runtime, key: str, kind: str, action_id: int, person_id: int | None, now: datetime,
          token: str) -> dict[str, Any]:  # fmt: skip
    """A ledger row claiming one reminder for this run."""
    return {
        "key": key, "kind": kind, "action_id": action_id, "person_id": person_id,
        "platform": runtime.messenger.platform, "state": SendState.CLAIMED, "attempts": 0,
        "claimed_at": now, "claimed_by": token,
    }  # fmt: skip


CHUNK = 1000  # ids per statement: a person's message may hold any number of rows; bound parameters may not grow


def chunks(row_ids: Sequence[int]) -> list[Sequence[int]]:
    """Row ids in slices of at most CHUNK, so no statement's parameter list grows with the data."""
    return [row_ids[start : start + CHUNK] for start in range(0, len(row_ids), CHUNK)]


def mark_sending(runtime: Runtime, row_ids: Sequence[int]) -> None:
    with runtime.sessions.begin() as session:
        for part in chunks(row_ids):
            session.execute(
                bulk_update(NudgeSent)
                .where(NudgeSent.id.in_(part))
                .values(state=SendState.SENDING, attempts=NudgeSent.attempts + 1)
            )


def finish(runtime: Runtime, row_ids: Sequence[int], delivery: Delivery, summary: RunSummary) -> None:
    """Record what became of a message; a definite failure gives up after MAX_ATTEMPTS."""
    values = outcome_values(runtime, delivery, summary)
    failed = delivery.outcome is Outcome.FAILED or delivery.outcome is Outcome.STOPPED
    with runtime.sessions.begin() as session:
        for part in chunks(row_ids):
            session.execute(bulk_update(NudgeSent).where(NudgeSent.id.in_(part)).values(**values))
            if failed:
                session.execute(
                    bulk_update(NudgeSent)
                    .where(NudgeSent.id.in_(part), NudgeSent.attempts >= MAX_ATTEMPTS)
                    .values(state=SendState.GAVE_UP)
                )


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
