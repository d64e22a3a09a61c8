"""The chat controller every surface calls: what a person typed or clicked becomes a command, the
services carry it out, and the answer is a view. Forms are opened and submitted here, and the people
a change concerns are told here. Slack, Teams and the console keep only their markup and their ids."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot import commands as cmd
from bot.chat import forms, phrases
from bot.errors import UsageError
from bot.ports import Messenger
from bot.requests import first_time
from bot.services import ActionService, Identity
from bot.services.uploads import Uploads, file_problem, may_upload
from bot.views import ActionDetail, ActionView, Home, Problem, Reply, Text, View
from storage.models import Status

log = logging.getLogger(__name__)

Prepare = Callable[[cmd.Command], cmd.Command]
PLAN_FORMS = ("add", "edit")  # the coordinator's forms: about a review (add) or the plan's fields of an action


@dataclass(frozen=True)
class Submitted:
    """A form's submission: the reply when it was carried out, else the errors to show beside its fields."""

    reply: Reply | None = None
    errors: forms.Errors = field(default_factory=dict)


def _unchanged(command: cmd.Command) -> cmd.Command:
    return command


class ChatController:
    """Text → command → service → view, forms, and notices; one per chat surface (its notifier differs)."""

    def __init__(self, actions: ActionService, notifier: Messenger | None = None) -> None:
        self.actions = actions
        self.notifier = notifier  # None: the surface shows notices itself (the console)
        self.uploads = Uploads(actions.sessions, actions.clock)

    # ------------------------------------------------------------------ loading a plan in chat

    def may_upload(self, identity: Identity) -> Problem | None:
        """Ask before downloading an upload: None when this person may load a plan, else the refusal."""
        return may_upload(self.actions.sessions, identity)

    def upload_problem(self, file_name: str, size: int | None) -> Problem | None:
        """Refuse a file by its name and size, before downloading it."""
        return file_problem(file_name, size)

    def preview_upload(self, content: bytes, file_name: str, identity: Identity) -> View:
        """A spreadsheet uploaded in chat, dry-run: the report with Import / Cancel, or every problem in it."""
        return self.uploads.preview(content, file_name, identity)

    def finish_upload(self, token: str, identity: Identity, *, go: bool) -> View:
        """Import (``go``) or cancel a pending upload; a replayed press changes nothing."""
        return self.uploads.finish(token, identity, go=go)

    def today(self) -> date:
        return self.actions.today()

    def run_text(self, text: str, identity: Identity, prepare: Prepare = _unchanged) -> Reply:
        """Parse an /action line and carry it out; ``prepare`` lets a surface settle what only it can read
        (a Slack mention). A line that cannot be understood is a Problem reply and changes nothing."""
        reply = self._run_text(text, identity, prepare, None)
        assert reply is not None  # only a request with a key can be a replay
        return reply

    def run_text_once(
        self, text: str, identity: Identity, key: str | None, prepare: Prepare = _unchanged
    ) -> Reply | None:
        """As ``run_text``, for a request that may come again under ``key`` (ActionService.handle_once):
        None, and nothing done, when it was carried out (or refused) already. Without a key, as run_text."""
        return self._run_text(text, identity, prepare, key)

    def _run_text(self, text: str, identity: Identity, prepare: Prepare, key: str | None) -> Reply | None:
        parsed = cmd.parse(text, self.today())
        if isinstance(parsed, UsageError):
            if key is not None and not first_time(self.actions.sessions, key, self.actions.clock.now()):
                return None
            return Reply(Problem.of(parsed))
        return self.actions.handle_once(prepare(parsed), identity, key)

    def run(self, command: cmd.Command, identity: Identity) -> Reply:
        """Carry out a command a button stands for (Details, Approve)."""
        return self.actions.handle(command, identity)

    def home(self, identity: Identity, *, mine_page: int = 1, outstanding_page: int = 1) -> Home | Problem:
        return self.actions.home(identity, mine_page=mine_page, outstanding_page=outstanding_page)

    def form_for(self, form: str, ref: str, identity: Identity) -> ActionView | View:
        """The action a form is about, when the form may be opened; else the view that says why not.
        The plan's own forms (add, edit) come as the OpenForm their command answers, filled in."""
        if form in PLAN_FORMS:
            return self.actions.handle(
                cmd.AddAction(ref, None) if form == "add" else cmd.EditAction(ref), identity
            ).view
        view: View = self.actions.handle(cmd.Show(ref), identity).view
        if not isinstance(view, ActionDetail):
            return view
        action = view.action
        if form == "decline" and action.pending_extension is None:
            return Problem(phrases.no_extension_waiting(ref))
        if action.status.is_open or (form == "impact" and action.status is Status.SIGNED_OFF):
            return action  # impact is recorded after sign-off
        return Problem(phrases.not_changeable(action))  # a button on an old message: nothing left to do

    def submit(
        self,
        form: str,
        ref: str,
        values: Mapping[str, object],
        identity: Identity,
        first_time: Callable[[], bool] = lambda: True,
    ) -> Submitted:
        """Read a submitted form and carry it out; a missing field or a refusal comes back as errors by field.
        ``first_time`` is asked once the form is valid: False (a replay) carries nothing out."""
        read = forms.read(form, ref, values, self.today())
        if isinstance(read, dict):
            return Submitted(errors=read)
        if not first_time():
            return Submitted()
        reply = self.actions.handle(read, identity)
        if isinstance(reply.view, Problem):
            return Submitted(errors=forms.problem_errors(form, reply.view))
        return Submitted(reply)

    def digest_channel_lost(self, channel: str) -> int:
        """The bot was removed from the sub-group channel: tell every coordinator, since the digest cannot go
        out until it is invited back. Another channel is none of the bot's business. Returns how many were told."""
        if self.notifier is None or channel != self.actions.settings.digest_channel:
            return 0
        coordinators = self.actions.coordinators()
        for person in coordinators:
            self.notifier.send_direct(person, Text(phrases.digest_channel_lost(channel)))
        return len(coordinators)

    def notify(self, reply: Reply) -> None:
        """Deliver the messages a command sends to other people (the chair, the owner)."""
        if self.notifier is None:
            return
        for notice in reply.notices:
            delivery = self.notifier.send_direct(notice.to, notice.view)
            if not delivery.sent:
                log.warning(
                    "notice to %s not delivered: %s %s", notice.to.email, delivery.outcome.value, delivery.detail
                )
