"""Scheduling test helpers: a chat port that records and can fail, a small board, local times."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time

from sqlalchemy.orm import Session, sessionmaker

from bot.clock import FrozenClock
from bot.config import Settings
from bot.identity import mark_unreachable
from bot.jobs import Jobs
from bot.ports import Delivery, Outcome
from bot.services import ActionService
from bot.views import Recipient, View
from storage.models import Action, Status

LONDON = Settings().timezone


@dataclass
class Sent:
    to: str
    view: View
    at: datetime


@dataclass
class RecordingMessenger:
    """A chat port that records what it sends and can be told what to answer next."""

    clock: FrozenClock
    platform: str = "slack"
    sent: list[Sent] = field(default_factory=list)
    script: list[Outcome] = field(default_factory=list)  # outcomes to return before SENT again
    crash_on: int | None = None  # raise on the Nth send, like a process killed mid-request
    on_send: Callable[[], None] | None = None  # called once, as the next message goes (a stop arriving then)
    lock: threading.Lock = field(default_factory=threading.Lock)
    sessions: sessionmaker[Session] | None = None  # given: marks the undeliverable unreachable, as a real port does

    def _deliver(self, to: str, view: View) -> Delivery:
        if self.on_send is not None:
            on_send, self.on_send = self.on_send, None  # once
            on_send()
        with self.lock:
            if self.crash_on is not None and len(self.sent) + 1 == self.crash_on:
                self.crash_on = None
                raise SystemExit("killed")
            outcome = self.script.pop(0) if self.script else Outcome.SENT
            if outcome in (Outcome.SENT, Outcome.UNCERTAIN):  # uncertain: it may well have arrived
                self.sent.append(Sent(to, view, self.clock.now()))
            return Delivery(outcome, message_id=f"{len(self.sent)}.000" if outcome is Outcome.SENT else None,
                            detail=None if outcome is Outcome.SENT else outcome.value)  # fmt: skip

    def send_direct(self, to: Recipient, view: View) -> Delivery:
        delivery = self._deliver(to.email, view)
        if delivery.outcome is Outcome.UNDELIVERABLE and self.sessions is not None:
            mark_unreachable(self.sessions, to.person_id, f"{self.platform}: {delivery.detail}")
        return delivery

    def post_channel(self, channel: str, view: View) -> Delivery:
        return self._deliver(f"#{channel}", view)

    def dms(self) -> list[Sent]:
        return [s for s in self.sent if not s.to.startswith("#")]

    def digests(self) -> list[Sent]:
        return [s for s in self.sent if s.to.startswith("#")]


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), LONDON).astimezone(UTC)


def add_action(db: sessionmaker[Session], board: dict[str, int], n: int, owner: str, due: date, **more: object) -> None:
    with db.begin() as session:
        session.add(
            Action(
                ref=f"CC-{n}",
                review_id=board["review"],
                text=more.pop("text", f"Action {n}"),
                agency_id=board["police"],
                owner_id=board[owner],
                due=due,
                original_due=due,
                version=0,
                status=more.pop("status", Status.IN_PROGRESS),
                **more,
            )  # fmt: skip
        )


def make_jobs(db: sessionmaker[Session], clock: FrozenClock, settings: Settings, messenger: RecordingMessenger) -> Jobs:
    settings = replace(settings, digest_channel="C0SUBGROUP")
    jobs: Jobs
    service = ActionService(db, clock, settings, digests=lambda: jobs)  # /action digest runs these jobs
    jobs = Jobs(db, clock, settings, service, messenger, pause=lambda _: None)
    return jobs
