"""What every command handler is given: its unit of work, who asked, from where, and the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from sqlalchemy.orm import Session

from bot.clock import Clock, local_today
from bot.config import Settings
from bot.views import Digest, Recipient
from storage.models import Person


@dataclass(frozen=True)
class Context:
    """One command's unit of work: its session, who asked, and from which surface."""

    session: Session
    actor: Person
    source: str
    clock: Clock
    settings: Settings

    def today(self) -> date:
        return local_today(self.clock, self.settings.timezone)

    def now(self) -> datetime:
        return self.clock.now()


class DigestDesk(Protocol):
    """What the digest command needs from the scheduler's jobs."""

    def preview_digest(self) -> list[Digest]: ...

    def send_digest_now(self) -> str: ...


def recipient(person: Person) -> Recipient:
    """What a messenger needs to reach a person."""
    return Recipient(person.id, person.name, person.email, person.slack_user_id, person.teams_user_id)
