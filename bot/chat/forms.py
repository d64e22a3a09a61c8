"""The forms (update, done, extend, decline, impact) as one neutral spec: their fields, what each
needs, the command a submission asks for, and which field a refusal by the services concerns. Pure.

A platform keeps only its markup and its ids: it hands ``read`` the submitted values by field name
and shows the errors it returns beside the fields they name.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from bot import commands as cmd
from bot.chat.phrases import FORM_BUTTONS, FORM_TITLES, RAG_CHOICES
from bot.dates import format_date, parse_future_date
from bot.errors import BadDate
from bot.views import ActionView, Problem
from storage.models import Rag

RAG, NOTE, EVIDENCE, DUE, REASON = "rag", "note", "evidence", "due", "reason"
CHOICE, TEXT, DATE = "choice", "text", "date"
NO_NAMES = "No names, addresses or other details that could identify the child or family."

Errors = dict[str, str]  # field name -> what is wrong with it


@dataclass(frozen=True)
class Field:
    name: str
    kind: str
    label: str  # may name the action's current {due}
    placeholder: str = ""
    hint: str | None = None
    missing: str = ""  # the error when it is left empty; empty: the field may be left empty

    def label_for(self, action: ActionView | None) -> str:
        return self.label.format(due=format_date(action.due) if action else "")


@dataclass(frozen=True)
class Form:
    name: str
    submit: str
    fields: tuple[Field, ...]
    build: Callable[[str, Mapping[str, object]], cmd.Command]
    text_field: str  # where a refusal of the text (identifying data, permissions) is shown
    error_fields: Mapping[str, str] = field(default_factory=dict)  # a typed error's class -> its field
    intro: str | None = None

    def title(self, ref: str) -> str:
        return FORM_TITLES[self.name].format(ref=ref)

    @property
    def button(self) -> str:
        return FORM_BUTTONS[self.name]


def _rag(value: object) -> Rag | None:
    return RAG_CHOICES[str(value)][1] if value in RAG_CHOICES else None


FORMS = {
    "update": Form(
        "update", "Save update",
        (
            Field(RAG, CHOICE, "How is it going?"),
            Field(NOTE, TEXT, "What has happened since the last update?", "Progress, next steps", NO_NAMES,
                  "Write what has happened since the last update."),
        ),
        lambda ref, got: cmd.UpdateAction(ref, _rag(got.get(RAG)), str(got[NOTE])), NOTE,
    ),
    "done": Form(
        "done", "Mark complete",
        (Field(EVIDENCE, TEXT, "Evidence that the action is complete", "What shows it is done, and where it is kept",
               "The chair reads this before signing the action off. " + NO_NAMES,
               "Say what shows the action is complete: the chair reads it before signing off."),),
        lambda ref, got: cmd.Done(ref, str(got[EVIDENCE])), EVIDENCE,
    ),
    "extend": Form(
        "extend", "Send request",
        (
            Field(DUE, DATE, "New due date (now {due})", "Pick a date", missing="Pick the new due date."),
            Field(REASON, TEXT, "Why is more time needed?", "The reason the chair will read", NO_NAMES,
                  "Give the reason the chair will read."),
        ),
        lambda ref, got: cmd.Extend(ref, got[DUE], str(got[REASON])),  # type: ignore[arg-type]
        REASON, {BadDate.__name__: DUE},
    ),
    "decline": Form(
        "decline", "Decline",
        (Field(REASON, TEXT, "Reason", "Why the due date stays as it is",
               missing="Give the reason: the owner is told it."),),
        lambda ref, got: cmd.Decline(ref, str(got[REASON])), REASON,
        intro="Decline the extension requested for {ref}. The owner is told your reason.",
    ),
    "impact": Form(
        "impact", "Save",
        (Field(NOTE, TEXT, "What difference has it made?",
               "What has changed for children, and the evidence (an audit, a re-check, figures)",
               "The board reports this in its annual report. " + NO_NAMES,
               "Say what has changed for children since sign-off, and the evidence."),),
        lambda ref, got: cmd.Impact(ref, str(got[NOTE])), NOTE,
    ),
    # /action snooze from a reminder's Snooze button: no nudge before the date, never past the due date.
    "snooze": Form(
        "snooze", "Snooze",
        (
            Field(DUE, DATE, "No reminders before (due {due})", "Pick a date",
                  missing="Pick the day reminders start again."),
            Field(REASON, TEXT, "Why wait until then?", "The reason, kept in the action's history", NO_NAMES,
                  "Give the reason: it is kept in the history."),
        ),
        lambda ref, got: cmd.Snooze(ref, got[DUE], str(got[REASON])),  # type: ignore[arg-type]
        REASON, {BadDate.__name__: DUE},
    ),
}  # fmt: skip


def _check(spec: Field, raw: str, today: date, errors: Errors) -> object:
    if not raw:
        if spec.missing:
            errors[spec.name] = spec.missing
        return None
    if spec.kind == CHOICE and raw not in RAG_CHOICES:
        errors[spec.name] = "Choose on track, at risk or off track."
    elif spec.kind == TEXT and len(raw) > cmd.MAX_TEXT:
        errors[spec.name] = f"The {spec.name} is {len(raw):,} characters; the limit is {cmd.MAX_TEXT:,}."
    elif spec.kind == DATE:
        try:
            return parse_future_date(raw, today)
        except BadDate as error:
            errors[spec.name] = error.message
    return raw


def read(form: str, ref: str, values: Mapping[str, object], today: date) -> cmd.Command | Errors:
    """A submitted form: the command it asks for, or what is wrong, by field name. Nothing is written."""
    spec = FORMS[form]
    errors: Errors = {}
    got = {f.name: _check(f, str(values.get(f.name) or "").strip(), today, errors) for f in spec.fields}
    return errors or spec.build(ref, got)


def problem_errors(form: str, problem: Problem, limit: int | None = None) -> Errors:
    """The services' refusal beside the field it concerns: the typed error says which (a date beside the
    date); the rest beside the text, which is what identifying data and most refusals are about."""
    spec = FORMS[form]
    name = spec.error_fields.get(problem.kind or "", spec.text_field)
    text = problem.message + (f" {problem.hint}" if problem.hint else "")
    return {name: text if limit is None or len(text) <= limit else problem.message[:limit]}


def typed(form: str, values: Mapping[str, object]) -> dict[str, str]:
    """What the person typed into the form's fields, to put back when the form is shown again."""
    return {
        f.name: str(values[f.name]) for f in FORMS[form].fields if isinstance(values.get(f.name), str | int | float)
    }
