"""Scheduled work: the nudge sweep, escalations and the weekly digest, sent once through the ledger.

Every message is claimed in the ledger (a unique key, INSERT ... ON CONFLICT DO NOTHING)
before it is sent, marked ``sending`` just before the request goes out and ``sent`` with
the platform's message id after. A restart, a retry or a second scheduler therefore never
sends one twice: a claim that never reached ``sending`` is safe to take over; one that did
is ``uncertain`` and shown to the coordinator rather than resent.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.calendar import is_working_day
from bot.clock import Clock
from bot.config import Settings
from bot.dates import format_date
from bot.digest import digest_charts, digest_sections, split_digest
from bot.people import mark_unreachable
from bot.ports import Delivery, Messenger, Outcome
from bot.routing import channel_platform
from bot.rules import escalation_period, impact_check_due, nudge_window, reminder_reason, week_start
from bot.services import ActionService, recipient
from bot.views import DeliveryProblem, Digest, Escalation, ImpactCheck, Nudge, Reminder, UpdateLine
from storage.db import insert_ignoring_conflicts
from storage.models import (
    Action,
    DigestSent,
    NudgeSent,
    Person,
    Role,
    SendState,
    Status,
    Update,
)

log = logging.getLogger(__name__)


def _update(model: type) -> Any:
    # Bulk ledger updates: no ORM session synchronisation, one statement each.
    return update(model).execution_options(synchronize_session=False)


MAX_ATTEMPTS = 3  # a definite failure is retried at later runs, then reported
STALE_CLAIM = timedelta(minutes=15)  # a claim this old that never started sending belongs to a dead process
CATCH_UP = timedelta(days=1)  # a digest missed by less than this is sent late, once
CHANNEL_PACE = 1.1  # seconds between messages to one channel: Slack allows about one a second
OPEN = (Status.NOT_STARTED, Status.IN_PROGRESS)
REPORTED = (SendState.UNDELIVERABLE, SendState.UNCERTAIN, SendState.GAVE_UP)


@dataclass
class RunSummary:
    """What a run did, for logs, the console's /tick and tests."""

    sent: int = 0
    failed: int = 0
    uncertain: int = 0
    undeliverable: int = 0
    digests: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Message:
    person: Person
    kind: str
    row_ids: tuple[int, ...]
    view: Nudge | Escalation | ImpactCheck


