"""The clock process: APScheduler 3 runs the jobs at local times in BOT_TIMEZONE."""

from __future__ import annotations

import logging
import signal
from types import FrameType

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.base import BaseScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from bot.calendar import is_working_day
from bot.config import WEEKDAYS, Settings
from bot.jobs import Jobs

log = logging.getLogger(__name__)

RETRY_EVERY_MINUTES = 10
# APScheduler 3 defaults to a 1-second misfire grace: a restart or a stall would silently skip
# a weekly digest. An hour's grace, coalesced, runs a late job once.
JOB_DEFAULTS = {"coalesce": True, "misfire_grace_time": 3600, "max_instances": 1}


def sweep_trigger(settings: Settings) -> CronTrigger:
    """Working-day mornings (bank holidays are skipped by the job itself)."""
    at = settings.sweep_at
    return CronTrigger(day_of_week="mon-fri", hour=at.hour, minute=at.minute, timezone=settings.timezone)


def digest_trigger(settings: Settings) -> CronTrigger:
    """Once a week at DIGEST_SCHEDULE, local time."""
    schedule = settings.digest_schedule
    return CronTrigger(
        day_of_week=WEEKDAYS[schedule.weekday],
        hour=schedule.at.hour,
        minute=schedule.at.minute,
        timezone=settings.timezone,
    )


def make_scheduler(jobs: Jobs, settings: Settings, *, background: bool) -> BaseScheduler:
    """A scheduler with the sweep, the digest and the retry pass; not started."""
    kind = BackgroundScheduler if background else BlockingScheduler
    scheduler = kind(timezone=settings.timezone, job_defaults=JOB_DEFAULTS)
    scheduler.add_job(jobs.run_due, sweep_trigger(settings), id="sweep", name="nudge sweep")
    scheduler.add_job(jobs.run_due, digest_trigger(settings), id="digest", name="weekly digest")
    scheduler.add_job(
        lambda: jobs.retry() if is_working_day(jobs.local_now().date(), settings.bank_holidays) else None,
        IntervalTrigger(minutes=RETRY_EVERY_MINUTES, timezone=settings.timezone),
        id="retry",
        name="retry failed sends",
    )
    return scheduler


def start(jobs: Jobs, settings: Settings, *, background: bool) -> BaseScheduler:
    """Catch up on anything missed while no scheduler ran (taking over a dead one's claims), then run on schedule.

    In the background (``serve``), stop it in order with ``stop(scheduler, jobs)``.
    """
    jobs.start_heartbeat()
    summary = jobs.run_due()
    log.info("catch-up run: %s", summary)
    scheduler = make_scheduler(jobs, settings, background=background)
    if not jobs.stopping.is_set():
        scheduler.start()
    return scheduler


def stop(scheduler: BaseScheduler, jobs: Jobs) -> None:
    """An orderly stop: the run in progress finishes its message in flight and releases the rest; then none.

    Returns once the running job has returned (a chat call's timeout at most) and the claims are released.
    """
    jobs.stop()
    if scheduler.running:
        scheduler.shutdown(wait=True)
    jobs.retire()
    log.info("scheduler stopped; claims not started were released")


STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


def run(jobs: Jobs, settings: Settings) -> None:
    """The clock process (``python -m bot scheduler``): runs until SIGTERM or SIGINT, then stops in order."""

    def on_signal(number: int, _frame: FrameType | None) -> None:
        log.info("%s received: finishing the message in flight", signal.Signals(number).name)
        jobs.stop()  # only an Event: safe in a handler; the send loop and the wait below see it

    previous = {number: signal.signal(number, on_signal) for number in STOP_SIGNALS}
    scheduler: BaseScheduler | None = None
    try:
        scheduler = start(jobs, settings, background=True)  # the catch-up runs here, on this thread
        while not jobs.stopping.wait(1.0):
            pass
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        if scheduler is not None:
            stop(scheduler, jobs)
        else:
            jobs.retire()
