"""Nudges, escalations and impact checks: the working-day sweep decides who is told what, once.

The rules (bot.rules) decide which window an action is in; this module claims a ledger row per
reminder, groups a run's rows into one message per person and kind, and sends them.
"""

from __future__ import annotations

import functools
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.dates import format_date
from bot.jobs.ledger import (
    OPEN,
    UNSTART,
    RunSummary,
    Runtime,
    advance,
    bulk_update,
    chunks,
    claim,
    claimed_by,
    close_run,
    retakeable,
)
from bot.jobs.policy import DM_GAP_DAYS, action_reminder_allowed, escalates_today, one_message_each, signed_off_age
from bot.jobs.recipients import Routes
from bot.jobs.rows import action_rows, row_view
from bot.ports import Delivery
from bot.rules import escalation_period, impact_check_due, nudge_window, reminder_reason
from bot.services.context import recipient
from bot.services.queries import Pending, pending_extensions
from bot.views import Built, Escalation, ImpactCheck, Nudge, Reminder, Reminders
from storage.db import insert_ignoring_conflicts, one_connection
from storage.models import Action, NudgeSent, Person, Role, SendState, Status

Row = Any  # a Core row: the ledger's and the action's columns (bot.jobs.rows)


def _read(session: Session) -> Any:
    """Execute a SELECT of columns on the session's connection: Core rows, without the ORM's loading per row
    (the sweep reads every open action and every claimed reminder)."""
    return session.connection().execute


@dataclass(frozen=True)
class _Message:
    person: Person
    kind: str
    row_ids: tuple[int, ...]
    view: Nudge | Escalation | ImpactCheck | Reminders


def sweep(runtime: Runtime, summary: RunSummary) -> RunSummary:
    """Claim today's nudges and escalations, then send one message per person."""
    if runtime.stopping.is_set():
        return summary  # told to stop: claim nothing new
    token, now = uuid.uuid4().hex, runtime.clock.now()
    today = now.astimezone(runtime.settings.timezone).date()
    with runtime.sessions.begin() as session:
        runtime.identity.beat(session, now)  # registered before its first claim
        _claim_due(runtime, session, today, now, token)
        messages = _messages(runtime, session, token, today, fresh=True)
    return deliver(runtime, token, messages, summary)


def _claim_due(runtime: Runtime, session: Session, today: date, now: datetime, token: str) -> None:
    """Claim for this run every nudge, escalation and impact check due today that no run has claimed."""
    settings = runtime.settings
    # An action due later than the earliest nudge is in no window yet (bot.rules: nudge_window,
    # escalation_period): only those due by then are read.
    horizon = today + timedelta(days=max((*settings.nudge_days, 0)))
    actions = _read(session)(
        select(Action.id, Action.owner_id, Action.due, Action.snooze_until).where(
            Action.status.in_(OPEN), Action.owner_id.is_not(None), Action.due <= horizon
        )
    )
    available = (Person.id, Person.name, Person.role, Person.left_on, Person.away_from, Person.away_to,
                 Person.deputy_id, Person.reminders)  # fmt: skip
    everyone = _read(session)(select(*available)).all()  # column rows: who is away, who covers, who left
    chairs = [person for person in everyone if person.role is Role.CHAIR]
    rows: list[dict[str, Any]] = []
    # Absences, deputies, leavers, snoozes and weekly settings (bot.jobs.recipients), and one DM a week per
    # action (bot.jobs.policy): a reminder held back today is not claimed, so it is sent when it applies again, once.
    routes = Routes(everyone, today, settings.bank_holidays)
    reminded = last_reminded(runtime, session, now)
    windows = _Windows(runtime, today)
    for action in actions.all():
        window, period = windows.of(action.due)
        to = routes.nudge_to(action.owner_id, action.snooze_until)
        if window is not None and to is not None and windows.allowed(action.due, reminded.actions.get(action.id)):
            rows.append(claim(f"nudge:{action.id}:{action.due}:{window}", "nudge", action.id, to))
        for chair in chairs if period is not None else ():
            to = routes.reminder_to(chair.id, weekly=False)
            if chair.id != action.owner_id and to is not None and to != action.owner_id:
                rows.append(claim(f"escalation:{action.id}:{action.due}:{period}:{chair.id}", "escalation",
                                  action.id, to))  # fmt: skip
    rows += _impact_claims(runtime, session, today, routes, reminded.actions, windows)
    # One DM per person per working day (bot.jobs.policy): someone an earlier run messaged today (a second
    # sweep, a catch-up after a restart, a due date changed since) gets the rest on the next working day.
    rows = [row for row in rows if row["person_id"] not in reminded.today]
    if rows:
        # Stored person by person: each message's rows sit side by side (consecutive ids, a few pages), so
        # marking one ``sending`` and recording it writes a few pages per commit, not one per row.
        rows.sort(key=lambda row: row["person_id"])
        insert_ignoring_conflicts(session, NudgeSent.__table__, rows, "key", same=claimed_by(runtime, now, token))


