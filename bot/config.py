"""Settings: one frozen object built from the environment at start-up."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from bot.calendar import Nation, parse_nation

DEFAULT_DATABASE_URL = "sqlite:///actions.db"
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class ConfigError(Exception):
    """The environment does not describe a runnable bot; the message says what to fix."""


@dataclass(frozen=True)
class WeeklySchedule:
    """A day of the week and a local time, e.g. ``mon 09:00``."""

    weekday: int  # 0 = Monday, as date.weekday()
    at: time

    def __str__(self) -> str:
        return f"{WEEKDAYS[self.weekday]} {self.at:%H:%M}"


@dataclass(frozen=True)
class Settings:
    """Everything the bot is configured with; see the README's configuration table."""

    database_url: str = DEFAULT_DATABASE_URL
    slack_bot_token: str | None = None
    slack_signing_secret: str | None = None
    slack_app_token: str | None = None
    slack_api_url: str | None = None
    digest_channel: str | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Europe/London"))
    nudge_days: tuple[int, ...] = (14, 7, 1, 0)
    impact_months: tuple[int, ...] = (3, 6, 12)
    escalate_after_days: int = 7
    amber_days: int = 14
    digest_schedule: WeeklySchedule = WeeklySchedule(0, time(9, 0))
    sweep_at: time = time(9, 0)
    bank_holidays: Nation = Nation.ENGLAND_AND_WALES  # whose bank holidays are not working days
    port: int = 3000
    teams_app_id: str | None = None  # the Entra app (client) id of the bot
    teams_app_password: str | None = None  # that app's client secret
    teams_tenant_id: str | None = None  # the board's tenant: single-tenant bots, and only its users are served
    teams_port: int = 3978  # where `python -m bot teams` serves POST /api/messages

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        """Build settings from environment variables, listing every malformed one at once."""
        env = os.environ if env is None else env
        problems: list[str] = []

        def text(name: str) -> str | None:
            value = env.get(name, "").strip()
            return value or None

        def parse(name: str, default: object, convert: object) -> object:
            raw = text(name)
            if raw is None:
                return default
            try:
                return convert(raw)  # type: ignore[operator]
            except ValueError as error:
                problems.append(f"{name}={raw!r}: {error}")
                return default

        defaults = cls()
        timezone = parse("BOT_TIMEZONE", defaults.timezone, _zone)
        settings = cls(
            database_url=text("DATABASE_URL") or DEFAULT_DATABASE_URL,
            slack_bot_token=text("SLACK_BOT_TOKEN"),
            slack_signing_secret=text("SLACK_SIGNING_SECRET"),
            slack_app_token=text("SLACK_APP_TOKEN"),
            slack_api_url=text("SLACK_API_URL"),
            digest_channel=text("DIGEST_CHANNEL"),
            timezone=timezone,  # type: ignore[arg-type]
            nudge_days=parse("NUDGE_DAYS", defaults.nudge_days, _day_list),  # type: ignore[arg-type]
            impact_months=parse("IMPACT_MONTHS", defaults.impact_months, _month_list),  # type: ignore[arg-type]
            escalate_after_days=parse(  # type: ignore[arg-type]
                "ESCALATE_AFTER_DAYS", defaults.escalate_after_days, _positive_int
            ),
            amber_days=parse("AMBER_DAYS", defaults.amber_days, _positive_int),  # type: ignore[arg-type]
            digest_schedule=parse(  # type: ignore[arg-type]
                "DIGEST_SCHEDULE", defaults.digest_schedule, parse_weekly_schedule
            ),
            sweep_at=parse("SWEEP_AT", defaults.sweep_at, parse_local_time),  # type: ignore[arg-type]
            bank_holidays=parse("BANK_HOLIDAYS", defaults.bank_holidays, parse_nation),  # type: ignore[arg-type]
            port=parse("PORT", defaults.port, _port),  # type: ignore[arg-type]
            teams_app_id=text("TEAMS_APP_ID"),
            teams_app_password=text("TEAMS_APP_PASSWORD"),
            teams_tenant_id=text("TEAMS_TENANT_ID"),
            teams_port=parse("TEAMS_PORT", defaults.teams_port, _port),  # type: ignore[arg-type]
        )
        if problems:
            raise ConfigError("Bad configuration:\n  " + "\n  ".join(problems))
        return settings


def _zone(raw: str) -> ZoneInfo:
    try:
        return ZoneInfo(raw)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a time zone name such as Europe/London") from None


def _day_list(raw: str) -> tuple[int, ...]:
    try:
        days = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}, reverse=True))
    except ValueError:
        raise ValueError("expected whole numbers of days separated by commas, e.g. 14,7,1,0") from None
    if not days or any(day < 0 for day in days):
        raise ValueError("expected whole numbers of days (0 or more) separated by commas, e.g. 14,7,1,0")
    return days


def _month_list(raw: str) -> tuple[int, ...]:
    try:
        months = tuple(sorted({int(part) for part in raw.split(",") if part.strip()}))
    except ValueError:
        raise ValueError("expected whole numbers of months separated by commas, e.g. 3,6,12") from None
    if not months or any(month < 1 for month in months):
        raise ValueError("expected whole numbers of months (1 or more) separated by commas, e.g. 3,6,12")
    return months


def _positive_int(raw: str) -> int:
    if not raw.isdigit() or int(raw) < 1:
        raise ValueError("expected a whole number of at least 1")
    return int(raw)


def _port(raw: str) -> int:
    if not raw.isdigit() or not 0 < int(raw) < 65536:
        raise ValueError("expected a port number from 1 to 65535")
    return int(raw)


def parse_local_time(raw: str) -> time:
    """Parse ``HH:MM`` (24-hour), refusing the 01:00-02:00 hour that UK clock changes skip or repeat."""
    match = re.fullmatch(r"(\d{1,2}):(\d{2})", raw.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        raise ValueError("expected a 24-hour time such as 09:00")
    at = time(int(match[1]), int(match[2]))
    if at.hour == 1:
        # Europe/London skips 01:00-02:00 in March and repeats it in October.
        raise ValueError("01:00-01:59 is skipped or repeated when the clocks change; pick another time")
    return at


def parse_weekly_schedule(raw: str) -> WeeklySchedule:
    """Parse ``mon 09:00`` into a weekly schedule."""
    parts = raw.strip().lower().split()
    if len(parts) != 2 or parts[0][:3] not in WEEKDAYS:
        raise ValueError("expected a day and a time, e.g. 'mon 09:00'")
    return WeeklySchedule(WEEKDAYS.index(parts[0][:3]), parse_local_time(parts[1]))
