"""Posting the weekly digest: claimed once per channel and week, resumed after the last part that went out."""

from __future__ import annotations

import logging
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.config import Settings
from bot.digest import digest_charts
from bot.jobs.digest_queries import build_digest
from bot.jobs.ledger import (
    CATCH_UP,
    CHANNEL_PACE,
    MAX_ATTEMPTS,
    RunSummary,
    Runtime,
    bulk_update,
    local_today,
    outcome_values,
    retakeable,
)
from bot.jobs.policy import digest_day
from bot.ports import Outcome
from bot.routing import channel_platform
from bot.rules import week_start
from bot.views import Digest
from storage.db import insert_ignoring_conflicts
from storage.models import DigestSent, SendState

log = logging.getLogger(__name__)


def latest_digest_week(settings: Settings, local: datetime) -> date | None:
    """The week of the scheduled digest due now: its time has come, less than CATCH_UP ago.

    A scheduler that was down catches up on a digest it missed by a little; one missed by
    days is left for the next, so a new install does not post last week's digest at once.
    """
    schedule = settings.digest_schedule
    monday = week_start(local.date())
    for scheduled in (monday + timedelta(days=schedule.weekday), monday + timedelta(days=schedule.weekday - 7)):
        # Due on a weekend or bank holiday: the next working day instead, once (bot.jobs.policy).
        occurrence = datetime.combine(digest_day(scheduled, settings.bank_holidays), schedule.at, local.tzinfo)
        if occurrence <= local:
            return week_start(scheduled) if local - occurrence < CATCH_UP else None
    return None


def preview(runtime: Runtime) -> list[Digest]:
    """The digest as it would go out now, without sending or recording anything."""
    with runtime.sessions() as session:
        return build_digest(session, local_today(runtime), runtime.settings)


def failed_weeks(runtime: Runtime, now: datetime) -> list[date]:
    """Weeks whose digest was refused part-way recently and may be resumed."""
    with runtime.sessions() as session:
        return list(
            session.scalars(
                select(DigestSent.week).where(
                    DigestSent.channel == runtime.settings.digest_channel,
                    DigestSent.state == SendState.FAILED,
                    DigestSent.attempts < MAX_ATTEMPTS,
                    DigestSent.claimed_at > now - CATCH_UP,
                )
            ).all()
        )


def send_now(runtime: Runtime) -> str:
    """Post this week's digest now if it has not gone yet (the scheduled run then finds it sent)."""
    channel = runtime.settings.digest_channel
    if not channel:
        return "No digest channel is configured: set DIGEST_CHANNEL to the sub-group channel's id."
    week = week_start(local_today(runtime))
    if send(runtime, week, RunSummary()).digests:
        return f"This week's digest was posted to the sub-group channel ({channel})."
    with runtime.sessions() as session:
        row = session.scalars(select(DigestSent).where(DigestSent.week == week)).first()
    state = row.state.value.replace("_", " ") if row else "not sent"
    detail = f" ({row.last_error})" if row and row.last_error else ""
    return f"This week's digest was not posted now: it is {state}{detail}."


def sent_this_week(runtime: Runtime) -> bool:
    """Whether this week's digest has gone out, whole, to the sub-group channel."""
    key = f"digest:{runtime.settings.digest_channel}:{week_start(local_today(runtime)).isoformat()}"
    with runtime.sessions() as session:
        return session.scalar(select(DigestSent.state).where(DigestSent.key == key)) is SendState.SENT


def send(runtime: Runtime, week: date, summary: RunSummary) -> RunSummary:
    """Post a week's digest to the sub-group channel once, resuming after the last part that went out."""
    channel = runtime.settings.digest_channel
    if not channel or runtime.stopped or runtime.stopping.is_set():
        return summary
    token = uuid.uuid4().hex
    key = f"digest:{channel}:{week.isoformat()}"
    with runtime.sessions.begin() as session:
        claimed = _claim(runtime, session, key, week, token)
        if claimed is None:
            return summary  # sent already, in flight elsewhere, or reported as uncertain
        done, attempts = claimed
        parts = build_digest(session, local_today(runtime), runtime.settings)
    if done == 0 and parts:
        parts[0] = replace(parts[0], charts=digest_charts(parts))
    return _post_parts(runtime, key, token, parts, done, attempts, summary)


