"""Plain-text renderer: view models to words, for the console, the CLI and plain chat."""

from __future__ import annotations

from collections.abc import Sequence
from functools import singledispatch

from bot.dates import format_date
from bot.views import (
    ActionDetail,
    ActionList,
    ActionView,
    Changed,
    Digest,
    DigestPreview,
    DigestSection,
    Escalation,
    ExtensionDecided,
    ExtensionRequested,
    History,
    HistoryEntry,
    ImpactCheck,
    Nudge,
    OpenForm,
    Outstanding,
    Problem,
    Reminder,
    Text,
)
from storage.models import Rag, Status

RAG_WORDS = {
    Rag.RED: "RED",
    Rag.AMBER: "AMBER",
    Rag.GREEN: "GREEN",
    Rag.BLUE: "BLUE",
}
STATUS_WORDS = {
    Status.NOT_STARTED: "not started",
    Status.IN_PROGRESS: "in progress",
    Status.COMPLETE: "complete, awaiting sign-off",
    Status.SIGNED_OFF: "signed off",
}


@singledispatch
def render(view: object) -> str:
    """The text of any view model."""
    raise TypeError(f"no text renderer for {type(view).__name__}")


def due_words(action: ActionView) -> str:
    """'due Tue 31 Mar 2026 (12 days overdue; extended from ...)'."""
    words = f"due {format_date(action.due)}" if action.due else action.due_text  # "needs a date (plan: 'Ongoing')"
    notes = []
    if action.days_overdue:
        notes.append(f"{action.days_overdue} day{'s' if action.days_overdue != 1 else ''} overdue")
    if action.extended:
        notes.append(f"originally {format_date(action.original_due)}")
    return words + (f" ({'; '.join(notes)})" if notes else "")


def action_line(action: ActionView) -> str:
    """One action on one or two lines."""
    owner = action.owner or (f"{action.lead_name} (no address)" if action.lead_name else "no owner")
    head = f"[{RAG_WORDS[action.rag]}] {action.ref} · {action.agency} · {owner} · {due_words(action)}"
    if action.status is not Status.IN_PROGRESS:
        head += f" · {STATUS_WORDS[action.status]}"
    body = f"    {_shorten(action.text, 160)}"
    if action.pending_extension:
        body += f"\n    Extension asked: to {format_date(action.pending_extension.requested_due)}"
    return f"{head}\n{body}"


def _shorten(text: str, limit: int) -> str:
    # Only list views shorten; /action show always gives the whole text.
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _more(page: int, pages: int, next_command: str | None) -> list[str]:
    if pages <= 1:
        return []
    line = f"Page {page} of {pages}."
    if next_command:
        line += f" More: {next_command}"
    return [line]


@render.register
def _(view: ActionList) -> str:
    if not view.actions:
        return f"{view.title}\n{view.empty}"
    count = f"{view.total} action{'s' if view.total != 1 else ''}"
    lines = [f"{view.title}: {count}"]
    lines += [action_line(action) for action in view.actions]
    lines += _more(view.page, view.pages, view.next_command)
    return "\n".join(lines)


@render.register
def _(view: ActionDetail) -> str:
    action = view.action
    lines = [
        f"{action.ref} — {action.review_title} ({action.review_code})",
        action.text,
        f"Agency: {action.agency}",
        f"Owner: {action.owner_text}",
        f"Due: {due_words(action)}",
        f"Status: {STATUS_WORDS[action.status]}",
        f"RAG: {RAG_WORDS[action.rag]}"
        + (f" (owner says {action.owner_rag.value})" if action.owner_rag != action.rag else ""),
    ]
    if action.progress:
        lines.append(f"Latest progress: {action.progress}")
    if action.evidence:
        lines.append(f"Evidence: {action.evidence}")
    if action.pending_extension:
        ext = action.pending_extension
        lines.append(f"Extension asked by {ext.requested_by}: to {format_date(ext.requested_due)} — {ext.reason}")
    if view.recent:
        lines.append("Recent changes:")
        lines += [f"  {history_line(entry)}" for entry in view.recent]
    return "\n".join(lines)


def history_line(entry: HistoryEntry) -> str:
    """'Wed 01 Apr 2026 10:00 BST · Jo Bloggs via slack · update · rag green → amber · "note"'."""
    changes = change_words(entry)
    parts = [
        f"{entry.at:%a %d %b %Y %H:%M %Z}",
        f"{entry.who} via {entry.source}",
        entry.kind.replace("_", " "),
    ]
    if changes:
        parts.append(changes)
    if entry.note:
        parts.append(f'"{entry.note}"')
    return " · ".join(parts)


def change_words(entry: HistoryEntry) -> str:
    """'rag green → amber, due 2026-04-01 → 2026-05-01'; a created action is summed up, not listed field by field."""
    if entry.kind == "created":
        due = entry.changes.get("due", [None, None])[1]
        return f"due {_value(due)}" if due else ""
    return ", ".join(
        f"{name.removesuffix('_id').replace('_', ' ')} {_value(old)} → {_value(new)}"
        for name, (old, new) in entry.changes.items()
    )


def _value(value: object) -> str:
    return "—" if value in (None, "") else str(value)