class Jobs:
    """Runs what is due: sweeps on working days, the digest on its schedule, retries of failures."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        settings: Settings,
        actions: ActionService,
        messenger: Messenger,
        pause: Callable[[float], None] = time.sleep,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.actions = actions
        self.messenger = messenger
        self.pause = pause
        self.stopped: str | None = None  # set when the platform refuses our credentials

    # ------------------------------------------------------------------ scheduling

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.settings.timezone)

    def latest_digest_week(self, local: datetime) -> date | None:
        """The week of the scheduled digest due now: its time has come, less than CATCH_UP ago.

        A scheduler that was down catches up on a digest it missed by a little; one missed by
        days is left for the next, so a new install does not post last week's digest at once.
        """
        schedule = self.settings.digest_schedule
        monday = week_start(local.date())
        occurrence = datetime.combine(monday + timedelta(days=schedule.weekday), schedule.at, local.tzinfo)
        if local < occurrence:
            occurrence -= timedelta(days=7)
        return week_start(occurrence.date()) if local - occurrence < CATCH_UP else None

    def run_due(self) -> RunSummary:
        """Everything due now, each at most once: also how a restarted scheduler catches up."""
        summary = RunSummary()
        local = self.local_now()
        if is_working_day(local.date()):
            self.retry(summary)
            if local.time() >= self.settings.sweep_at:
                self.sweep(summary)
        week = self.latest_digest_week(local)
        if week is not None:
            self.send_digest(week, summary)
        return summary

    # ------------------------------------------------------------------ nudges and escalations

    def sweep(self, summary: RunSummary | None = None) -> RunSummary:
        """Claim today's nudges and escalations, then send one message per person."""
        summary = summary or RunSummary()
        token, now = uuid.uuid4().hex, self.clock.now()
        today = now.astimezone(self.settings.timezone).date()
        with self.sessions.begin() as session:
            actions = session.scalars(
                select(Action).where(Action.status.in_(OPEN), Action.owner_id.is_not(None))
            ).unique()
            chairs = list(session.scalars(select(Person).where(Person.role == Role.CHAIR)))
            rows = []
            for action in actions:
                window = nudge_window(action.due, today, self.settings.nudge_days)
                if window is not None:
                    rows.append(self._claim(f"nudge:{action.id}:{action.due}:{window}", "nudge", action.id,
                                            action.owner_id, now, token))  # fmt: skip
                period = escalation_period(action.due, today, self.settings.escalate_after_days)
                for chair in chairs if period is not None else ():
                    if chair.id != action.owner_id:
                        rows.append(self._claim(f"escalation:{action.id}:{action.due}:{period}:{chair.id}",
                                                "escalation", action.id, chair.id, now, token))  # fmt: skip
            rows += self._impact_claims(session, today, now, token)
            if rows:
                insert_ignoring_conflicts(session, NudgeSent.__table__, rows, "key")
        return self._deliver(token, today, summary)

    def _impact_claims(self, session: Session, today: date, now: datetime, token: str) -> list[dict[str, Any]]:
        """Months after sign-off, ask the owner whether the change has held (completion is not impact)."""
        horizon = today - timedelta(days=31 * (max(self.settings.impact_months) + 1))
        signed = session.execute(
            select(Action.id, Action.owner_id, Action.signed_off_on).where(
                Action.status == Status.SIGNED_OFF, Action.owner_id.is_not(None), Action.signed_off_on >= horizon
            )
        ).all()
        rows = []
        for action_id, owner_id, signed_off_on in signed:
            if signed_off_on is None:
                continue
            months = impact_check_due(signed_off_on, today, self.settings.impact_months)
            if months is not None:
                rows.append(self._claim(f"impact:{action_id}:{signed_off_on}:{months}", "impact", action_id,
                                        owner_id, now, token))  # fmt: skip
        return rows

    def retry(self, summary: RunSummary | None = None) -> RunSummary:
        """Take over failed sends (up to MAX_ATTEMPTS) and claims left by a process that died before sending."""
        summary = summary or RunSummary()
        token, now = uuid.uuid4().hex, self.clock.now()
        with self.sessions.begin() as session:
            for model in (NudgeSent, DigestSent):
                # Still "sending" long after: the process died mid-request. It may have gone out.
                session.execute(
                    _update(model)
                    .where(model.state == SendState.SENDING, model.claimed_at < now - STALE_CLAIM)
                    .values(state=SendState.UNCERTAIN, last_error="the sender stopped while sending")
                )
            session.execute(
                _update(NudgeSent)
                .where(
                    or_(
                        and_(NudgeSent.state == SendState.FAILED, NudgeSent.attempts < MAX_ATTEMPTS),
                        and_(NudgeSent.state == SendState.CLAIMED, NudgeSent.claimed_at < now - STALE_CLAIM),
                    )
                )
                .values(state=SendState.CLAIMED, claimed_by=token, claimed_at=now)
            )
        summary = self._deliver(token, now.astimezone(self.settings.timezone).date(), summary)
        # A digest refused part-way (rate limit after waiting, 5xx) resumes here too, not a week later.
        with self.sessions() as session:
            weeks = session.scalars(
                select(DigestSent.week).where(
                    DigestSent.channel == self.settings.digest_channel,
                    DigestSent.state == SendState.FAILED,
                    DigestSent.attempts < MAX_ATTEMPTS,
                    DigestSent.claimed_at > now - CATCH_UP,
                )
            ).all()
        for week in weeks:
            self.send_digest(week, summary)
        return summary

    def _claim(self, key: str, kind: str, action_id: int, person_id: int | None, now: datetime, token: str) -> dict:
        return {
            "key": key, "kind": kind, "action_id": action_id, "person_id": person_id,
            "platform": self.messenger.platform, "state": SendState.CLAIMED, "attempts": 0,
            "claimed_at": now, "claimed_by": token,
        }  # fmt: skip

    def _messages(self, session: Session, token: str, today: date) -> list[_Message]:
        """Group this run's claimed rows into one message per person and kind; drop ones that no longer apply."""
        rows = session.execute(
            select(NudgeSent, Action)
            .join(Action, Action.id == NudgeSent.action_id)
            .where(NudgeSent.claimed_by == token, NudgeSent.state == SendState.CLAIMED)
            .order_by(NudgeSent.person_id, Action.due, Action.id)
        ).all()
        pending = self.actions.pending_extensions(session, [action.id for _, action in rows])
        people = {p.id: p for p in session.scalars(select(Person).where(Person.id.in_({r.person_id for r, _ in rows})))}
        grouped: dict[tuple[int, str], list[tuple[NudgeSent, Action]]] = {}
        obsolete = []
        for row, action in rows:
            if self._still_applies(row, action, today):
                grouped.setdefault((row.person_id, row.kind), []).append((row, action))  # type: ignore[arg-type]
            else:
                obsolete.append(row.id)
        if obsolete:
            session.execute(_update(NudgeSent).where(NudgeSent.id.in_(obsolete)).values(state=SendState.OBSOLETE))
        messages = []
        for (person_id, kind), members in grouped.items():
            person = people[person_id]
            reminders = tuple(
                Reminder(self.actions.view(action, pending.get(action.id)), self._reason(action, today, kind))
                for _, action in members
            )
            view: Nudge | Escalation | ImpactCheck = (
                Nudge(person.name, reminders)
                if kind == "nudge"
                else ImpactCheck(person.name, reminders)
                if kind == "impact"
                else Escalation(person.name, reminders, self.settings.escalate_after_days)
            )
            messages.append(_Message(person, kind, tuple(row.id for row, _ in members), view))
        return messages

    def _reason(self, action: Action, today: date, kind: str) -> str:
        if kind == "impact" and action.signed_off_on:
            months = impact_check_due(action.signed_off_on, today, self.settings.impact_months)
            return f"signed off {format_date(action.signed_off_on)}, {months} months ago: has the change held?"
        reason = reminder_reason(action.due, today)
        if kind == "escalation":
            owner = action.owner.name if action.owner else "no owner"
            return f"{reason}; owner: {owner}, {action.agency.name}"
        return reason

    def _still_applies(self, row: NudgeSent, action: Action, today: date) -> bool:
        """A retried reminder is sent only if the action is still open, on the same due date, in the same window."""
        _, _, due, window, *_ = row.key.split(":")
        if row.kind == "impact":
            signed = action.signed_off_on
            return (
                action.status is Status.SIGNED_OFF
                and signed is not None
                and due == signed.isoformat()
                and window == str(impact_check_due(signed, today, self.settings.impact_months))
            )
        if action.status not in OPEN or action.due is None or due != action.due.isoformat():
            return False
        if row.kind == "nudge":
            return window == nudge_window(action.due, today, self.settings.nudge_days)
        return window == str(escalation_period(action.due, today, self.settings.escalate_after_days))

    def _deliver(self, token: str, today: date, summary: RunSummary) -> RunSummary:
        with self.sessions.begin() as session:
            messages = self._messages(session, token, today)
        for message in messages:
            if self.stopped:
                self._finish(message.row_ids, Delivery(Outcome.FAILED, detail=self.stopped), summary)
                continue
            self._mark_sending(message.row_ids)
            delivery = self.messenger.send_direct(recipient(message.person), message.view)
            if delivery.outcome is Outcome.UNDELIVERABLE:
                mark_unreachable(self.sessions, message.person.id, delivery.detail or "cannot be reached")
            self._finish(message.row_ids, delivery, summary)
        return summary

    def _mark_sending(self, row_ids: Sequence[int]) -> None:
        with self.sessions.begin() as session:
            session.execute(
                _update(NudgeSent)
                .where(NudgeSent.id.in_(row_ids))
                .values(state=SendState.SENDING, attempts=NudgeSent.attempts + 1)
            )

    def _finish(self, row_ids: Sequence[int], delivery: Delivery, summary: RunSummary) -> None:
        values = self._after(delivery, summary)
        with self.sessions.begin() as session:
            session.execute(_update(NudgeSent).where(NudgeSent.id.in_(row_ids)).values(**values))
            if delivery.outcome is Outcome.FAILED or delivery.outcome is Outcome.STOPPED:
                session.execute(
                    _update(NudgeSent)
                    .where(NudgeSent.id.in_(row_ids), NudgeSent.attempts >= MAX_ATTEMPTS)
                    .values(state=SendState.GAVE_UP)
                )

    def _after(self, delivery: Delivery, summary: RunSummary) -> dict[str, Any]:
        """Ledger values for a delivery's outcome, counting it in the summary."""
        outcome = delivery.outcome
        if outcome is Outcome.SENT:
            summary.sent += 1
            return {"state": SendState.SENT, "sent_at": self.clock.now(), "message_ts": delivery.message_id,
                    "last_error": None}  # fmt: skip
        if outcome is Outcome.UNCERTAIN:
            summary.uncertain += 1
            return {"state": SendState.UNCERTAIN, "last_error": delivery.detail}
        if outcome is Outcome.UNDELIVERABLE:
            summary.undeliverable += 1
            return {"state": SendState.UNDELIVERABLE, "last_error": delivery.detail}
        if outcome is Outcome.STOPPED:
            self.stopped = delivery.detail or "the chat platform refused the bot's credentials"
            log.error("sending stopped: %s", self.stopped)
        summary.failed += 1
        return {"state": SendState.FAILED, "last_error": delivery.detail}

    # ------------------------------------------------------------------ the weekly digest

    def build_digest(self, session: Session, today: date) -> list[Digest]:
        """This week's digest as messages, from a fixed handful of queries."""
        actions = list(session.scalars(select(Action).order_by(Action.id)).unique())
        pending = self.actions.pending_extensions(session, None)
        views = [self.actions.view(action, pending.get(action.id)) for action in actions]
        since = datetime.combine(today - timedelta(days=7), datetime.min.time(), self.settings.timezone)
        refs = {action.id: action.ref for action in actions}
        updates = [
            UpdateLine(refs[u.action_id], u.person.name if u.person else "(system)", u.kind, u.note, u.at)
            for u in session.scalars(
                select(Update).where(Update.at >= since, Update.source != "import").order_by(Update.at)
            ).unique()
        ]
        problems = self._problems(session, refs)
        unanswered = self._unanswered_impact_checks(session, refs, today)
        return split_digest(digest_sections(views, updates, problems, today, unanswered), week_start(today))

    def _unanswered_impact_checks(self, session: Session, refs: dict[int, str], today: date) -> list[DeliveryProblem]:
        """Impact questions sent over a week ago that nobody has answered since."""
        answered = (
            select(Update.id)
            .where(Update.action_id == NudgeSent.action_id, Update.kind == "impact", Update.at >= NudgeSent.sent_at)
            .exists()
        )
        cutoff = datetime.combine(today - timedelta(days=7), datetime.min.time(), self.settings.timezone)
        rows = session.execute(
            select(NudgeSent, Person.name)
            .join(Person, Person.id == NudgeSent.person_id)
            .where(NudgeSent.kind == "impact", NudgeSent.state == SendState.SENT, NudgeSent.sent_at < cutoff, ~answered)
            .order_by(NudgeSent.sent_at)
        ).all()
        zone = self.settings.timezone
        return [
            DeliveryProblem(
                name,
                f"impact check on {refs.get(row.action_id or 0, '?')} ({row.key.split(':')[-1]} months)",
                "unanswered",
                f"asked {format_date(row.sent_at.astimezone(zone).date())}",
            )
            for row, name in rows
            if row.sent_at is not None
        ]

    def _problems(self, session: Session, refs: dict[int, str]) -> list[DeliveryProblem]:
        rows = session.execute(
            select(NudgeSent, Person.name)
            .join(Person, Person.id == NudgeSent.person_id)
            .where(NudgeSent.state.in_(REPORTED))
            .order_by(NudgeSent.claimed_at)
        ).all()
        problems = [
            DeliveryProblem(
                name, f"{row.kind} about {refs.get(row.action_id or 0, '?')}", row.state.value, row.last_error
            )  # fmt: skip
            for row, name in rows
        ]
        unreachable = session.execute(select(Person.name, Person.unreachable).where(Person.unreachable.is_not(None)))
        problems += [DeliveryProblem(name, "any message", "unreachable", why) for name, why in unreachable]
        for digest in session.scalars(select(DigestSent).where(DigestSent.state.in_(REPORTED))):
            problems.append(DeliveryProblem(digest.channel, f"digest of {digest.week}", digest.state.value,
                                            digest.last_error))  # fmt: skip
        return problems

    def preview_digest(self) -> list[Digest]:
        """The digest as it would go out now, without sending or recording anything."""
        with self.sessions() as session:
            return self.build_digest(session, self.local_now().date())

    def send_digest_now(self) -> str:
        """Post this week's digest now if it has not gone yet (the scheduled run then finds it sent)."""
        if not self.settings.digest_channel:
            return "No digest channel is configured: set DIGEST_CHANNEL to the sub-group channel's id."
        week = week_start(self.local_now().date())
        summary = self.send_digest(week)
        if summary.digests:
            return f"This week's digest was posted to the sub-group channel ({self.settings.digest_channel})."
        with self.sessions() as session:
            row = session.scalars(select(DigestSent).where(DigestSent.week == week)).first()
        state = row.state.value.replace("_", " ") if row else "not sent"
        detail = f" ({row.last_error})" if row and row.last_error else ""
        return f"This week's digest was not posted now: it is {state}{detail}."

    def send_digest(self, week: date, summary: RunSummary | None = None) -> RunSummary:
        """Post a week's digest to the sub-group channel once, resuming after the last part that went out."""
        summary = summary or RunSummary()
        channel = self.settings.digest_channel
        if not channel or self.stopped:
            return summary
        token, now = uuid.uuid4().hex, self.clock.now()
        # Keyed on the channel, not on the messenger: adding a second platform never re-sends a week.
        platform, _ = channel_platform(channel)
        key = f"digest:{channel}:{week.isoformat()}"
        with self.sessions.begin() as session:
            claimed = insert_ignoring_conflicts(
                session, DigestSent.__table__,
                [{"key": key, "channel": channel, "week": week, "platform": platform,
                  "state": SendState.CLAIMED, "attempts": 0, "parts_sent": 0, "claimed_at": now, "claimed_by": token}],
                "key",
            )  # fmt: skip
            if not claimed:
                taken = session.execute(
                    _update(DigestSent)
                    .where(
                        DigestSent.key == key,
                        or_(
                            and_(DigestSent.state == SendState.FAILED, DigestSent.attempts < MAX_ATTEMPTS),
                            and_(DigestSent.state == SendState.CLAIMED, DigestSent.claimed_at < now - STALE_CLAIM),
                        ),
                    )
                    .values(state=SendState.CLAIMED, claimed_by=token, claimed_at=now)
                )
                if not taken.rowcount:  # type: ignore[attr-defined]
                    return summary  # sent already, in flight elsewhere, or reported as uncertain
            row = session.scalars(select(DigestSent).where(DigestSent.key == key)).one()
            row.attempts += 1
            done, attempts = row.parts_sent, row.attempts
            parts = self.build_digest(session, self.local_now().date())
        if done == 0 and parts:
            parts[0] = replace(parts[0], charts=digest_charts(parts))
        uncertain: str | None = None
        for index, part in enumerate(parts[done:], start=done):
            if index > done:
                self.pause(CHANNEL_PACE)
            self._set_digest(key, token, state=SendState.SENDING)
            delivery = self.messenger.post_channel(channel, part)
            if delivery.outcome is Outcome.UNCERTAIN:
                # It may have been posted, so it is never resent; the parts after it certainly were not.
                uncertain = f"part {index + 1} of {len(parts)}: {delivery.detail}"
                summary.uncertain += 1
            elif not delivery.sent:
                values = self._after(delivery, summary)
                if delivery.outcome is Outcome.CHANNEL_PROBLEM:
                    values["state"] = SendState.GAVE_UP  # a wrong or archived channel will not mend itself
                    log.error("digest channel %s: %s (tell the coordinator)", channel, delivery.detail)
                elif attempts >= MAX_ATTEMPTS:
                    values["state"] = SendState.GAVE_UP  # reported in the next digest, never dropped silently
                self._set_digest(key, token, **values)
                return summary
            self._set_digest(key, token, parts_sent=index + 1, message_ts=delivery.message_id, state=SendState.CLAIMED)
        if uncertain:
            self._set_digest(key, token, state=SendState.UNCERTAIN, last_error=uncertain, sent_at=self.clock.now())
        else:
            self._set_digest(key, token, state=SendState.SENT, sent_at=self.clock.now())
        summary.digests += 1
        return summary

    def _set_digest(self, key: str, token: str, **values: Any) -> None:
        with self.sessions.begin() as session:
            statement = _update(DigestSent).where(DigestSent.key == key, DigestSent.claimed_by == token)
            if "message_ts" in values:
                # Keep the first part's id: that is the digest's link in the channel.
                session.execute(
                    statement.where(DigestSent.message_ts.is_(None)).values(message_ts=values["message_ts"])
                )
                values = {name: value for name, value in values.items() if name != "message_ts"}
            session.execute(statement.values(**values))
