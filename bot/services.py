"""The core: carry out `/action` commands, one transaction each, and return view models."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Protocol, TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot import permissions
from bot.anonymity import check_text
from bot.changes import record_change
from bot.clock import Clock, local_today
from bot.config import Settings
from bot.dates import format_date
from bot.errors import (
    BadDate,
    InvalidTransition,
    TemporarilyUnavailable,
    UnknownAction,
    UnknownPerson,
    UsageError,
    UserError,
)
from bot.rules import RAG_ORDER, days_overdue, rag
from bot.views import (
    ActionDetail,
    ActionList,
    ActionView,
    Changed,
    Digest,
    DigestPreview,
    ExtensionDecided,
    ExtensionRequested,
    ExtensionView,
    History,
    HistoryEntry,
    Home,
    Notice,
    OpenForm,
    Outstanding,
    OutstandingGroup,
    Problem,
    Recipient,
    Reply,
    Text,
)
from storage.models import (
    Action,
    Agency,
    ExtensionRequest,
    ExtensionState,
    Person,
    ProtectedName,
    Rag,
    Review,
    Role,
    Status,
    Update,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

PAGE_SIZE = 10  # actions per page: keeps a Slack reply well inside 50 blocks
ATTEMPTS = 3  # a unit of work that lost a race (unique key) is run again on fresh state


@dataclass(frozen=True)
class Identity:
    """Who is typing, as a platform knows them."""

    platform: str  # slack, teams, console, cli
    user_id: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class Context:
    """One command's unit of work: its session, who asked, and from which surface."""

    session: Session
    actor: Person
    source: str


def recipient(person: Person) -> Recipient:
    """What a messenger needs to reach a person."""
    return Recipient(person.id, person.name, person.email, person.slack_user_id, person.teams_user_id)


class DigestDesk(Protocol):
    """What the digest command needs from the scheduler's jobs."""

    def preview_digest(self) -> list[Digest]: ...

    def send_digest_now(self) -> str: ...


