"""A year of history on the demo plan, driven through the real service with a moving clock.

The demo is loaded on 1 April 2025; then owners report, complete and ask for extensions, and the
chair approves, declines and signs off, on the dates below, until after the end of March 2026.
At the end of every month (and of the days the tests ask about) the helper copies what the rows
say at that moment: the independent record the report's rebuilt history is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time

from dateutil.relativedelta import relativedelta
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot.changes import record_change
from bot.clock import FrozenClock
from bot.config import Settings
from bot.demo import load_demo
from bot.rules import rag
from bot.services import ActionService, Identity
from bot.views import Changed
from storage.models import Action, ExtensionRequest, ExtensionState, Person, Rag, Status
from tests.helpers import say

START = date(2025, 4, 1)
PERIOD_END = date(2026, 3, 31)
AFTER = date(2026, 4, 10)  # when the tests run the report: after the year, with later changes on record

CHAIR = "helen.ashworth@lscb.example.org"
COORDINATOR = "mark.ellison@lscb.example.org"
WHITFIELD = "sarah.whitfield@police.example.org"
OKAFOR = "tom.okafor@csc.example.org"
GREAVES = "rachel.greaves@nbt.example.org"
PRYCE = "joanne.pryce@sirona.example.org"
LLOYD = "gareth.lloyd@probation.example.org"
YUSUF = "amina.yusuf@das.example.org"

# (day, who, what they type). Comments give what each step means for the figures.
EVENTS: tuple[tuple[date, str, str], ...] = (
    (date(2025, 4, 3), CHAIR, "signoff CC-2"),  # completed before the period, signed off in it
    (date(2025, 4, 3), CHAIR, "signoff BM-2"),
    (date(2025, 4, 4), LLOYD, "done BM-7 Checklist in use by every offender manager"),  # 2 days early
    (date(2025, 4, 10), PRYCE, "update CC-3 on-track Template rolled out to two teams"),
    (date(2025, 4, 10), PRYCE, "extend CC-3 31/05/2025 Roll-out to the remaining teams"),
    (date(2025, 4, 14), CHAIR, "approve CC-3"),  # CC-3: 11 Apr 2025 -> 31 May 2025
    (date(2025, 4, 20), OKAFOR, "extend BM-1 30/06/2025 Auditors off sick"),
    (date(2025, 4, 22), CHAIR, "decline BM-1 The audit must go ahead as planned"),
    (date(2025, 4, 28), YUSUF, "done BM-3 Pathway agreed by midwifery, DAS and health visiting"),  # on time
    (date(2025, 5, 6), CHAIR, "signoff BM-7"),
    (date(2025, 5, 20), PRYCE, "done CC-3 All teams use the template; audit of 30 records"),  # late v original
    (date(2025, 5, 27), OKAFOR, "update BM-1 off-track Audit delayed; new auditors found"),
    (date(2025, 6, 2), CHAIR, "signoff CC-3"),
    (date(2025, 6, 3), CHAIR, "signoff BM-3"),
    (date(2025, 6, 10), OKAFOR, "done BM-1 Audit of 12 pre-birth assessments complete"),  # 57 days late
    (date(2025, 6, 12), GREAVES, "update BM-6 at-risk Commissioned course found"),
    (date(2025, 6, 20), WHITFIELD, "extend EX-1 10/11/2025 Waiting for the dip sample"),
    (date(2025, 6, 23), CHAIR, "approve EX-1"),
    (date(2025, 7, 1), WHITFIELD, "done CC-4 Same-day referral written into force policy"),
    (date(2025, 7, 15), OKAFOR, "update CC-5 at-risk Practice week held"),
    (date(2025, 7, 20), OKAFOR, "extend CC-5 30/09/2025 Template change waiting for IT"),
    (date(2025, 7, 22), CHAIR, "approve CC-5"),
    (date(2025, 8, 5), PRYCE, "update CC-10 on-track Chronology template drafted"),
    (date(2025, 9, 10), OKAFOR, "extend CC-5 30/11/2025 IT release slipped"),
    (date(2025, 9, 12), CHAIR, "approve CC-5"),  # CC-5 re-dated twice
    (date(2025, 10, 1), CHAIR, "signoff CC-4"),
    # EX-1 is due on 10 Nov: at the end of October it is due soon but was updated lately, so green, not amber.
    (date(2025, 10, 20), WHITFIELD, "update EX-1 on-track Dip sample of 10 strategy discussions planned"),
    (date(2025, 11, 3), GREAVES, "done BM-6 Course delivered to 45 staff"),
    (date(2025, 11, 20), OKAFOR, "done CC-5 Template live; fathers seen in 18 of 20 audited assessments"),
    (date(2025, 12, 1), CHAIR, "signoff CC-5"),
    (date(2025, 12, 10), PRYCE, "impact CC-3 Re-audit: injuries shared with the GP in 29 of 30 cases"),
    (date(2026, 1, 15), PRYCE, "extend CC-10 30/04/2026 Waiting for the health visiting restructure"),
    (date(2026, 2, 10), OKAFOR, "done EX-3 Toolkit checked; report to the sub-group"),
    (date(2026, 3, 20), CHAIR, "signoff BM-6"),
    # After the period: must not change last year's report.
    (date(2026, 4, 2), CHAIR, "signoff EX-3"),
    (date(2026, 4, 2), CHAIR, "approve CC-10"),
    (date(2026, 4, 3), GREAVES, "impact BM-6 Trained staff now ask about substance use at booking"),
)
EXTRA_SNAPSHOTS = (date(2025, 9, 30),)


@dataclass(frozen=True)
class Row:
    """An action as its row stood on a snapshot day, with the RAG shown on that day."""

    ref: str
    review: str
    agency: str
    status: Status
    owner_rag: Rag
    rag: Rag
    due: date
    original_due: date
    completed_on: date | None
    signed_off_on: date | None
    evidence: str | None
    progress: str | None


@dataclass(frozen=True)
class Request:
    ref: str
    review: str
    agency: str
    asked: date
    state: ExtensionState
    decided: date | None


@dataclass(frozen=True)
class Snapshot:
    day: date
    rows: tuple[Row, ...]
    requests: tuple[Request, ...]


@dataclass
class Year:
    sessions: sessionmaker[Session]
    clock: FrozenClock
    settings: Settings
    service: ActionService
    snapshots: dict[date, Snapshot] = field(default_factory=dict)


def build_year(sessions: sessionmaker[Session], clock: FrozenClock, settings: Settings) -> Year:
    """Load the demo on 1 April 2025 and play EVENTS, taking a snapshot at every month end."""
    clock.set(_morning(START))
    load_demo(sessions, today=START, now=clock.now())
    year = Year(sessions, clock, settings, ActionService(sessions, clock, settings))
    wanted = sorted({*_month_ends(START, AFTER), *EXTRA_SNAPSHOTS})
    for day, email, text in EVENTS:
        while wanted and wanted[0] < day:
            _snapshot(year, wanted.pop(0))
        clock.set(_morning(day))
        _say(year, email, text)
    for day in wanted:
        if day <= AFTER:
            _snapshot(year, day)
    clock.set(_morning(AFTER))
    return year


def _morning(day: date) -> datetime:
    return datetime.combine(day, time(10, 0), UTC)


def _month_ends(start: date, stop: date) -> list[date]:
    ends = []
    first = start.replace(day=1)
    while first <= stop:
        ends.append(first + relativedelta(day=31))
        first += relativedelta(months=1)
    return ends


def _say(year: Year, email: str, text: str) -> None:
    reply = say(year.service, text, Identity("console", email=email))
    if text.startswith("impact ") and "not available" in getattr(reply.view, "message", ""):
        _record_impact(year, email, text)  # until /action impact lands, write the row it will write
        return
    assert isinstance(reply.view, Changed) and not reply.view.duplicate, (text, reply.view)


def _record_impact(year: Year, email: str, text: str) -> None:
    _verb, ref, note = text.split(" ", 2)
    with year.sessions.begin() as session:
        action = session.scalars(select(Action).where(Action.ref == ref)).unique().one()
        person = session.scalars(select(Person).where(Person.email == email)).one()
        record_change(
            session, action, person=person, source="console", kind="impact", at=year.clock.now(), note=note, touch=False
        )


def _snapshot(year: Year, day: date) -> None:
    zone = year.settings.timezone
    with year.sessions() as session:
        actions = session.scalars(select(Action)).unique().all()
        rows = tuple(
            Row(
                ref=action.ref,
                review=action.review.code,
                agency=action.agency.name,
                status=action.status,
                owner_rag=action.rag,
                rag=rag(action, day, year.settings.amber_days, zone),
                due=action.due,
                original_due=action.original_due,
                completed_on=action.completed_on,
                signed_off_on=action.signed_off_on,
                evidence=action.evidence,
                progress=action.progress,
            )
            for action in actions
        )
        by_id = {action.id: action for action in actions}
        requests = tuple(
            Request(
                ref=by_id[request.action_id].ref,
                review=by_id[request.action_id].review.code,
                agency=by_id[request.action_id].agency.name,
                asked=request.requested_at.astimezone(zone).date(),
                state=request.state,
                decided=request.decided_at.astimezone(zone).date() if request.decided_at else None,
            )
            for request in session.scalars(select(ExtensionRequest))
        )
    year.snapshots[day] = Snapshot(day, rows, requests)
