"""ActionService: the one entry to the core for every surface; each command is decided in its own module."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot import identity as people
from bot.chat import phrases
from bot.clock import Clock, local_today
from bot.config import Settings
from bot.errors import UsageError, UserError
from bot.identity import Identity
from bot.ports import Recipient
from bot.requests import first_time, record
from bot.services import accounts, changes, editing, meeting, queries, reading, uploads
from bot.services import people as people_commands
from bot.services.context import Context, DigestDesk, recipient
from bot.services.presentation import action_view
from bot.services.retry import in_unit_of_work
from bot.views import ActionList, ActionView, Home, Notice, Outstanding, Problem, Reply, Text
from storage import db as storage_db
from storage.models import Action, ExtensionRequest, Person, Role

log = logging.getLogger(__name__)
T = TypeVar("T")


class _Replayed(Exception):
    """The request's key was recorded already: the unit of work ends, rolled back, with nothing done."""


Handler = Callable[[Context, Any], Reply]
HANDLERS: dict[type, Handler] = {
    cmd.Mine: reading.mine,
    cmd.ListActions: reading.list_actions,
    cmd.Show: reading.show,
    cmd.History: reading.history,
    cmd.Outstanding: reading.outstanding,
    cmd.UpdateAction: changes.update,
    cmd.Done: changes.done,
    cmd.Extend: changes.extend,
    cmd.Approve: changes.decide,
    cmd.Decline: changes.decide,
    cmd.SignOff: changes.sign_off,
    cmd.Impact: changes.impact,
    cmd.Link: accounts.link,
    cmd.Import: uploads.how,
    cmd.Withdraw: changes.withdraw,
    # running the plan in chat
    cmd.AddAction: editing.add,
    cmd.EditAction: editing.edit,
    cmd.Assign: editing.assign,
    cmd.Find: editing.find,
    **people_commands.HANDLERS,  # people, person add, leaver, away, snooze, settings
}


# The commands that only read: on SQLite they take no write lock (storage.db.read_only).
READS = (cmd.Help, cmd.Mine, cmd.ListActions, cmd.Show, cmd.History, cmd.Outstanding, cmd.Find, cmd.People)


def _no_digests() -> DigestDesk | None:
    return None


