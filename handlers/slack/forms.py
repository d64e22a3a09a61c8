"""Reading a submitted form: the command it asks for, or the errors to show beside its fields. Pure.

Errors are keyed by block_id, as Slack's ``response_action: "errors"`` wants; the form stays open
with everything the person typed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import commands as cmd
from bot.dates import parse_future_date
from bot.errors import BadDate
from bot.views import Problem
from handlers.slack.blocks import (
    DUE_BLOCK,
    EVIDENCE_BLOCK,
    NOTE_BLOCK,
    RAG_BLOCK,
    RAG_CHOICES,
    REASON_BLOCK,
    VALUE,
)

Errors = dict[str, str]
Values = dict[str, dict[str, dict[str, Any]]]  # view.state.values: block_id -> action_id -> element state

MAX_ERROR = 2000  # Slack shows a field error under the field; keep it readable


def _field(values: Values, block_id: str) -> dict[str, Any]:
    return (values.get(block_id) or {}).get(VALUE) or {}


def _typed(values: Values, block_id: str) -> str:
    return (_field(values, block_id).get("value") or "").strip()


def read_update(ref: str, values: Values, today: date) -> cmd.UpdateAction | Errors:
    """The update form: a RAG choice and a note (required)."""
    choice = (_field(values, RAG_BLOCK).get("selected_option") or {}).get("value")
    note = _typed(values, NOTE_BLOCK)
    if not note:
        return {NOTE_BLOCK: "Write what has happened since the last update."}
    rag = RAG_CHOICES[choice][1] if choice in RAG_CHOICES else None
    return cmd.UpdateAction(ref, rag, note)


def read_done(ref: str, values: Values, today: date) -> cmd.Done | Errors:
    """The completion form: the evidence (required)."""
    evidence = _typed(values, EVIDENCE_BLOCK)
    if not evidence:
        return {EVIDENCE_BLOCK: "Say what shows the action is complete: the chair reads it before signing off."}
    return cmd.Done(ref, evidence)


def read_extend(ref: str, values: Values, today: date) -> cmd.Extend | Errors:
    """The extension form: a date from today on, and a reason (both required)."""
    errors: Errors = {}
    picked = _field(values, DUE_BLOCK).get("selected_date")
    new_due: date | None = None
    if not picked:
        errors[DUE_BLOCK] = "Pick the new due date."
    else:
        try:
            new_due = parse_future_date(str(picked), today)
        except BadDate as error:
            errors[DUE_BLOCK] = error.message
    reason = _typed(values, REASON_BLOCK)
    if not reason:
        errors[REASON_BLOCK] = "Give the reason the chair will read."
    if errors or new_due is None:
        return errors
    return cmd.Extend(ref, new_due, reason)


def read_decline(ref: str, values: Values, today: date) -> cmd.Decline | Errors:
    """The decline form: the reason the owner will read (required)."""
    reason = _typed(values, REASON_BLOCK)
    if not reason:
        return {REASON_BLOCK: "Give the reason: the owner is told it."}
    return cmd.Decline(ref, reason)


def read_impact(ref: str, values: Values, today: date) -> cmd.Impact | Errors:
    """The impact form: what difference the action made (required)."""
    note = _typed(values, NOTE_BLOCK)
    if not note:
        return {NOTE_BLOCK: "Say what has changed for children since sign-off, and the evidence."}
    return cmd.Impact(ref, note)


READERS = {
    "update": read_update,
    "done": read_done,
    "extend": read_extend,
    "decline": read_decline,
    "impact": read_impact,
}
_TEXT_FIELD = {
    "update": NOTE_BLOCK,
    "done": EVIDENCE_BLOCK,
    "extend": REASON_BLOCK,
    "decline": REASON_BLOCK,
    "impact": NOTE_BLOCK,
}


def problem_errors(form: str, problem: Problem) -> Errors:
    """The service's refusal, shown beside the field it concerns (a date beside the date, the rest
    beside the text, which is what identifying data and most refusals are about)."""
    field = _TEXT_FIELD[form]
    if form == "extend" and "not later than" in problem.message:
        field = DUE_BLOCK
    text = problem.message + (f" {problem.hint}" if problem.hint else "")
    return {field: text if len(text) <= MAX_ERROR else problem.message[:MAX_ERROR]}
