"""Scheduled work: the nudge sweep, escalations and the weekly digest, each sent once through the ledger.

- ``ledger``: claiming, recording outcomes, taking over what a dead process left (never twice, never lost);
- ``nudges``: the working-day sweep, where a nudge, an escalation or an impact check is decided and sent;
- ``digest_queries``: the digest's data; ``digest_post``: posting it, part by part, resumable.

``Jobs`` is the facade the scheduler, the console and ``/action digest`` call.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable
from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bot.calendar import is_working_day
from bot.clock import Clock
from bot.config import Settings
from bot.jobs import digest_post, nudges
from bot.jobs.digest_queries import build_digest
from bot.jobs.ledger import (
    CATCH_UP,
    CHANNEL_PACE,
    DEAD_AFTER,
    HEARTBEAT_EVERY,
    MAX_ATTEMPTS,
    STALE_CLAIM,
    Identity,
    RunSummary,
    reap,
)
from bot.ports import Messenger
from bot.services import ActionService
from bot.services.uploads import forget_expired
from bot.views import Digest

__all__ = ["CATCH_UP", "CHANNEL_PACE", "DEAD_AFTER", "MAX_ATTEMPTS", "STALE_CLAIM", "Jobs", "RunSummary"]

log = logging.getLogger(__name__)


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
        self.actions = actions  # the services of the same process (the console and tests reach them here)
        self.messenger = messenger
        self.pause = pause
        self.stopped: str | None = None  # set when the platform refuses our credentials
        self.stopping = threading.Event()  # set by stop(): the send loops finish the message in flight and return
        self.identity = Identity()  # this scheduler, as its claims record it
        self._heartbeat: threading.Thread | None = None

    def stop(self) -> None:
        """Stop in order (SIGTERM): a run finishes the message in flight and releases what it has not started.

        Safe from a signal handler or another thread; call ``retire`` once the runs have returned.
        """
        self.stopping.set()

    def retire(self) -> None:
        """Release every claim this scheduler holds and has not started, and remove it from the schedulers."""
        self.stopping.set()
        if self._heartbeat is not None:
            self._heartbeat.join(timeout=5)
        with self.sessions.begin() as session:
            self.identity.retire(session)

    def start_heartbeat(self) -> None:
        """Keep this scheduler's heartbeat fresh from a thread, so a long send is never taken for death."""
        if self._heartbeat is None:
            with self.sessions.begin() as session:
                self.identity.beat(session, self.clock.now(), force=True)  # registered before the thread runs
            self._heartbeat = threading.Thread(target=self._beat, name="scheduler-heartbeat", daemon=True)
            self._heartbeat.start()

    def _beat(self) -> None:
        while True:
            try:
                with self.sessions.begin() as session:
                    self.identity.beat(session, self.clock.now(), force=True)
            except Exception:  # the database may be briefly away: the next beat tries again
                log.warning("scheduler heartbeat not written", exc_info=True)
            if self.stopping.wait(HEARTBEAT_EVERY.total_seconds()):
                return

    def take_over(self) -> None:
        """Register this scheduler and take over, at once, the claims of any that is no longer alive."""
        with self.sessions.begin() as session:
            now = self.clock.now()
            reap(session, now, self.identity.beat(session, now))

    def local_now(self) -> datetime:
        return self.clock.now().astimezone(self.settings.timezone)

    def latest_digest_week(self, local: datetime) -> date | None:
        """The week of the scheduled digest due now (see digest_post.latest_digest_week)."""
        return digest_post.latest_digest_week(self.settings, local)

    def run_due(self) -> RunSummary:
        """Everything due now, each at most once: also how a restarted scheduler catches up."""
        summary = RunSummary()
        forget_expired(self.sessions, self.clock.now())  # chat uploads left unanswered: case data not kept
        self.take_over()  # what a dead scheduler left (this one's previous run included), whatever the day
        local = self.local_now()
        if self.working_day():
            self._resume(summary)
            if local.time() >= self.settings.sweep_at:
                self.sweep(summary)
        week = self.latest_digest_week(local)
        if week is not None:
            self.send_digest(week, summary)
        return summary

    def sweep(self, summary: RunSummary | None = None) -> RunSummary:
        """Claim today's nudges and escalations, then send one message per person."""
        return nudges.sweep(self, summary or RunSummary())

    def plan_sweep(self) -> list[nudges.PlannedMessage]:
        """What a sweep now would send (to whom, which actions, why); nothing is written."""
        return nudges.plan(self)

    def working_day(self) -> bool:
        """Whether today is a working day for the board (no reminders at weekends or on bank holidays)."""
        return is_working_day(self.local_now().date(), self.settings.bank_holidays)

    def retry(self, summary: RunSummary | None = None) -> RunSummary:
        """Take over failed sends (up to MAX_ATTEMPTS) and claims left by a scheduler that stopped or died."""
        self.take_over()
        return self._resume(summary or RunSummary())

    def _resume(self, summary: RunSummary) -> RunSummary:
        if self.stopping.is_set():
            return summary
        token, now = uuid.uuid4().hex, self.clock.now()
        with self.sessions.begin() as session:
            messages = nudges.retake(self, session, now, token, self.identity.beat(session, now))
        summary = nudges.deliver(self, token, messages, summary)
        # A digest refused part-way (rate limit after waiting, 5xx) resumes here too, not a week later.
        for week in digest_post.failed_weeks(self, now):
            self.send_digest(week, summary)
        return summary

    def build_digest(self, session: Session, today: date) -> list[Digest]:
        """This week's digest as messages, from a fixed handful of queries."""
        return build_digest(session, today, self.settings)

    def preview_digest(self) -> list[Digest]:
        """The digest as it would go out now, without sending or recording anything."""
        return digest_post.preview(self)

    def send_digest_now(self) -> str:
        """Post this week's digest now if it has not gone yet (the scheduled run then finds it sent)."""
        return digest_post.send_now(self)

    def digest_sent_this_week(self) -> bool:
        """Whether this week's digest has gone out (``digest --send`` exits non-zero when it has not)."""
        return digest_post.sent_this_week(self)

    def send_digest(self, week: date, summary: RunSummary | None = None) -> RunSummary:
        """Post a week's digest to the sub-group channel once, resuming after the last part that went out."""
        return digest_post.send(self, week, summary or RunSummary())