class _Windows:
    """Today's rules for a due date (bot.rules, bot.jobs.policy), worked out once per date: every action due
    the same day is in the same nudge window and escalation period, and is allowed a DM alike."""

    def __init__(self, runtime: Runtime, today: date) -> None:
        self.settings, self.today = runtime.settings, today
        self._of: dict[date | None, tuple[str | None, int | None]] = {}
        self._allowed: dict[tuple[date | None, date | None], bool] = {}

    def of(self, due: date | None) -> tuple[str | None, int | None]:
        """The nudge window an action due then is in today, and the escalation period the chair hears of today."""
        found = self._of.get(due)
        if found is None:
            settings, today = self.settings, self.today
            period = escalation_period(due, today, settings.escalate_after_days)
            if period is not None and not escalates_today(
                period, today, settings.digest_schedule.weekday, settings.bank_holidays
            ):
                period = None  # the chair's escalations go weekly, with the digest (bot.jobs.policy)
            found = self._of[due] = (nudge_window(due, today, settings.nudge_days), period)
        return found

    def allowed(self, due: date | None, last_sent: date | None) -> bool:
        """One action's nudges and impact checks: at most one DM a week, unless it is due (bot.jobs.policy)."""
        found = self._allowed.get((due, last_sent))
        if found is None:
            found = self._allowed[due, last_sent] = action_reminder_allowed(
                due, self.today, last_sent, self.settings.bank_holidays
            )
        return found


@dataclass(frozen=True)
class PlannedMessage:
    """A message today's sweep would send: to whom, and the reminder view (actions and why)."""

    name: str
    email: str
    view: Nudge | Escalation | ImpactCheck | Reminders


def plan(runtime: Runtime) -> list[PlannedMessage]:
    """What a sweep now would send, worked out by the sweep's own claim and grouping, then rolled back."""
    token, now = uuid.uuid4().hex, runtime.clock.now()
    today = now.astimezone(runtime.settings.timezone).date()
    with runtime.sessions() as session:
        session.begin()
        _claim_due(runtime, session, today, now, token)
        planned = [
            PlannedMessage(message.person.name, message.person.email, message.view)
            for message in _messages(runtime, session, token, today)
        ]
        session.rollback()  # a dry run writes nothing
    return planned


@dataclass(frozen=True)
class Sent:
    """What the ledger says went out lately: the day each action was last in a nudge or impact check, and
    who has had a DM today (one query)."""

    actions: dict[int, date]
    today: frozenset[int]


def last_reminded(runtime: Runtime, session: Session, now: datetime) -> Sent:
    """From the ledger: action id → the day its owner was last sent (or may have been sent) a nudge or impact
    check about it, and the people sent (or maybe sent) any DM today, by an earlier run."""
    gone = (SendState.CLAIMED, SendState.SENDING, SendState.SENT, SendState.UNCERTAIN)
    rows = _read(session)(
        select(NudgeSent.action_id, NudgeSent.person_id, NudgeSent.kind, func.max(NudgeSent.claimed_at))
        .where(NudgeSent.state.in_(gone), NudgeSent.claimed_at >= now - timedelta(days=DM_GAP_DAYS + 1))
        .group_by(NudgeSent.action_id, NudgeSent.person_id, NudgeSent.kind)
    ).all()  # fmt: skip
    zone = runtime.settings.timezone
    today = now.astimezone(zone).date()
    actions: dict[int, date] = {}
    messaged = set()
    for action_id, person_id, kind, last in rows:
        day = last.astimezone(zone).date()
        if day == today and person_id is not None:
            messaged.add(person_id)
        if kind in ("nudge", "impact") and action_id is not None:
            actions[action_id] = max(day, actions.get(action_id, day))
    return Sent(actions, frozenset(messaged))