def _claim(runtime: Runtime, session: Session, key: str, week: date, token: str) -> tuple[int, int] | None:
    """Claim (or take over) the week's ledger row; the parts already sent and this attempt's number."""
    channel, now = runtime.settings.digest_channel, runtime.clock.now()
    # Keyed on the channel, not on the messenger: adding a second platform never re-sends a week.
    platform, _ = channel_platform(channel or "")
    scheduler = runtime.identity.beat(session, now)
    claimed = insert_ignoring_conflicts(
        session, DigestSent.__table__,
        [{"key": key, "channel": channel, "week": week, "platform": platform, "state": SendState.CLAIMED,
          "attempts": 0, "parts_sent": 0, "claimed_at": now, "claimed_by": token, "scheduler_id": scheduler}],
        "key",
    )  # fmt: skip
    if not claimed:
        taken = session.execute(
            bulk_update(DigestSent)
            .where(DigestSent.key == key, retakeable(DigestSent, now))
            .values(state=SendState.CLAIMED, claimed_by=token, claimed_at=now, scheduler_id=scheduler)
        )
        if not taken.rowcount:  # type: ignore[attr-defined]
            return None
    row = session.scalars(select(DigestSent).where(DigestSent.key == key)).one()
    row.attempts += 1
    return row.parts_sent, row.attempts


def _post_parts(
    runtime: Runtime, key: str, token: str, parts: list[Digest], done: int, attempts: int, summary: RunSummary
) -> RunSummary:
    channel = runtime.settings.digest_channel or ""
    uncertain: str | None = None
    for index, part in enumerate(parts[done:], start=done):
        if index > done:
            runtime.pause(CHANNEL_PACE)
        if runtime.stopping.is_set():  # told to stop: the next run resumes after the parts that went out
            _set(runtime, key, token, state=SendState.RELEASED)
            return summary
        if not _set(runtime, key, token, state=SendState.SENDING):
            return summary  # taken for dead and taken over: the new owner posts the rest
        delivery = runtime.messenger.post_channel(channel, part)
        if delivery.outcome is Outcome.UNCERTAIN:
            # It may have been posted, so it is never resent; the parts after it certainly were not.
            uncertain = f"part {index + 1} of {len(parts)}: {delivery.detail}"
            summary.uncertain += 1
        elif not delivery.sent:
            values = outcome_values(runtime, delivery, summary)
            if delivery.outcome is Outcome.CHANNEL_PROBLEM:
                values["state"] = SendState.GAVE_UP  # a wrong or archived channel will not mend itself
                log.error("digest channel %s: %s (tell the coordinator)", channel, delivery.detail)
            elif attempts >= MAX_ATTEMPTS:
                values["state"] = SendState.GAVE_UP  # reported in the next digest, never dropped silently
            _set(runtime, key, token, **values)
            return summary
        _set(runtime, key, token, parts_sent=index + 1, message_ts=delivery.message_id, state=SendState.CLAIMED)
    now = runtime.clock.now()
    if uncertain:
        _set(runtime, key, token, state=SendState.UNCERTAIN, last_error=uncertain, sent_at=now)
    else:
        _set(runtime, key, token, state=SendState.SENT, sent_at=now)
    summary.digests += 1
    return summary


def _set(runtime: Runtime, key: str, token: str, **values: Any) -> bool:
    """Update the week's row if this run still owns it (and keep the heartbeat fresh); whether it did."""
    with runtime.sessions.begin() as session:
        runtime.identity.beat(session, runtime.clock.now())
        statement = bulk_update(DigestSent).where(DigestSent.key == key, DigestSent.claimed_by == token)
        if "message_ts" in values:
            # Keep the first part's id: that is the digest's link in the channel.
            session.execute(statement.where(DigestSent.message_ts.is_(None)).values(message_ts=values["message_ts"]))
            values = {name: value for name, value in values.items() if name != "message_ts"}
        return bool(session.execute(statement.values(**values)).rowcount)  # type: ignore[attr-defined]
