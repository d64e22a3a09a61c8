"""Reading a submitted card form: the command it asks for, or the errors to show under its fields. Pure.

Teams sends a form's inputs merged into the button's data (``{"ref": "CC-3", "form": "update",
"note": "..."}``). A missing note, a past date or a refusal by the services comes back as the
same form with the error under the field and everything the person typed still in it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from bot import commands as cmd
from bot.dates import parse_future_date
from bot.errors import BadDate
from bot.views import Problem
from handlers.teams.cards import DUE_INPUT, EVIDENCE_INPUT, NOTE_INPUT, RAG_CHOICES, RAG_INPUT, REASON_INPUT

Errors = dict[str, str]
Data = Mapping[str, Any]

INPUTS = {
    "update": (RAG_INPUT, NOTE_INPUT),
    "done": (EVIDENCE_INPUT,),
    "extend": (DUE_INPUT, REASON_INPUT),
    "decline": (REASON_INPUT,),
    "impact": (NOTE_INPUT,),
}
_TEXT_FIELD = {"update": NOTE_INPUT, "done": EVIDENCE_INPUT, "extend": REASON_INPUT, "decline": REASON_INPUT,
               "impact": NOTE_INPUT}  # fmt: skip
_NOUNS = {NOTE_INPUT: "note", EVIDENCE_INPUT: "evidence", REASON_INPUT: "reason"}


def typed(form: str, data: Data) -> dict[str, str]:
    """What the person typed into the form's inputs, to put back when the form is shown again."""
    return {name: str(data[name]) for name in INPUTS.get(form, ()) if isinstance(data.get(name), str | int | float)}


def _text(data: Data, name: str, missing: str, errors: Errors) -> str:
    value = str(data.get(name) or "").strip()
    if not value:
        errors[name] = missing
    elif len(value) > cmd.MAX_TEXT:
        errors[name] = f"The {_NOUNS[name]} is {len(value):,} characters; the limit is {cmd.MAX_TEXT:,}."
    return value


def read_update(ref: str, data: Data, today: date) -> cmd.UpdateAction | Errors:
    """The update form: a RAG choice (optional) and a note (required)."""
    errors: Errors = {}
    note = _text(data, NOTE_INPUT, "Write what has happened since the last update.", errors)
    choice = str(data.get(RAG_INPUT) or "")
    if choice and choice not in RAG_CHOICES:
        errors[RAG_INPUT] = "Choose on track, at risk or off track."
    if errors:
        return errors
    return cmd.UpdateAction(ref, RAG_CHOICES[choice][1] if choice else None, note)


def read_done(ref: str, data: Data, today: date) -> cmd.Done | Errors:
    """The completion form: the evidence (required)."""
    errors: Errors = {}
    evidence = _text(data, EVIDENCE_INPUT, "Say what shows the action is complete: the chair reads it.", errors)
    return errors or cmd.Done(ref, evidence)


def read_extend(ref: str, data: Data, today: date) -> cmd.Extend | Errors:
    """The extension form: a date after today, and a reason (both required)."""
    errors: Errors = {}
    picked = str(data.get(DUE_INPUT) or "").strip()
    new_due: date | None = None
    if not picked:
        errors[DUE_INPUT] = "Pick the new due date."
    else:
        try:
            new_due = parse_future_date(picked, today)
        except BadDate as error:
            errors[DUE_INPUT] = error.message
    reason = _text(data, REASON_INPUT, "Give the reason the chair will read.", errors)
    if errors or new_due is None:
        return errors
    return cmd.Extend(ref, new_due, reason)


def read_decline(ref: str, data: Data, today: date) -> cmd.Decline | Errors:
    """The decline form: the reason the owner will read (required)."""
    errors: Errors = {}
    reason = _text(data, REASON_INPUT, "Give the reason: the owner is told it.", errors)
    return errors or cmd.Decline(ref, reason)


def read_impact(ref: str, data: Data, today: date) -> cmd.Impact | Errors:
    """The impact form: what difference the action made (required)."""
    errors: Errors = {}
    note = _text(data, NOTE_INPUT, "Say what has changed for children since sign-off, and the evidence.", errors)
    return errors or cmd.Impact(ref, note)


READERS: dict[str, Callable[[str, Data, date], cmd.Command | Errors]] = {
    "update": read_update,
    "done": read_done,
    "extend": read_extend,
    "decline": read_decline,
    "impact": read_impact,
}


def problem_errors(form: str, problem: Problem) -> Errors:
    """The services' refusal under the field it concerns: a date under the date, the rest under the text."""
    field = _TEXT_FIELD[form]
    if form == "extend" and "not later than" in problem.message:
        field = DUE_INPUT
    return {field: problem.message + (f" {problem.hint}" if problem.hint else "")}