@render.register
def _(view: History) -> str:
    if not view.entries:
        return f"{view.ref} has no recorded changes."
    return "\n".join([f"History of {view.ref}:"] + [f"  {history_line(entry)}" for entry in view.entries])


@render.register
def _(view: Outstanding) -> str:
    if not view.total:
        return f"No outstanding actions{view.filters}."
    lines = [f"Outstanding actions{view.filters}: {view.total} open, {view.overdue} overdue, {view.amber} amber"]
    for group in view.groups:
        counts = f"{len(group.actions)} shown, {group.overdue} overdue, {group.amber} amber"
        lines.append(f"\n{group.review_code} {group.review_title} — {group.agency} ({counts})")
        lines += [action_line(action) for action in group.actions]
    lines += _more(view.page, view.pages, view.next_command)
    return "\n".join(lines)


@render.register
def _(view: Changed) -> str:
    return f"{view.summary}\n{action_line(view.action)}"


@render.register
def _(view: ExtensionRequested) -> str:
    return (
        f"{view.requested_by} asks to move {view.action.ref} from {format_date(view.action.due)} "
        f"to {format_date(view.requested_due)}.\nReason: {view.reason}\n{action_line(view.action)}\n"
        f"Decide: /action approve {view.action.ref}   or   /action decline {view.action.ref} <reason>"
    )


@render.register
def _(view: ExtensionDecided) -> str:
    verdict = "approved" if view.approved else "declined"
    line = f"{view.decided_by} {verdict} the extension for {view.action.ref}; it is due {format_date(view.action.due)}."
    if view.note:
        line += f"\nReason: {view.note}"
    return line


@render.register
def _(view: OpenForm) -> str:
    forms = {
        "update": f"/action update {view.action.ref} [on-track|at-risk|off-track] <what has happened>",
        "done": f"/action done {view.action.ref} <evidence>",
        "extend": f"/action extend {view.action.ref} <new due date> <reason>",
    }
    return f"Add a note to {view.action.ref}: {forms[view.form]}\n{action_line(view.action)}"


@render.register
def _(view: Text) -> str:
    return view.body


@render.register
def _(view: Problem) -> str:
    return view.message + (f"\n{view.hint}" if view.hint else "")


def _reminders(reminders: Sequence[Reminder]) -> list[str]:
    return [f"{action_line(r.action)}\n    ({r.reason})" for r in reminders]


@render.register
def _(view: Nudge) -> str:
    count = len(view.reminders)
    lines = [f"Hello {view.name}: {count} of your actions need{'s' if count == 1 else ''} attention."]
    lines += _reminders(view.reminders)
    lines.append("Reply with /action update REF on-track|at-risk|off-track <note>, /action done REF <evidence>, "
                 "or /action extend REF <date> <reason>.")  # fmt: skip
    return "\n".join(lines)


@render.register
def _(view: ImpactCheck) -> str:
    lines = [f"Hello {view.name}: months ago these actions were signed off. Has the change held for children?"]
    lines += _reminders(view.reminders)
    lines.append("Tell the board what difference it made: /action impact REF <what has changed, and the evidence>.")
    return "\n".join(lines)


@render.register
def _(view: Escalation) -> str:
    lines = [f"{view.name}, these actions are overdue by {view.escalate_after_days} days or more:"]
    lines += _reminders(view.reminders)
    lines.append("See them all with /action outstanding.")
    return "\n".join(lines)


def _section(section: DigestSection) -> list[str]:
    lines = [f"== {section.heading}"]
    for review in section.reviews:
        lines.append(
            f"{review.code} {review.title}: {review.total} actions · {review.red} red, {review.amber} amber, "
            f"{review.green} green, {review.blue} blue · {review.bar}"
        )
    lines += [action_line(action) for action in section.actions]
    for update in section.updates:
        note = f": {update.note}" if update.note else ""
        lines.append(f"{update.ref} · {update.who} · {update.kind.replace('_', ' ')}{note}")
    for problem in section.problems:
        detail = f" ({problem.detail})" if problem.detail else ""
        lines.append(f"{problem.who} · {problem.what} · {problem.state.replace('_', ' ')}{detail}")
    if len(lines) == 1:
        lines.append(section.empty)
    return lines


@render.register
def _(view: Digest) -> str:
    title = f"Weekly digest, week of {format_date(view.week)}"
    if view.parts > 1:
        title += f" ({view.part} of {view.parts})"
    lines = [title]
    for section in view.sections:
        lines += [""] + _section(section)
    lines += [f"[chart] {chart.fallback}" for chart in view.charts]
    return "\n".join(lines)


@render.register
def _(view: DigestPreview) -> str:
    where = f"#{view.channel}" if view.channel else "the sub-group channel (DIGEST_CHANNEL is not set)"
    return f"Preview of the digest for {where}:\n\n" + "\n\n".join(render(part) for part in view.parts)


def table(rows: Sequence[Sequence[str]], headers: Sequence[str]) -> str:
    """A fixed-width text table."""
    widths = [max(len(str(cell)) for cell in column) for column in zip(headers, *rows, strict=False)]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(cell).ljust(width) for cell, width in zip(cells, widths, strict=False)).rstrip()

    return "\n".join([line(headers), line(["-" * width for width in widths])] + [line(row) for row in rows])
