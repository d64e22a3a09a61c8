"""Loading a plan in chat: a coordinator's uploaded spreadsheet goes through the CLI's importer as a dry run,
waits (its bytes in ``pending_upload``) for Import or Cancel, and is deleted on either, or once it expires.

Only the coordinator may preview or import; the surfaces ask ``may_upload`` before downloading anything.
A press of Import claims the pending row by deleting it, so a replayed or doubled click imports once.
"""

from __future__ import annotations

import secrets
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path, PurePath
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select
from sqlalchemy.orm import Session, sessionmaker

from bot import commands as cmd
from bot import identity as people
from bot.chat import phrases
from bot.clock import Clock
from bot.errors import NotPermitted, UserError
from bot.identity import Identity
from bot.plans import ImportReport, SheetRejected, import_plan
from bot.services.context import Context
from bot.services.retry import in_unit_of_work
from bot.views import Problem, Reply, Text, UploadPreview, View
from storage.models import PendingUpload, Person, Role

KEPT_FOR = timedelta(hours=1)  # case data: an unanswered preview is deleted after this


@dataclass(frozen=True)
class Attachment:
    """A file a person attached in chat: its name, where to download it, and its size when the platform says."""

    name: str
    url: str
    size: int | None = None


MAX_UPLOAD = 10 * 1024 * 1024  # bytes; a 500-action workbook is well under 1 MB


def may_upload(sessions: sessionmaker[Session], identity: Identity) -> Problem | None:
    """None when this person may load a plan; else the refusal to show (before anything is downloaded)."""
    try:
        in_unit_of_work(sessions, lambda session: _coordinator(session, identity))
    except UserError as error:
        return Problem.of(error)
    return None


def _coordinator(session: Session, identity: Identity) -> Person:
    person = people.require(session, identity)
    if person.role is not Role.COORDINATOR:
        raise NotPermitted(phrases.IMPORT_ONLY_COORDINATOR, phrases.IMPORT_ONLY_COORDINATOR_HINT)
    return person


def forget_expired(sessions: sessionmaker[Session], now: datetime) -> None:
    """Delete uploads nobody answered within KEPT_FOR (the scheduler calls this): case data is not kept."""
    with sessions.begin() as session:
        session.execute(delete(PendingUpload).where(PendingUpload.expires_at <= now))


def file_problem(file_name: str, size: int | None) -> Problem | None:
    """Refuse a file by its name and size before it is downloaded: not a sheet, or far too big for a plan."""
    if PurePath(file_name).suffix.lower() not in phrases.UPLOAD_TYPES:
        return Problem(phrases.UPLOAD_NOT_A_SHEET.format(name=file_name))
    if size is not None and size > MAX_UPLOAD:
        return Problem(phrases.UPLOAD_TOO_BIG.format(size=round(size / 2**20, 1), limit=MAX_UPLOAD // 2**20))
    return None


def how(context: Context, command: cmd.Import) -> Reply:
    """/action import: where to put the spreadsheet on this surface (the coordinator only)."""
    if context.actor.role is not Role.COORDINATOR:
        raise NotPermitted(phrases.IMPORT_ONLY_COORDINATOR.split(";")[0] + ".", phrases.IMPORT_ONLY_COORDINATOR_HINT)
    return Reply(Text(phrases.import_how(context.source)))


class Uploads:
    """Preview, import and cancel spreadsheets uploaded in chat, for every surface."""

    def __init__(self, sessions: sessionmaker[Session], clock: Clock) -> None:
        self.sessions = sessions
        self.clock = clock

    def preview(self, content: bytes, file_name: str, identity: Identity) -> View:
        """The importer's dry run of an upload: a clean sheet waits for Import, a bad one is reported in full."""
        name = PurePath(file_name).name or "plan.xlsx"
        refused = may_upload(self.sessions, identity) or file_problem(name, len(content))
        if refused is not None:
            return refused
        now = self.clock.now()
        outcome = self._run(content, name, now, dry_run=True, email=None)
        if not isinstance(outcome, ImportReport):
            return outcome
        token = secrets.token_urlsafe(24)

        def keep(session: Session) -> None:
            uploader = _coordinator(session, identity)
            session.execute(delete(PendingUpload).where(PendingUpload.expires_at <= now))
            session.execute(delete(PendingUpload).where(PendingUpload.person_id == uploader.id))  # one at a time
            expires = now + KEPT_FOR
            session.add(PendingUpload(token=token, person_id=uploader.id, file_name=name, content=content,
                                      created_at=now, expires_at=expires))  # fmt: skip

        in_unit_of_work(self.sessions, keep)
        return UploadPreview(outcome.render(), token, name)

    def finish(self, token: str, identity: Identity, *, go: bool) -> View:
        """Import (``go``) or cancel a pending upload; the file is deleted either way; a second press does nothing."""
        refused = may_upload(self.sessions, identity)
        if refused is not None:
            return refused
        now = self.clock.now()

        def claim(session: Session) -> tuple[str, bytes, str] | None:
            uploader = _coordinator(session, identity)
            session.execute(delete(PendingUpload).where(PendingUpload.expires_at <= now))
            found = session.execute(
                select(PendingUpload.id, PendingUpload.file_name, PendingUpload.content).where(
                    PendingUpload.token == token, PendingUpload.person_id == uploader.id
                )
            ).one_or_none()
            if found is None:
                return None
            # The delete is the claim: of two presses at once, only one deletes the row.
            gone = session.execute(delete(PendingUpload).where(PendingUpload.id == found.id))
            claimed = cast(CursorResult[Any], gone).rowcount == 1
            return (found.file_name, found.content, uploader.email) if claimed else None

        claimed = in_unit_of_work(self.sessions, claim)
        if claimed is None:
            return Problem(phrases.UPLOAD_GONE, phrases.UPLOAD_GONE_HINT)
        if not go:
            return Text(phrases.UPLOAD_CANCELLED)
        name, content, email = claimed
        outcome = self._run(content, name, now, dry_run=False, email=email)
        return Text(outcome.render(full=True)) if isinstance(outcome, ImportReport) else outcome

    def _run(
        self, content: bytes, name: str, now: datetime, *, dry_run: bool, email: str | None
    ) -> ImportReport | Problem:
        # The importer reads a path: the bytes go in a private temporary directory, removed at once.
        with tempfile.TemporaryDirectory(prefix="plan-upload-") as folder:
            path = Path(folder) / name
            path.write_bytes(content)
            try:
                report = import_plan(self.sessions, path, now=now, dry_run=dry_run, person_email=email)
            except SheetRejected as error:
                return Problem(error.message, phrases.upload_rejected_hint(error.hint), "SheetRejected")
            except UserError as error:
                return Problem.of(error)
        report.command = phrases.UPLOAD_MORE
        return report