def _impact_claims(
    runtime: Runtime, session: Session, today: date, routes: Routes, reminded: dict[int, date], windows: _Windows
) -> list[dict[str, Any]]:
    """Months after sign-off, ask the owner whether the change has held (completion is not impact)."""
    months_asked = runtime.settings.impact_months
    horizon = today - timedelta(days=31 * (max(months_asked) + 1))
    signed = _read(session)(
        select(Action.id, Action.owner_id, Action.signed_off_on).where(
            Action.status == Status.SIGNED_OFF, Action.owner_id.is_not(None), Action.signed_off_on >= horizon
        )
    ).all()
    rows = []
    for action_id, owner_id, signed_off_on in signed:
        if signed_off_on is None:
            continue
        months = impact_check_due(signed_off_on, today, months_asked)
        to = routes.reminder_to(owner_id)
        if months is not None and to is not None and windows.allowed(None, reminded.get(action_id)):
            rows.append(claim(f"impact:{action_id}:{signed_off_on}:{months}", "impact", action_id, to))
    return rows


def retake(runtime: Runtime, session: Session, now: datetime, token: str, scheduler: str) -> list[_Message]:
    """Claim, for this run, reminders that failed (up to MAX_ATTEMPTS) or were left by a scheduler that stopped."""
    session.execute(
        bulk_update(NudgeSent)
        .where(retakeable(NudgeSent, now))
        .values(state=SendState.CLAIMED, claimed_by=token, claimed_at=now, scheduler_id=scheduler)
    )
    return _messages(runtime, session, token, now.astimezone(runtime.settings.timezone).date())


def deliver(runtime: Runtime, token: str, messages: list[_Message], summary: RunSummary) -> RunSummary:
    """Send this run's claimed reminders, one message per person and kind, recording each outcome.

    One transaction per message, all on one connection: it records the previous message's outcome and
    marks this one ``sending``, so only the message in flight can be left uncertain. Told to stop, the
    run finishes the message in flight and releases the rest for the next run.
    """
    previous: tuple[int, Delivery] | None = None  # the person just sent to, and how it went
    unsent = 0
    with one_connection(runtime.sessions) as session:
        for index, message in enumerate(messages):
            with session.begin():
                if runtime.stopped or runtime.stopping.is_set():
                    unsent = len(messages) - index
                    break
                runtime.identity.beat(session, runtime.clock.now())
                upcoming = (message.person.id, len(message.row_ids))
                ours = advance(runtime, session, token, previous, upcoming, summary)
                previous = None
                if runtime.stopped:  # the previous message found our credentials refused: this one is not sent
                    unsent = len(messages) - index
                    session.execute(UNSTART, {"token": token, "next_person": message.person.id})
                    break
            if ours:
                # An undeliverable person is marked unreachable by the messenger, which knows the platform's reason.
                delivery = runtime.messenger.send_direct(recipient(message.person), message.view)
                previous = (message.person.id, delivery)
        with session.begin():
            advance(runtime, session, token, previous, None, summary)
            close_run(runtime, session, token, unsent, summary)
    return summary