class ActionService:
    """Carries out the `/action` language for any surface."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock, settings: Settings) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.digests: DigestDesk | None = None  # set by the composition root once the jobs exist

    # ----------------------------------------------------------------- entry point

    def today(self) -> date:
        return local_today(self.clock, self.settings.timezone)

    def handle_text(self, text: str, identity: Identity) -> Reply:
        """Parse what a person typed and carry it out; a user error becomes a Problem reply."""
        parsed = cmd.parse(text, self.today())
        if isinstance(parsed, UsageError):
            return Reply(Problem(parsed.message, parsed.hint))
        return self.handle(parsed, identity)

    def home(self, identity: Identity, *, mine_page: int = 1, outstanding_page: int = 1) -> Home | Problem:
        """A person's home page in one unit of work; a Problem when they are unknown or the database is down."""

        def work(session: Session) -> Home:
            context = Context(session, self._person(session, identity), identity.platform)
            mine = self._mine(context, cmd.Mine(page=mine_page)).view
            outstanding = None
            if context.actor.role is Role.CHAIR:
                outstanding = self._outstanding(context, cmd.Outstanding(page=outstanding_page)).view
            assert isinstance(mine, ActionList) and (outstanding is None or isinstance(outstanding, Outstanding))
            return Home(context.actor.name, mine, outstanding)

        try:
            return self._retrying(work)
        except UserError as error:
            return Problem(error.message, error.hint)

    def handle(self, command: cmd.Command, identity: Identity) -> Reply:
        """Carry out a parsed command; user errors and an unreachable database become Problem replies."""
        try:
            outside = _OUTSIDE_TRANSACTION.get(type(command))
            if outside is not None:
                # These open their own sessions (the digest, the pack): run them after the person is known,
                # not inside a transaction that holds SQLite's write lock.
                actor = self._retrying(lambda session: self._person(session, identity))
                return outside(self, actor, command)
            return self._retrying(lambda session: self._dispatch(session, command, identity))
        except UserError as error:
            return Reply(Problem(error.message, error.hint))

    def _retrying(self, work: Callable[[Session], T]) -> T:
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with self.sessions.begin() as session:
                    return work(session)
            except IntegrityError:
                # Another request changed the same action first; run again on the new state,
                # where a duplicate is recognised and recorded once.
                if attempt == ATTEMPTS:
                    raise
            except DBAPIError as error:
                if error.connection_invalidated or isinstance(error.orig, OSError) or _unavailable(error):
                    log.warning("database unavailable: %s", error)
                    raise TemporarilyUnavailable(
                        "The action tracker's database is temporarily unavailable, so nothing was changed. "
                        "Please try again in a few minutes."
                    ) from error
                raise
        raise AssertionError("unreachable")

    def _dispatch(self, session: Session, command: cmd.Command, identity: Identity) -> Reply:
        if isinstance(command, cmd.Help):
            return Reply(Text(cmd.help_text(command.topic)))
        context = Context(session, self._person(session, identity), identity.platform)
        handler = _HANDLERS.get(type(command))
        if handler is None:
            raise UsageError(f"'{type(command).__name__.lower()}' is not available here yet.")
        return handler(self, context, command)

    # ----------------------------------------------------------------- people

    def _person(self, session: Session, identity: Identity) -> Person:
        column = {"slack": Person.slack_user_id, "teams": Person.teams_user_id}.get(identity.platform)
        person = None
        if column is not None and identity.user_id:
            person = session.scalars(select(Person).where(column == identity.user_id)).one_or_none()
        if person is None and identity.email:
            person = session.scalars(
                select(Person).where(func.lower(Person.email) == identity.email.strip().lower())
            ).one_or_none()
            if person is not None and column is not None and identity.user_id:
                setattr(person, column.key, identity.user_id)
        if person is None:
            raise UnknownPerson(
                "I don't know you yet, so I can't show or change actions for you.",
                "Ask the board's coordinator to add you (python -m bot people add EMAIL NAME --role ROLE), "
                "using the e-mail address on your chat profile.",
            )
        return person

    def find_person(self, session: Session, mention: cmd.Mention, actor: Person | None) -> Person:
        """The person an ``owner:`` filter names."""
        if mention.name == "me":
            if actor is None:
                raise UnknownPerson("'owner:me' needs to know who you are.", "Use owner:EMAIL instead.")
            return actor
        query = select(Person)
        if mention.user_id or mention.email:
            # A chat id, an e-mail, or both (a platform may resolve a mention to its profile e-mail).
            known = []
            if mention.user_id:
                known += [Person.slack_user_id == mention.user_id, Person.teams_user_id == mention.user_id]
            if mention.email:
                known.append(func.lower(Person.email) == mention.email.lower())
            query = query.where(or_(*known))
        else:
            name = (mention.name or "").lower()
            query = query.where(or_(func.lower(Person.name) == name, func.lower(Person.email).startswith(name + "@")))
        people = session.scalars(query).unique().all()
        if len(people) != 1:
            shown = mention.email or mention.name or mention.user_id
            raise UnknownPerson(
                f"I can't tell who '{shown}' is." if people else f"I don't know anyone called '{shown}'.",
                "Use their e-mail address, e.g. owner:jo.bloggs@police.example.org",
            )
        return people[0]

    # ----------------------------------------------------------------- loading

    def _action(self, session: Session, ref: str, *, lock: bool = False) -> Action:
        query = select(Action).where(Action.ref == ref.upper())
        if lock:
            # Serialise concurrent changes to one action (PostgreSQL; SQLite locks the database).
            query = query.with_for_update(of=Action)
        action = session.scalars(query).unique().one_or_none()
        if action is None:
            raise UnknownAction(
                f"There is no action {ref.upper()}.",
                "Refs look like CC-3 (review code, dash, number). Try /action list review:CC to see them.",
            )
        return action

    def pending_extensions(
        self, session: Session, action_ids: Iterable[int] | None
    ) -> dict[int, tuple[ExtensionRequest, str]]:
        """Waiting extension requests with the requester's name, by action id (all of them when ids is None)."""
        query = (
            select(ExtensionRequest, Person.name)
            .join(Person, Person.id == ExtensionRequest.requested_by_id)
            .where(ExtensionRequest.state == ExtensionState.PENDING)
        )
        if action_ids is not None:
            ids = list(action_ids)
            if not ids:
                return {}
            query = query.where(ExtensionRequest.action_id.in_(ids))
        return {request.action_id: (request, name) for request, name in session.execute(query).all()}

    def view(self, action: Action, pending: tuple[ExtensionRequest, str] | None = None) -> ActionView:
        """An action as people see it today."""
        today = self.today()
        extension = None
        if pending is not None:
            request, name = pending
            extension = ExtensionView(request.requested_due, request.reason, name, request.requested_at)
        return ActionView(
            ref=action.ref,
            text=action.text,
            review_code=action.review.code,
            review_title=action.review.title,
            agency=action.agency.name,
            owner=action.owner.name if action.owner else None,
            owner_email=action.owner.email if action.owner else None,
            due=action.due,
            original_due=action.original_due,
            status=action.status,
            rag=rag(action, today, self.settings.amber_days, self.settings.timezone),
            owner_rag=action.rag,
            days_overdue=days_overdue(action.due, today) if action.status.is_open else 0,
            progress=action.progress,
            evidence=action.evidence,
            pending_extension=extension,
            signed_off_on=action.signed_off_on,
        )

    def _views(self, session: Session, actions: list[Action]) -> list[ActionView]:
        pending = self.pending_extensions(session, (action.id for action in actions))
        return [self.view(action, pending.get(action.id)) for action in actions]

    def _one_view(self, session: Session, action: Action) -> ActionView:
        return self._views(session, [action])[0]

    def _protected_names(self, session: Session, action: Action) -> list[str]:
        return list(
            session.scalars(select(ProtectedName.name).distinct())
        )  # any review's: children move between reviews

    def _check_text(self, session: Session, action: Action, text: str | None) -> None:
        if text:
            check_text(text, self._protected_names(session, action))

    def _last_update(self, session: Session, action: Action) -> Update | None:
        return session.scalars(
            select(Update).where(Update.action_id == action.id).order_by(Update.version.desc()).limit(1)
        ).first()

    # ----------------------------------------------------------------- queries

    def list_actions(self, command: cmd.ListActions) -> list[ActionView]:
        """Every action matching a list command's filters (for the command line: no person, no paging)."""
        with self.sessions() as session:
            return self._views(session, self._filtered(session, None, command))

    def _filtered(self, session: Session, actor: Person | None, command: cmd.ListActions) -> list[Action]:
        query = select(Action).join(Action.review).join(Action.agency)
        today = self.today()
        if command.review:
            query = query.where(func.upper(Review.code) == command.review.upper())
        if command.agency:
            query = query.where(_agency_matches(command.agency))
        if command.owner:
            query = query.where(Action.owner_id == self.find_person(session, command.owner, actor).id)
        if command.status:
            query = query.where(Action.status == command.status)
        if command.overdue:
            query = query.where(Action.due < today, Action.status.in_([Status.NOT_STARTED, Status.IN_PROGRESS]))
        if command.due_by:
            query = query.where(Action.due <= command.due_by)
        query = query.order_by(Action.due, Review.code, Action.id)
        return list(session.scalars(query).unique())

    def _list(self, context: Context, command: cmd.ListActions) -> Reply:
        session, actor = context.session, context.actor
        actions = self._filtered(session, actor, command)
        described = _describe_filters(command)
        return Reply(self._page(session, actions, f"Actions{described}", command))

    def _mine(self, context: Context, command: cmd.Mine) -> Reply:
        session, actor = context.session, context.actor
        actions = list(
            session.scalars(
                select(Action)
                .where(Action.owner_id == actor.id, Action.status != Status.SIGNED_OFF)
                .order_by(Action.due, Action.id)
            ).unique()
        )
        listing = self._page(session, actions, f"Your actions, {actor.name}", command)
        return Reply(replace(listing, empty="You have no open actions. Nothing to do!"))

    def _page(
        self,
        session: Session,
        actions: list[Action],
        title: str,
        command: cmd.Listing,
    ) -> ActionList:
        pages = max(1, -(-len(actions) // PAGE_SIZE))
        page = min(max(1, command.page), pages)
        shown = actions[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        next_command = cmd.with_page(command, page + 1) if page < pages else None
        return ActionList(
            title=title,
            actions=tuple(self._views(session, shown)),
            page=page,
            pages=pages,
            total=len(actions),
            next_command=next_command,
        )

    def _show(self, context: Context, command: cmd.Show) -> Reply:
        session = context.session
        action = self._action(session, command.ref)
        updates = session.scalars(
            select(Update).where(Update.action_id == action.id).order_by(Update.version.desc()).limit(5)
        ).unique()
        recent = tuple(_entry(update, self.settings.timezone) for update in updates)
        return Reply(ActionDetail(self._one_view(session, action), recent))

    def _history(self, context: Context, command: cmd.History) -> Reply:
        session = context.session
        action = self._action(session, command.ref)
        updates = session.scalars(select(Update).where(Update.action_id == action.id).order_by(Update.version)).unique()
        return Reply(History(action.ref, tuple(_entry(update, self.settings.timezone) for update in updates)))

    def _outstanding(self, context: Context, command: cmd.Outstanding) -> Reply:
        session = context.session
        query = (
            select(Action)
            .join(Action.review)
            .join(Action.agency)
            .where(Action.status.in_([Status.NOT_STARTED, Status.IN_PROGRESS]))
        )
        if command.review:
            query = query.where(func.upper(Review.code) == command.review.upper())
        if command.agency:
            query = query.where(_agency_matches(command.agency))
        actions = list(session.scalars(query).unique())
        views = self._views(session, actions)
        today = self.today()
        ordered = sorted(views, key=lambda view: _urgency(view, today))
        grouped: dict[tuple[str, str], list[ActionView]] = {}
        titles: dict[str, str] = {}
        for view in ordered:
            grouped.setdefault((view.review_code, view.agency), []).append(view)
            titles[view.review_code] = view.review_title
        groups = [
            OutstandingGroup(
                review_code=code,
                review_title=titles[code],
                agency=agency,
                actions=tuple(members),
                overdue=sum(1 for member in members if member.days_overdue),
                amber=sum(1 for member in members if member.rag is Rag.AMBER),
            )
            for (code, agency), members in sorted(
                grouped.items(), key=lambda item: (-sum(1 for v in item[1] if v.days_overdue), item[0])
            )
        ]
        pages = _paginate_groups(groups)
        page = min(max(1, command.page), len(pages))
        filters = _describe_filters(command)
        return Reply(
            Outstanding(
                groups=tuple(pages[page - 1]),
                total=len(views),
                overdue=sum(group.overdue for group in groups),
                amber=sum(group.amber for group in groups),
                filters=filters,
                page=page,
                pages=len(pages),
                next_command=cmd.with_page(command, page + 1) if page < len(pages) else None,
            )
        )

    # ----------------------------------------------------------------- changes

    def _update(self, context: Context, command: cmd.UpdateAction) -> Reply:
        session, actor = context.session, context.actor
        action = self._action(session, command.ref, lock=True)
        permissions.require_change(actor, action)
        _require_open(action, "updated")
        if command.note is None:
            return Reply(OpenForm("update", self._one_view(session, action)))
        self._check_text(session, action, command.note)
        fields: dict[str, Any] = {"progress": command.note}
        if command.rag is not None:
            fields["rag"] = command.rag
        if action.status is Status.NOT_STARTED:
            fields["status"] = Status.IN_PROGRESS
        if self._is_repeat(session, action, actor, "update", fields, command.note):
            return self._duplicate(session, action, "update")
        record_change(
            session, action, person=actor, source=context.source, kind="update",
            at=self.clock.now(), note=command.note, **fields,
        )  # fmt: skip
        rag_words = {Rag.GREEN: "on track", Rag.AMBER: "at risk", Rag.RED: "off track"}
        summary = f"Update recorded for {action.ref} ({rag_words.get(action.rag, action.rag.value)})."
        return Reply(Changed(summary, self._one_view(session, action)))

    def _done(self, context: Context, command: cmd.Done) -> Reply:
        session, actor = context.session, context.actor
        action = self._action(session, command.ref, lock=True)
        permissions.require_change(actor, action)
        if action.status is Status.COMPLETE and action.evidence == command.evidence:
            return self._duplicate(session, action, "done")
        _require_open(action, "marked complete")
        self._check_text(session, action, command.evidence)
        record_change(
            session, action, person=actor, source=context.source, kind="done",
            at=self.clock.now(), note=command.evidence, status=Status.COMPLETE,
            evidence=command.evidence, completed_on=self.today(), completed_by_id=actor.id,
        )  # fmt: skip
        summary = f"{action.ref} is marked complete and now waits for the chair's sign-off."
        return Reply(Changed(summary, self._one_view(session, action)))

    def _extend(self, context: Context, command: cmd.Extend) -> Reply:
        session, actor = context.session, context.actor
        action = self._action(session, command.ref, lock=True)
        permissions.require_change(actor, action)
        _require_open(action, "extended")
        pending = self.pending_extensions(session, [action.id]).get(action.id)
        if pending is not None:
            request, _ = pending
            if request.requested_due == command.new_due and request.requested_by_id == actor.id:
                return self._duplicate(session, action, "extend")
            raise InvalidTransition(
                f"{action.ref} already has an extension request waiting (to {format_date(request.requested_due)}).",
                "The chair must approve or decline it before another can be asked for.",
            )
        if command.new_due <= action.due:
            raise BadDate(
                f"{format_date(command.new_due)} is not later than {action.ref}'s current due date, "
                f"{format_date(action.due)}.",
                f"Ask for a later date: /action extend {action.ref} <new due date> <reason>",
            )
        self._check_text(session, action, command.reason)
        now = self.clock.now()
        request = ExtensionRequest(
            action_id=action.id, requested_due=command.new_due, previous_due=action.due,
            reason=command.reason, requested_by_id=actor.id, requested_at=now,
        )  # fmt: skip
        session.add(request)
        record_change(
            session, action, person=actor, source=context.source, kind="extension_requested",
            at=now, note=command.reason, extra={"requested_due": [action.due, command.new_due]},
        )  # fmt: skip
        session.flush()
        view = self.view(action, (request, actor.name))
        chairs = session.scalars(select(Person).where(Person.role == Role.CHAIR, Person.id != actor.id)).all()
        notices = tuple(
            Notice(recipient(chair), ExtensionRequested(view, command.new_due, command.reason, actor.name))
            for chair in chairs
        )
        summary = (
            f"Extension for {action.ref} to {format_date(command.new_due)} requested. "
            f"The chair decides; the due date stays {format_date(action.due)} until then."
        )
        return Reply(Changed(summary, view), notices)

    def _decide(self, context: Context, command: cmd.Approve | cmd.Decline) -> Reply:
        session, actor = context.session, context.actor
        approved = isinstance(command, cmd.Approve)
        action = self._action(session, command.ref, lock=True)
        pending = self.pending_extensions(session, [action.id]).get(action.id)
        if pending is None:
            last = session.scalars(
                select(ExtensionRequest)
                .where(ExtensionRequest.action_id == action.id)
                .order_by(ExtensionRequest.id.desc())
                .limit(1)
            ).first()
            if (
                last is not None
                and last.decided_by_id == actor.id
                and (last.state is ExtensionState.APPROVED) == approved
            ):
                return self._duplicate(session, action, "approve" if approved else "decline")
            raise InvalidTransition(f"{action.ref} has no extension request waiting for a decision.")
        request, requester_name = pending
        permissions.require_chair_decision(actor, action, request.requested_by_id)
        note = None if approved else command.reason  # type: ignore[union-attr]
        self._check_text(session, action, note)
        now = self.clock.now()
        request.state = ExtensionState.APPROVED if approved else ExtensionState.DECLINED
        request.decided_by_id, request.decided_at, request.decision_note = actor.id, now, note
        fields = {"due": request.requested_due} if approved else {}
        record_change(
            session, action, person=actor, source=context.source,
            kind="extension_approved" if approved else "extension_declined", at=now, note=note,
            touch=False, extra={} if approved else {"requested_due": [request.requested_due, None]}, **fields,
        )  # fmt: skip
        view = self._one_view(session, action)
        requester = session.get(Person, request.requested_by_id)
        told = {request.requested_by_id, action.owner_id} - {None}
        people = [requester] + ([action.owner] if action.owner and action.owner_id != request.requested_by_id else [])
        notices = tuple(
            Notice(recipient(person), ExtensionDecided(view, approved, actor.name, note))
            for person in people
            if person is not None and person.id in told
        )
        if approved:
            summary = (
                f"Extension approved: {action.ref} is now due {format_date(action.due)} "
                f"(originally {format_date(action.original_due)}). {requester_name} has been told."
            )
        else:
            summary = (
                f"Extension declined: {action.ref} stays due {format_date(action.due)}. {requester_name} has been told."
            )
        return Reply(Changed(summary, view), notices)

    def _sign_off(self, context: Context, command: cmd.SignOff) -> Reply:
        session, actor = context.session, context.actor
        action = self._action(session, command.ref, lock=True)
        permissions.require_sign_off(actor, action)
        if action.status is Status.SIGNED_OFF:
            if action.signed_off_by_id == actor.id:
                return self._duplicate(session, action, "signoff")
            raise InvalidTransition(f"{action.ref} was already signed off on {_day(action.signed_off_on)}.")
        if action.status is not Status.COMPLETE:
            raise InvalidTransition(
                f"{action.ref} is {action.status.value.replace('_', ' ')}: only complete actions can be signed off.",
                f"The owner marks it complete first with /action done {action.ref} <evidence>.",
            )
        self._check_text(session, action, command.note)
        record_change(
            session, action, person=actor, source=context.source, kind="signoff",
            at=self.clock.now(), note=command.note, touch=False,
            status=Status.SIGNED_OFF, signed_off_on=self.today(), signed_off_by_id=actor.id,
        )  # fmt: skip
        return Reply(Changed(f"{action.ref} is signed off.", self._one_view(session, action)))

    def _impact(self, context: Context, command: cmd.Impact) -> Reply:
        session, actor = context.session, context.actor
        action = self._action(session, command.ref, lock=True)
        permissions.require_change(actor, action)
        if action.status is not Status.SIGNED_OFF:
            raise InvalidTransition(
                f"{action.ref} is not signed off yet: evidence of impact is recorded after sign-off.",
                f"Report progress with /action update {action.ref} <note>.",
            )
        self._check_text(session, action, command.note)
        if self._is_repeat(session, action, actor, "impact", {}, command.note):
            return self._duplicate(session, action, "impact")
        record_change(
            session, action, person=actor, source=context.source, kind="impact",
            at=self.clock.now(), note=command.note, touch=False,
        )  # fmt: skip
        summary = f"Evidence of impact recorded for {action.ref}; the board reports it in its annual report."
        return Reply(Changed(summary, self._one_view(session, action)))

    def _pack(self, actor: Person, command: cmd.Pack) -> Reply:
        from bot.reporting.pack import build_pack, pack_document
        from bot.reporting.render import to_markdown

        permissions.require_coordinator(actor, "build the meeting pack", chair_too=True)
        pack = build_pack(self.sessions, self.today(), timezone=self.settings.timezone)
        return Reply(Text(to_markdown(pack_document(pack))))

    def _digest(self, actor: Person, command: cmd.Digest) -> Reply:
        permissions.require_coordinator(
            actor, "preview the digest" if command.preview else "send the digest", chair_too=command.preview
        )
        if self.digests is None:
            raise UsageError("The digest is not available in this process.")
        if command.preview:
            return Reply(DigestPreview(tuple(self.digests.preview_digest()), self.settings.digest_channel))
        return Reply(Text(self.digests.send_digest_now()))

    # ----------------------------------------------------------------- people's chat accounts

    def _link(self, context: Context, command: cmd.Link) -> Reply:
        session, actor = context.session, context.actor
        permissions.require_coordinator(actor, "link chat accounts to people")
        if command.platform not in ("slack", "teams") or not command.user_id:
            raise UsageError(
                f"I can't tell which chat account '{command.name or '?'}' is.",
                f"Mention them (@name) in a chat they are in, or give their Teams object id: {cmd.USAGE['link']}",
            )
        person = session.scalars(select(Person).where(func.lower(Person.email) == command.email)).one_or_none()
        if person is None:
            raise UnknownPerson(
                f"Nobody on the board has the e-mail {command.email}.",
                "Add them first: python -m bot people add EMAIL NAME --role ROLE",
            )
        column = Person.slack_user_id if command.platform == "slack" else Person.teams_user_id
        words = "Slack" if command.platform == "slack" else "Teams"
        before = ""
        holder = session.scalars(select(Person).where(column == command.user_id)).one_or_none()
        if holder is not None and holder.id != person.id:
            # One chat account is one person: the coordinator's link moves it.
            setattr(holder, column.key, None)
            session.flush()
            before = f" It was linked to {holder.name} <{holder.email}> before."
        setattr(person, column.key, command.user_id)
        person.unreachable = None
        log.info("%s linked %s account %s to %s", actor.email, words, command.user_id, person.email)
        return Reply(Text(f"Linked: that {words} account is now {person.name} <{person.email}>.{before}"))

    # ----------------------------------------------------------------- helpers for changes

    def _is_repeat(
        self,
        session: Session,
        action: Action,
        actor: Person,
        kind: str,
        fields: dict[str, object],
        note: str | None,
    ) -> bool:
        """The same change, retyped or resent: every field already holds it and the last update says it."""
        if any(getattr(action, name) != value for name, value in fields.items()):
            return False
        last = self._last_update(session, action)
        return last is not None and last.person_id == actor.id and last.kind == kind and last.note == note

    def _duplicate(self, session: Session, action: Action, kind: str) -> Reply:
        last = self._last_update(session, action)
        when = f" at {last.at.astimezone(self.settings.timezone):%H:%M on %a %d %b}" if last else ""
        summary = f"Already recorded{when}: nothing new was saved for {action.ref}."
        return Reply(Changed(summary, self._one_view(session, action), duplicate=True))


def _unavailable(error: DBAPIError) -> bool:
    text = str(error.orig).lower()
    return any(
        phrase in text
        for phrase in (
            "database is locked",
            "unable to open database file",
            "connection refused",
            "could not connect",
            "server closed",
            "timeout",
        )
    )


def _day(day: date | None) -> str:
    return format_date(day) if day else "an unrecorded date"


def _require_open(action: Action, verb: str) -> None:
    if action.status is Status.SIGNED_OFF:
        raise InvalidTransition(f"{action.ref} was signed off on {_day(action.signed_off_on)}, so it can't be {verb}.")
    if action.status is Status.COMPLETE:
        raise InvalidTransition(
            f"{action.ref} is marked complete and waiting for the chair's sign-off, so it can't be {verb}.",
            "If more work is needed, ask the coordinator to reopen it.",
        )


def _agency_matches(text: str) -> ColumnElement[bool]:
    word = text.lower()
    return or_(func.lower(Agency.code) == word, func.lower(Agency.name).contains(word))


def _urgency(view: ActionView, today: date) -> tuple[int, int, date, str]:
    if view.days_overdue:
        return (0, -view.days_overdue, view.due, view.ref)
    if view.rag is Rag.AMBER or view.rag is Rag.RED:
        return (1, -RAG_ORDER.get(view.rag, 0), view.due, view.ref)
    return (2, 0, view.due, view.ref)


def _paginate_groups(groups: list[OutstandingGroup]) -> list[list[OutstandingGroup]]:
    """Split groups into pages of about PAGE_SIZE actions; a large group is split, never cut."""
    pages: list[list[OutstandingGroup]] = [[]]
    room = PAGE_SIZE
    for group in groups:
        remaining = list(group.actions)
        while remaining:
            if room == 0:
                pages.append([])
                room = PAGE_SIZE
            part, remaining = remaining[:room], remaining[room:]
            pages[-1].append(
                OutstandingGroup(
                    group.review_code,
                    group.review_title,
                    group.agency,
                    tuple(part),
                    group.overdue,
                    group.amber,
                )
            )
            room -= len(part)
    return pages


def _describe_filters(command: cmd.Listing) -> str:
    words = cmd.describe_filters(command)
    return f" ({words})" if words else ""


def _entry(update: Update, timezone: ZoneInfo) -> HistoryEntry:
    who = update.person.name if update.person else "(import)" if update.source == "import" else "(system)"
    return HistoryEntry(
        update.at.astimezone(timezone), who, update.source, update.kind, dict(update.changes or {}), update.note
    )


_HANDLERS: dict[type, Callable[[ActionService, Context, object], Reply]] = {
    cmd.Mine: ActionService._mine,  # type: ignore[dict-item]
    cmd.ListActions: ActionService._list,  # type: ignore[dict-item]
    cmd.Show: ActionService._show,  # type: ignore[dict-item]
    cmd.History: ActionService._history,  # type: ignore[dict-item]
    cmd.Outstanding: ActionService._outstanding,  # type: ignore[dict-item]
    cmd.UpdateAction: ActionService._update,  # type: ignore[dict-item]
    cmd.Done: ActionService._done,  # type: ignore[dict-item]
    cmd.Extend: ActionService._extend,  # type: ignore[dict-item]
    cmd.Approve: ActionService._decide,  # type: ignore[dict-item]
    cmd.Decline: ActionService._decide,  # type: ignore[dict-item]
    cmd.SignOff: ActionService._sign_off,  # type: ignore[dict-item]
    cmd.Impact: ActionService._impact,  # type: ignore[dict-item]
    cmd.Link: ActionService._link,  # type: ignore[dict-item]
}
_OUTSIDE_TRANSACTION: dict[type, Callable[[ActionService, Person, object], Reply]] = {
    cmd.Digest: ActionService._digest,  # type: ignore[dict-item]
    cmd.Pack: ActionService._pack,  # type: ignore[dict-item]
}