class ActionService:
    """Carries out the `/action` language for any surface."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        clock: Clock,
        settings: Settings,
        digests: Callable[[], DigestDesk | None] = _no_digests,
    ) -> None:
        self.sessions = sessions
        self.clock = clock
        self.settings = settings
        self.digests = digests  # the jobs of this process, if it has any: given by the composition root

    def today(self) -> date:
        return local_today(self.clock, self.settings.timezone)

    def home(self, identity: Identity, *, mine_page: int = 1, outstanding_page: int = 1) -> Home | Problem:
        """A person's home page in one unit of work; a Problem when they are unknown or the database is down."""

        def work(session: Session, bound: bool) -> Home:
            context = self._context(session, identity, bound)
            mine = reading.mine(context, cmd.Mine(page=mine_page)).view
            outstanding = None
            if context.actor.role is Role.CHAIR:
                outstanding = reading.outstanding(context, cmd.Outstanding(page=outstanding_page)).view
            assert isinstance(mine, ActionList) and (outstanding is None or isinstance(outstanding, Outstanding))
            return Home(context.actor.name, mine, outstanding)

        try:
            home, refused = self._bound_first(
                identity, lambda bound: in_unit_of_work(self.sessions, lambda s: work(s, bound), read_only=True)
            )
            if refused is not None:
                assert isinstance(refused.view, Problem)
                return refused.view
            assert home is not None
            return home
        except UserError as error:
            return Problem.of(error)

    def handle(self, command: cmd.Command, identity: Identity) -> Reply:
        """Carry out a parsed command; user errors and an unreachable database become Problem replies."""
        reply = self._handle(command, identity, None)
        assert reply is not None  # only a request with a key can be a replay
        return reply

    def handle_once(self, command: cmd.Command, identity: Identity, key: str | None) -> Reply | None:
        """As ``handle``, for a request that may come again (a replay, a platform's retry) under ``key``:
        None, and nothing done, when it was carried out already.

        A change records the key in its own unit of work, so the two commit together or not at all: no
        transaction of its own, no key left behind by a change that failed. A read, or a command that was
        refused, records it on its own. Without a key, as ``handle``."""
        return self._handle(command, identity, key)

    def _handle(self, command: cmd.Command, identity: Identity, key: str | None) -> Reply | None:
        try:
            if isinstance(command, (cmd.Digest, cmd.Pack, *READS)) and key is not None:
                if not first_time(self.sessions, key, self.clock.now()):
                    return None
                key = None
            if isinstance(command, cmd.Digest | cmd.Pack):
                # These open their own sessions: run them after the person is known,
                # not inside a transaction that holds SQLite's write lock.
                actor, refused = self._bound_first(
                    identity,
                    lambda bound: in_unit_of_work(
                        self.sessions, lambda session: people.require(session, identity, bound=bound), read_only=True
                    ),
                )
                if actor is None:
                    assert refused is not None
                    return refused
                if isinstance(command, cmd.Pack):
                    return meeting.pack(self.sessions, self.clock, self.settings, actor, command.page)
                return meeting.digest(self.digests, self.settings, actor, command)

            def work(session: Session, bound: bool) -> Reply:
                if key is not None and not record(session, key, self.clock.now()):
                    raise _Replayed
                return self._dispatch(session, command, identity, bound)

            reply, refused = self._bound_first(
                identity,
                lambda bound: in_unit_of_work(
                    self.sessions, lambda session: work(session, bound), read_only=isinstance(command, READS)
                ),
            )
            if reply is None:
                assert refused is not None
                return refused
            return reply
        except _Replayed:
            return None
        except UserError as error:
            if key is not None and not first_time(self.sessions, key, self.clock.now()):
                return None  # refused before, and the key kept then
            return Reply(Problem.of(error))

    def _bound_first(self, identity: Identity, run: Callable[[bool], T]) -> tuple[T | None, Reply | None]:
        """``run(False)``; when the account is not yet bound to its Person, bind it in a short unit of work of
        its own, committed before the command's, then ``run(True)``. A person already known by their chat id
        costs nothing more. Returns the run's result, or the refusal of an account claiming someone's e-mail."""
        try:
            return run(False), None
        except people.NotBound:
            refused = self._bind(identity)
            if refused is not None:
                return None, refused
            return run(True), None

    def _bind(self, identity: Identity) -> Reply | None:
        """Bind a chat account found by e-mail, in a short unit of work committed before the command's own.

        None when the command may go on; a refusal when the account's e-mail is someone's who is bound
        to another account on the platform, with word to that person and the coordinators (once a day).
        """

        def work(session: Session) -> tuple[Recipient, list[Recipient]] | None:
            claimed = people.bind(session, identity)
            if claimed is None:
                return None
            coordinators = session.scalars(select(Person).where(Person.role == Role.COORDINATOR).order_by(Person.id))
            return recipient(claimed), [recipient(person) for person in coordinators if person.id != claimed.id]

        claimed = in_unit_of_work(self.sessions, work)
        if claimed is None:
            return None
        person, coordinators = claimed
        user_id = identity.user_id or ""
        log.warning(
            "refused %s account %s claiming the e-mail of person %s", identity.platform, user_id, person.person_id
        )
        notices: tuple[Notice, ...] = ()
        if first_time(self.sessions, f"claim:{identity.platform}:{user_id}:{person.person_id}", self.clock.now()):
            told = Text(phrases.claim_told_person(identity.platform, user_id, person.email))
            warned = Text(phrases.claim_told_coordinator(identity.platform, user_id, person.name, person.email))
            notices = (Notice(person, told), *(Notice(coordinator, warned) for coordinator in coordinators))
        message, hint = phrases.claim_refused(identity.platform)
        return Reply(Problem(message, hint, "ClaimRefused"), notices)

    def _dispatch(self, session: Session, command: cmd.Command, identity: Identity, bound: bool = True) -> Reply:
        if isinstance(command, cmd.Help):
            return Reply(Text(cmd.help_text(command.topic)))
        context = self._context(session, identity, bound)
        handler = HANDLERS.get(type(command))
        if handler is None:
            raise UsageError(f"'{type(command).__name__.lower()}' is not available here yet.")
        return handler(context, command)

    def _context(self, session: Session, identity: Identity, bound: bool = True) -> Context:
        actor = people.require(session, identity, bound=bound)
        return Context(session, actor, identity.platform, self.clock, self.settings)

    # ----------------------------------------------------------------- for surfaces and jobs

    def find_person(self, session: Session, mention: cmd.Mention, actor: Person | None) -> Person:
        """The person an ``owner:`` filter names."""
        return queries.find_person(session, mention, actor)

    def coordinators(self) -> list[Recipient]:
        """The board's coordinators, to be told what only they can put right (the bot removed from the channel)."""
        with self.sessions() as session:
            storage_db.read_only(session)
            current = (Person.role == Role.COORDINATOR, Person.left_on.is_(None))  # not one who has left
            people = session.scalars(select(Person).where(*current).order_by(Person.id))
            return [recipient(person) for person in people]

    def pending_extensions(
        self, session: Session, action_ids: Iterable[int] | None
    ) -> dict[int, tuple[ExtensionRequest, str]]:
        """Waiting extension requests with the requester's name, by action id (all of them when ids is None)."""
        return queries.pending_extensions(session, action_ids)

    def view(self, action: Action, pending: tuple[ExtensionRequest, str] | None = None) -> ActionView:
        """An action as people see it today."""
        return action_view(action, self.today(), self.settings, pending)

    def list_actions(self, command: cmd.ListActions) -> list[ActionView]:
        """Every action matching a list command's filters (for the command line: no person, no paging)."""
        with self.sessions() as session:
            storage_db.read_only(session)
            actions = queries.filtered_actions(session, None, command, self.today())
            pending = queries.pending_extensions(session, (action.id for action in actions))
            return [self.view(action, pending.get(action.id)) for action in actions]