def _messages(runtime: Runtime, session: Session, token: str, today: date, *, fresh: bool = False) -> list[_Message]:
    """Group this run's claimed rows into one message per person and kind; drop ones that no longer apply.

    ``fresh``: the rows were claimed in this transaction, from the actions as they are, so all apply.
    Each message's reminder views are built when the message is rendered (views.Built), for the ones shown.
    """
    claimed = (NudgeSent.claimed_by == token, NudgeSent.state == SendState.CLAIMED)
    ledger = (NudgeSent.id.label("row_id"), NudgeSent.key, NudgeSent.kind, NudgeSent.person_id)
    rows = _read(session)(
        action_rows(*ledger, start=(NudgeSent, Action.id == NudgeSent.action_id))
        .where(*claimed)
        .order_by(NudgeSent.person_id, Action.due, Action.id)
    ).all()
    # Subqueries, not id lists: a run may claim any number of rows.
    pending = pending_extensions(session, select(NudgeSent.action_id).where(*claimed))
    people = {
        p.id: p
        for p in session.scalars(select(Person).where(Person.id.in_(select(NudgeSent.person_id).where(*claimed))))
    }
    grouped: dict[tuple[int, str], list[Row]] = {}
    obsolete = []
    for row in rows:
        if fresh or _still_applies(runtime, row, today):
            grouped.setdefault((row.person_id, row.kind), []).append(row)
        else:
            obsolete.append(row.row_id)
    for part in chunks(obsolete):
        session.execute(bulk_update(NudgeSent).where(NudgeSent.id.in_(part)).values(state=SendState.OBSOLETE))
    messages = []
    for (person_id, kind), members in grouped.items():
        person = people[person_id]
        reminders = Built(members, functools.partial(_reminder, runtime, today, pending, person_id, kind))
        view: Nudge | Escalation | ImpactCheck = (
            Nudge(person.name, reminders)
            if kind == "nudge"
            else ImpactCheck(person.name, reminders)
            if kind == "impact"
            else Escalation(person.name, reminders, runtime.settings.escalate_after_days)
        )
        messages.append(_Message(person, kind, tuple(row.row_id for row in members), view))
    return _one_each(messages)


def _reminder(runtime: Runtime, today: date, pending: Pending, person_id: int, kind: str, row: Row) -> Reminder:
    """One reminder of a message: the action's view and why it is mentioned."""
    reason = _covering(_reason(runtime, row, today, kind), person_id, row, kind)
    return Reminder(row_view(row, today, runtime.settings, pending), reason)


def _one_each(messages: list[_Message]) -> list[_Message]:
    """One direct message per person per sweep (bot.jobs.policy): their nudges, impact checks and escalations."""
    bundled = one_message_each((m.person.id, m.kind, m) for m in messages)
    return [
        parts[0] if len(parts) == 1 else _Message(parts[0].person, "bundle", sum((m.row_ids for m in parts), ()),
                                                  Reminders(tuple(m.view for m in parts)))  # type: ignore[misc]
        for parts in bundled.values()
    ]  # fmt: skip


def _covering(reason: str, person_id: int, action: Row, kind: str) -> str:
    """A nudge or impact check sent to a deputy (bot.jobs.recipients) says whose action it is."""
    if kind == "escalation" or action.owner_name is None or action.owner_id == person_id:
        return reason
    return f"{reason}; you are covering for {action.owner_name}, who is away"


def _reason(runtime: Runtime, action: Row, today: date, kind: str) -> str:
    if kind == "impact" and action.signed_off_on:
        age = signed_off_age(action.signed_off_on, today)  # the real age, not the scheduled interval
        return f"{age} ({format_date(action.signed_off_on)}): has the change held?"
    reason = reminder_reason(action.due, today)
    if kind == "escalation":
        owner = action.owner_name or "no owner"
        return f"{reason}; owner: {owner}, {action.agency_name}"
    return reason


def _still_applies(runtime: Runtime, row: Row, today: date) -> bool:
    """A retried reminder is sent only if the action is still open, on the same due date, in the same window."""
    settings = runtime.settings
    action = row  # the ledger's and the action's columns, side by side
    _, _, due, window, *_ = row.key.split(":")
    if row.kind == "impact":
        signed = action.signed_off_on
        return (
            action.status is Status.SIGNED_OFF
            and signed is not None
            and due == signed.isoformat()
            and window == str(impact_check_due(signed, today, settings.impact_months))
        )
    if action.status not in OPEN or action.due is None or due != action.due.isoformat():
        return False
    if row.kind == "nudge":
        return window == nudge_window(action.due, today, settings.nudge_days)
    return window == str(escalation_period(action.due, today, settings.escalate_after_days))
