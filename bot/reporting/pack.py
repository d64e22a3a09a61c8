"""The sub-group meeting pack: exceptions only, from today's state of the plans.

Five lists: overdue; off track (red) but not yet overdue; re-dated since the last meeting, with
each action's slippage (how many extensions have been approved for it); complete and waiting for
the chair's sign-off; extension requests waiting for a decision. ``build_pack`` returns a frozen
view model so chat (``/action pack``) and the command line render the same thing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, joinedload, sessionmaker

from bot.errors import BadDate
from bot.reporting.blocks import RAG_WORDS, STATUS_WORDS, Block, Document, Heading, Item, Items, Para
from bot.reporting.figures import guard, long_date
from bot.reporting.model import ActionFacts
from storage.models import Action, ExtensionRequest, ExtensionState, Person, ProtectedName, Rag, Status, Update

SINCE_DAYS = 42  # without --since, the pack covers six weeks: the sub-group's usual cycle


@dataclass(frozen=True)
class PackAction(ActionFacts):
    """An action as the pack shows it."""

    due: date
    original_due: date
    days_overdue: int
    progress: str | None
    last_update_on: date | None
    slippage: int  # extensions approved for it so far


@dataclass(frozen=True)
class Redated:
    action: PackAction
    previous_due: date
    new_due: date
    on: date
    how: str  # "extension approved", "changed by import"...


@dataclass(frozen=True)
class AwaitingSignOff:
    action: PackAction
    completed_on: date | None
    evidence: str | None
    days_waiting: int


@dataclass(frozen=True)
class WaitingExtension:
    action: PackAction
    requested_due: date
    reason: str
    requested_by: str
    requested_on: date
    days_waiting: int


@dataclass(frozen=True)
class Pack:
    """The exceptions paper for the next sub-group meeting."""

    today: date
    since: date
    overdue: tuple[PackAction, ...]
    red: tuple[PackAction, ...]  # off track by the owner's own view, not yet overdue
    redated: tuple[Redated, ...]
    awaiting_sign_off: tuple[AwaitingSignOff, ...]
    extension_requests: tuple[WaitingExtension, ...]

    @property
    def empty(self) -> bool:
        return not (self.overdue or self.red or self.redated or self.awaiting_sign_off or self.extension_requests)


def default_since(today: date) -> date:
    """Where a pack starts when not told: six weeks before today."""
    return today - timedelta(days=SINCE_DAYS)


_HOW = {"extension_approved": "extension approved", "import": "changed by a spreadsheet import"}


def build_pack(
    sessions: sessionmaker[Session],
    today: date,
    since: date | None = None,
    *,
    timezone: ZoneInfo | None = None,
) -> Pack:
    """The pack for a meeting on ``today`` covering changes since ``since`` (default: six weeks before)."""
    zone = timezone or ZoneInfo("Europe/London")
    since = since or default_since(today)
    if since > today:
        raise BadDate(f"{long_date(since)} is after today: the pack covers changes since an earlier date.")
    from_instant = datetime.combine(since, time(0), zone)
    with sessions() as session:
        actions = list(
            session.scalars(
                select(Action)
                .options(
                    joinedload(Action.review, innerjoin=True),
                    joinedload(Action.agency, innerjoin=True),
                    joinedload(Action.owner),
                )
                .where(Action.status.notin_((Status.SIGNED_OFF, Status.WITHDRAWN)), Action.due.is_not(None))
                .order_by(Action.due, Action.id)
            ).unique()
        )
        slippage = _approved_extensions(session)
        pending = session.execute(
            select(ExtensionRequest, Person.name)
            .join(Person, Person.id == ExtensionRequest.requested_by_id)
            .where(ExtensionRequest.state == ExtensionState.PENDING)
            .order_by(ExtensionRequest.requested_at)
        ).all()
        moves = session.execute(
            select(Update.action_id, Update.at, Update.kind, Update.changes)
            .join(Action, Action.id == Update.action_id)
            .where(Update.at >= from_instant, Action.status.notin_((Status.SIGNED_OFF, Status.WITHDRAWN)))
            .order_by(Update.at, Update.id)
        ).all()
        names = list(session.scalars(select(ProtectedName.name).distinct()))  # any review's, in any review
        views = {action.id: _pack_action(action, today, zone, slippage, names) for action in actions}
    open_views = [views[action.id] for action in actions if action.status.is_open]
    return Pack(
        today=today,
        since=since,
        overdue=tuple(sorted((v for v in open_views if v.days_overdue), key=lambda v: (-v.days_overdue, v.ref))),
        red=tuple(v for v in open_views if not v.days_overdue and v.owner_rag is Rag.RED),
        redated=_redated(moves, views, zone),
        awaiting_sign_off=_awaiting_sign_off(actions, views, today, names),
        extension_requests=tuple(
            WaitingExtension(
                views[request.action_id],
                request.requested_due,
                guard(request.reason, names) or "",
                requester,
                request.requested_at.astimezone(zone).date(),
                (today - request.requested_at.astimezone(zone).date()).days,
            )
            for request, requester in pending
            if request.action_id in views
        ),
    )


def _approved_extensions(session: Session) -> dict[int, int]:
    """How many extensions each action has had approved (its slippage), by action id."""
    counted = session.execute(
        select(ExtensionRequest.action_id, func.count())
        .where(ExtensionRequest.state == ExtensionState.APPROVED)
        .group_by(ExtensionRequest.action_id)
    )
    return {action_id: count for action_id, count in counted}


def _pack_action(action: Action, today: date, zone: ZoneInfo, slippage: dict[int, int], names: list[str]) -> PackAction:
    assert action.due is not None and action.original_due is not None  # the query leaves out undated ones
    return PackAction(
        ref=action.ref,
        text=guard(action.text, names) or "",
        review_code=action.review.code,
        agency=action.agency.name,
        owner=action.owner.name if action.owner else None,
        status=action.status,
        owner_rag=action.rag,
        due=action.due,
        original_due=action.original_due,
        days_overdue=max(0, (today - action.due).days) if action.status.is_open else 0,
        progress=guard(action.progress, names),
        last_update_on=action.last_update_at.astimezone(zone).date() if action.last_update_at else None,
        slippage=int(slippage.get(action.id, 0)),
    )


def _redated(moves: Sequence[Any], views: dict[int, PackAction], zone: ZoneInfo) -> tuple[Redated, ...]:
    """Actions whose due date moved in the period: from the first date to the last."""
    redated: dict[int, Redated] = {}
    for action_id, at, kind, changes in moves:
        due = (changes or {}).get("due")
        if not due or due[0] is None or action_id not in views:
            continue
        first = redated.get(action_id)
        previous = first.previous_due if first else date.fromisoformat(due[0])
        redated[action_id] = Redated(
            views[action_id], previous, date.fromisoformat(due[1]), at.astimezone(zone).date(), _HOW.get(kind, kind)
        )
    return tuple(sorted(redated.values(), key=lambda item: (item.on, item.action.ref)))


def _awaiting_sign_off(
    actions: list[Action], views: dict[int, PackAction], today: date, names: list[str]
) -> tuple[AwaitingSignOff, ...]:
    waiting = (
        AwaitingSignOff(
            views[action.id],
            action.completed_on,
            guard(action.evidence, names),
            (today - action.completed_on).days if action.completed_on else 0,
        )
        for action in actions
        if action.status is Status.COMPLETE
    )
    return tuple(sorted(waiting, key=lambda item: (-item.days_waiting, item.action.ref)))


# ---------------------------------------------------------------------- the paper


def pack_document(pack: Pack) -> Document:
    """The pack as a document, for render.to_markdown and render.to_html."""
    title = f"SCR sub-group: exceptions for the meeting of {long_date(pack.today)}"
    blocks: list[Block] = [
        Heading(1, title),
        Para(
            f"Only what needs the sub-group's attention, from the tracker on {long_date(pack.today)}. "
            f"Re-dated actions are those whose target moved since {long_date(pack.since)}."
        ),
    ]
    if pack.empty:
        blocks.append(Para("Nothing to report: no action is overdue, off track, re-dated or waiting.", emphasis=True))
    blocks += [
        Heading(2, f"Overdue ({len(pack.overdue)})", "overdue"),
        Items(tuple(_item(a, f"overdue by {_days(a.days_overdue)}") for a in pack.overdue), "None."),
        Heading(2, f"Off track, not yet overdue ({len(pack.red)})", "red"),
        Items(tuple(_item(a, "its owner reports it off track") for a in pack.red), "None."),
        Heading(2, f"Re-dated since {long_date(pack.since)} ({len(pack.redated)})", "redated"),
        Items(tuple(_redated_item(item) for item in pack.redated), "None."),
        Heading(2, f"Waiting for sign-off ({len(pack.awaiting_sign_off)})", "sign-off"),
        Items(tuple(_sign_off_item(item) for item in pack.awaiting_sign_off), "None."),
        Heading(2, f"Extension requests waiting for a decision ({len(pack.extension_requests)})", "extensions"),
        Items(tuple(_extension_item(item) for item in pack.extension_requests), "None."),
    ]
    return Document(title, tuple(blocks))


def _redated_item(item: Redated) -> Item:
    return Item(
        item.action.ref,
        item.action.text,
        (
            f"{_who(item.action)}. Target moved from {long_date(item.previous_due)} to "
            f"{long_date(item.new_due)} on {long_date(item.on)} ({item.how}).",
            f"Slippage: {_count(item.action.slippage, 'approved extension')} in all; "
            f"originally due {long_date(item.action.original_due)}.",
        ),
    )


def _sign_off_item(item: AwaitingSignOff) -> Item:
    return Item(
        item.action.ref,
        item.action.text,
        (f"{_who(item.action)}. Completed {_completed(item)}", f"Evidence: {item.evidence or 'none recorded'}"),
    )


def _extension_item(item: WaitingExtension) -> Item:
    return Item(
        item.action.ref,
        item.action.text,
        (
            f"{_who(item.action)}. {item.requested_by} asked on {long_date(item.requested_on)} "
            f"({_days(item.days_waiting)} ago) to move it from {long_date(item.action.due)} to "
            f"{long_date(item.requested_due)}.",
            f"Reason: {item.reason}",
            f"Slippage so far: {_count(item.action.slippage, 'approved extension')}.",
        ),
    )


def _item(action: PackAction, why: str) -> Item:
    due = f"due {long_date(action.due)}"
    if action.due != action.original_due:
        slipped = f"; slipped {_count(action.slippage, 'time')}" if action.slippage else ""
        due += f" (originally {long_date(action.original_due)}{slipped})"
    details = [f"{_who(action)}. {due[0].upper()}{due[1:]}; {STATUS_WORDS[action.status]}, {why}."]
    if action.progress:
        when = f" ({long_date(action.last_update_on)})" if action.last_update_on else ""
        details.append(f"Latest update{when}: {action.progress}")
    else:
        details.append(f"No progress reported; owner's RAG {RAG_WORDS[action.owner_rag]}.")
    return Item(action.ref, action.text, tuple(details))


def _completed(item: AwaitingSignOff) -> str:
    if item.completed_on is None:
        return "(date not recorded)."
    return f"{long_date(item.completed_on)}, {_days(item.days_waiting)} ago."


def _who(action: PackAction) -> str:
    return f"{action.review_code}, {action.agency}" + (f", {action.owner}" if action.owner else "")


def _days(count: int) -> str:
    return "1 day" if count == 1 else f"{count} days"


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
