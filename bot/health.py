"""GET /healthz, the same on every surface: 200 when the database answers and the platform has not refused
the bot's credentials; else 503 with the reasons."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Engine

from storage.db import ping


def health(engine: Engine, platform: str, stopped: str | None) -> tuple[int, dict[str, Any]]:
    """The status code and JSON body of a health check."""
    problems = []
    if not ping(engine):
        problems.append("database unreachable")
    if stopped:
        problems.append(f"{platform} refused the bot's credentials ({stopped})")
    answer: dict[str, Any] = {"ok": not problems}
    if problems:
        answer["reason"] = "; ".join(problems)
    return (503 if problems else 200), answer
