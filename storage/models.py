"""The board's records: reviews, recommendations, actions, people and the ledgers."""

from __future__ import annotations

import enum
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Enum,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """A time-zone aware time stamp, stored as UTC (SQLite keeps no zone, so we add it back)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("time stamps must be time-zone aware")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON()}


class ReviewKind(enum.StrEnum):
    SCR = "scr"
    CASE_REVIEW = "case_review"
    LEARNING_REVIEW = "learning_review"
    GOOD_PRACTICE = "good_practice"
    EXTERNAL = "external"


class ReviewStatus(enum.StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class Plan(enum.StrEnum):
    SINGLE_AGENCY = "single_agency"
    MULTI_AGENCY = "multi_agency"


class Status(enum.StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"  # done, awaiting the chair's sign-off
    SIGNED_OFF = "signed_off"
    WITHDRAWN = "withdrawn"  # closed by the chair (superseded, no longer needed); kept, never nudged

    @property
    def is_open(self) -> bool:
        return self in (Status.NOT_STARTED, Status.IN_PROGRESS)


class Rag(enum.StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    BLUE = "blue"  # displayed only: complete or signed off


class Role(enum.StrEnum):
    COORDINATOR = "coordinator"
    CHAIR = "chair"
    AGENCY_LEAD = "agency_lead"
    MEMBER = "member"


class Pace(enum.StrEnum):
    """How a person wants their reminders: as they fall due, or bundled in one DM on Monday."""

    AS_THEY_FALL = "as_they_fall"
    WEEKLY = "weekly"


class ExtensionState(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class SendState(enum.StrEnum):
    CLAIMED = "claimed"  # a sender owns it and has not started sending
    SENDING = "sending"  # the request is (or was) on its way: if we die now, we cannot know
    SENT = "sent"
    FAILED = "failed"  # definite failure; retried at the next sweep up to a limit
    UNCERTAIN = "uncertain"  # the request may have gone out; never blindly resent
    UNDELIVERABLE = "undeliverable"  # nobody to deliver to (unknown or deactivated user)
    GAVE_UP = "gave_up"  # failed as many times as we retry; shown to the coordinator
    OBSOLETE = "obsolete"  # a retry found the reminder no longer applies (done, re-dated)
    RELEASED = "released"  # claimed by a scheduler that stopped (or died) before sending it: any run takes it over


def _enum(kind: type[enum.Enum], name: str) -> Enum:
    # Store values as plain strings (no database ENUM type), so adding a value needs no DDL.
    return Enum(
        kind,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=20,
        values_callable=lambda members: [member.value for member in members],
    )


class Agency(Base):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class Person(Base):
    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(320), unique=True)
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.AGENCY_LEAD)
    slack_user_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    teams_user_id: Mapped[str | None] = mapped_column(String(120), unique=True)
    unreachable: Mapped[str | None] = mapped_column(String(200))
    # /action leaver: their access ended that day; the row stays so history keeps their name.
    left_on: Mapped[date | None] = mapped_column(Date)
    # /action away: while away their reminders go to the deputy, or wait until they are back.
    away_from: Mapped[date | None] = mapped_column(Date)
    away_to: Mapped[date | None] = mapped_column(Date)
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    reminders: Mapped[Pace] = mapped_column(_enum(Pace, "pace"), default=Pace.AS_THEY_FALL,
                                            server_default=Pace.AS_THEY_FALL.value)  # fmt: skip

    agency: Mapped[Agency | None] = relationship()


class Review(Base):
    __tablename__ = "review"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ReviewKind] = mapped_column(_enum(ReviewKind, "review_kind"))
    status: Mapped[ReviewStatus] = mapped_column(_enum(ReviewStatus, "review_status"), default=ReviewStatus.OPEN)
    started: Mapped[date | None] = mapped_column(Date)
    published: Mapped[date | None] = mapped_column(Date)
    demo: Mapped[bool] = mapped_column(
        Boolean, default=False, server_default=false()
    )  # created by `python -m bot demo`


class ProtectedName(Base):
    """A real name behind a review's pseudonym: kept to refuse chat text that contains it, never shown."""

    __tablename__ = "protected_name"
    __table_args__ = (UniqueConstraint("review_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))


class Recommendation(Base):
    __tablename__ = "recommendation"
    __table_args__ = (UniqueConstraint("review_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"))
    number: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text)


class Action(Base):
    __tablename__ = "action"
    __table_args__ = (Index("ix_action_status_due", "status", "due"),)  # open actions, soonest due (0006)

    id: Mapped[int] = mapped_column(primary_key=True)
    ref: Mapped[str] = mapped_column(String(30), unique=True)  # upper case, e.g. CC-3
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    recommendation_id: Mapped[int | None] = mapped_column(ForeignKey("recommendation.id"))
    text: Mapped[str] = mapped_column(Text)
    plan: Mapped[Plan] = mapped_column(_enum(Plan, "plan"), default=Plan.SINGLE_AGENCY)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    due: Mapped[date | None] = mapped_column(Date, index=True)  # None: the plan gave no date
    original_due: Mapped[date | None] = mapped_column(Date)
    target: Mapped[str | None] = mapped_column(String(200))  # the plan's wording with no date ("Ongoing")
    lead_name: Mapped[str | None] = mapped_column(String(200))  # a lead officer named without an e-mail
    status: Mapped[Status] = mapped_column(_enum(Status, "status"), default=Status.NOT_STARTED)
    rag: Mapped[Rag] = mapped_column(_enum(Rag, "rag"), default=Rag.GREEN)
    progress: Mapped[str | None] = mapped_column(Text)  # the latest progress note
    evidence: Mapped[str | None] = mapped_column(Text)
    completed_on: Mapped[date | None] = mapped_column(Date)
    completed_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    signed_off_on: Mapped[date | None] = mapped_column(Date)
    withdrawn_on: Mapped[date | None] = mapped_column(Date)  # the chair closed it; the reason is in its history
    snooze_until: Mapped[date | None] = mapped_column(Date)  # /action snooze: no nudge before this day
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    last_update_at: Mapped[datetime | None]
    # Bumped by every change; Update rows are unique on (action, version), so two
    # concurrent changes cannot both apply on top of the same state.
    version: Mapped[int] = mapped_column(Integer, default=0)

    # Loaded as each query needs (bot/services/queries.py: ACTION_VIEW), never eagerly by the model.
    review: Mapped[Review] = relationship()
    recommendation: Mapped[Recommendation | None] = relationship()
    agency: Mapped[Agency] = relationship()
    owner: Mapped[Person | None] = relationship(foreign_keys=[owner_id])
    # The extension request waiting for the chair's decision, if any (bot/services/changes.py allows one at a
    # time); read-only, and loaded only where a query asks for it (a view shows it).
    pending_extension: Mapped[ExtensionRequest | None] = relationship(
        primaryjoin=lambda: and_(
            ExtensionRequest.action_id == Action.id, ExtensionRequest.state == ExtensionState.PENDING
        ),
        viewonly=True,
        uselist=False,
        lazy="raise_on_sql",
    )
    supporting_agencies: Mapped[list[Agency]] = relationship(secondary="action_supporting_agency")
    supporting_owners: Mapped[list[Person]] = relationship(secondary="action_supporting_owner")


# A joint lead ("Police / CSC"): the first is the action's lead agency (and owner), the rest support.
supporting_agency = Table(
    "action_supporting_agency",
    Base.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("agency_id", ForeignKey("agency.id"), primary_key=True),
)
supporting_owner = Table(
    "action_supporting_owner",
    Base.metadata,
    Column("action_id", ForeignKey("action.id", ondelete="CASCADE"), primary_key=True),
    Column("person_id", ForeignKey("person.id"), primary_key=True),
)


class ExtensionRequest(Base):
    __tablename__ = "extension_request"
    __table_args__ = (Index("ix_extension_request_state_action_id", "state", "action_id"),)  # waiting ones (0006)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    requested_due: Mapped[date] = mapped_column(Date)
    previous_due: Mapped[date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(Text)
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("person.id"))
    requested_at: Mapped[datetime]
    state: Mapped[ExtensionState] = mapped_column(
        _enum(ExtensionState, "extension_state"), default=ExtensionState.PENDING
    )
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    decided_at: Mapped[datetime | None]
    decision_note: Mapped[str | None] = mapped_column(Text)

    requested_by: Mapped[Person] = relationship(foreign_keys=[requested_by_id])


class Update(Base):
    """Every change to an action: who, when, from where, what (old and new values)."""

    __tablename__ = "action_update"
    __table_args__ = (UniqueConstraint("action_id", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    action_id: Mapped[int] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    version: Mapped[int] = mapped_column(Integer)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    at: Mapped[datetime] = mapped_column(index=True)
    source: Mapped[str] = mapped_column(String(20))  # slack, teams, console, import, cli
    kind: Mapped[str] = mapped_column(String(30))  # update, done, extend, approve, ...
    note: Mapped[str | None] = mapped_column(Text)
    changes: Mapped[dict[str, Any]] = mapped_column(default=dict)  # {field: [old, new]}

    person: Mapped[Person | None] = relationship()


class NudgeSent(Base):
    """One row per nudge, escalation or impact check that must be sent once."""

    __tablename__ = "nudge_sent"
    __table_args__ = (
        Index("ix_nudge_sent_state_scheduler", "state", "scheduler_id"),  # claims of dead schedulers
        Index("ix_nudge_sent_claimed_by_person_id", "claimed_by", "person_id"),  # a run's message to one person
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # nudge, escalation, impact
    action_id: Mapped[int | None] = mapped_column(ForeignKey("action.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"))
    platform: Mapped[str] = mapped_column(String(20))
    state: Mapped[SendState] = mapped_column(_enum(SendState, "send_state"), default=SendState.CLAIMED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(40))  # the sweep that owns it (indexed with person_id)
    scheduler_id: Mapped[str | None] = mapped_column(String(40))  # the process that owns it (Scheduler.id)
    sent_at: Mapped[datetime | None]
    message_ts: Mapped[str | None] = mapped_column(String(40))


class DigestSent(Base):
    """One row per weekly digest (channel, week) that must be posted once."""

    __tablename__ = "digest_sent"
    __table_args__ = (Index("ix_digest_sent_state_scheduler", "state", "scheduler_id"),)  # claims of dead schedulers

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[str] = mapped_column(String(80))
    week: Mapped[date] = mapped_column(Date)  # the Monday of the digest's week
    platform: Mapped[str] = mapped_column(String(20))
    state: Mapped[SendState] = mapped_column(_enum(SendState, "send_state"), default=SendState.CLAIMED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    parts_sent: Mapped[int] = mapped_column(Integer, default=0)  # a long digest goes as several messages
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime]
    claimed_by: Mapped[str | None] = mapped_column(String(40), index=True)  # the sweep that owns it
    scheduler_id: Mapped[str | None] = mapped_column(String(40))  # the process that owns it (Scheduler.id)
    sent_at: Mapped[datetime | None]
    message_ts: Mapped[str | None] = mapped_column(String(40))


class Scheduler(Base):
    """A process that sends through the ledger: who it is, and when it last showed it was alive.

    A scheduler whose heartbeat stopped, or whose process is gone from this host, is dead: the
    next run takes over its claims at once (bot.jobs.ledger.reap).
    """

    __tablename__ = "scheduler"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    host: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer)
    process: Mapped[str] = mapped_column(String(40))  # one per OS process: tells a reused pid from its predecessor
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class SeenRequest(Base):
    """A chat request already carried out (Slack trigger id, event id): replays and retries apply once."""

    __tablename__ = "seen_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)
    at: Mapped[datetime] = mapped_column(index=True)


class TeamsConversation(Base):
    """A Teams conversation the bot may post to later: a person's 1:1 chat or a channel.

    Teams gives the bot these when the app is installed or first messaged; a proactive
    message (a nudge, the digest) needs the conversation id and the service URL it came from.
    """

    __tablename__ = "teams_conversation"

    id: Mapped[int] = mapped_column(primary_key=True)
    conversation_id: Mapped[str] = mapped_column(String(400), unique=True)
    kind: Mapped[str] = mapped_column(String(20))  # personal, channel, group
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    aad_object_id: Mapped[str | None] = mapped_column(String(120), index=True)  # the Entra user (personal chats)
    tenant_id: Mapped[str | None] = mapped_column(String(120))
    service_url: Mapped[str] = mapped_column(String(500))
    name: Mapped[str | None] = mapped_column(String(200))  # team or channel name, for people reading logs
    updated_at: Mapped[datetime]


class PendingUpload(Base):
    """A spreadsheet a coordinator uploaded in chat, kept only until they press Import or Cancel (or it expires).

    The bytes live here, not on a web process's disk, so the click can reach any web process; the row is
    deleted on import, on cancel and after ``expires_at``, so case data is not kept longer than that.
    """

    __tablename__ = "pending_upload"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)  # what the Import / Cancel buttons carry
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)
