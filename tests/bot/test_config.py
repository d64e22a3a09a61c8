"""Settings: built once from the environment, failing fast with every malformed value named."""

from __future__ import annotations

from datetime import time

import pytest

from bot.calendar import Nation
from bot.config import ConfigError, Settings


def test_defaults_match_the_readme() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///actions.db"
    assert str(settings.timezone) == "Europe/London"
    assert settings.nudge_days == (14, 7, 1, 0)
    assert settings.escalate_after_days == 7
    assert settings.amber_days == 14
    assert str(settings.digest_schedule) == "mon 09:00"
    assert settings.sweep_at == time(9, 0)
    assert settings.impact_months == (3, 6, 12)
    assert settings.port == 3000


def test_values_are_read() -> None:
    settings = Settings.from_env(
        {"NUDGE_DAYS": "0, 3,10", "DIGEST_SCHEDULE": "Friday 16:30", "BOT_TIMEZONE": "Europe/Dublin",
         "PORT": "8080", "IMPACT_MONTHS": "6,12", "DIGEST_CHANNEL": " C0SUB "}
    )  # fmt: skip
    assert settings.nudge_days == (10, 3, 0)
    assert (settings.digest_schedule.weekday, settings.digest_schedule.at) == (4, time(16, 30))
    assert str(settings.timezone) == "Europe/Dublin"
    assert (settings.port, settings.impact_months, settings.digest_channel) == (8080, (6, 12), "C0SUB")


def test_every_bad_value_is_named_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"NUDGE_DAYS": "a,b", "PORT": "99999", "BOT_TIMEZONE": "Mars/Olympus", "SWEEP_AT": "01:30"})
    message = str(raised.value)
    for name in ("NUDGE_DAYS", "PORT", "BOT_TIMEZONE", "SWEEP_AT"):
        assert name in message


@pytest.mark.parametrize(
    ("raw", "nation"),
    [(None, Nation.ENGLAND_AND_WALES), ("scotland", Nation.SCOTLAND), (" Northern-Ireland ", Nation.NORTHERN_IRELAND)],
)
def test_bank_holidays_names_the_nation(raw: str | None, nation: Nation) -> None:
    settings = Settings.from_env({} if raw is None else {"BANK_HOLIDAYS": raw})
    assert settings.bank_holidays is nation


@pytest.mark.parametrize("raw", ["wales", "england", "GB-SCT", "uk"])
def test_a_wrong_bank_holidays_stops_start_up_naming_the_accepted_values(raw: str) -> None:
    with pytest.raises(ConfigError) as raised:
        Settings.from_env({"BANK_HOLIDAYS": raw})
    message = str(raised.value)
    assert f"BANK_HOLIDAYS={raw!r}" in message
    assert "england-and-wales, scotland, northern-ireland" in message
