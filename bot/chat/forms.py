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
# the plan's own fields (add, edit)
TEXT_FIELD, OWNER, AGENCY, SUPPORTING, RECOMMENDATION, TARGET = (
    "text", "owner", "agency", "supporting", "recommendation", "target",
)  # fmt: skip
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
    multiline: bool = True  # a note; False: a name, an agency, a number

    @property
    def optional(self) -> bool:
        return not self.missing

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


def _person(value: object) -> cmd.Mention | None:
    """An owner typed in a form: an e-mail address, or a name (with or without @)."""
    typed = str(value or "").strip()
    if not typed:
        return None
    if "@" in typed.lstrip("@"):
        return cmd.Mention(None, None, typed.lower())
    return cmd.Mention(None, typed.lstrip("@").strip(), None)


def _text(value: object) -> str:
    return str(value or "").strip()


def _add(review: str, got: Mapping[str, object]) -> cmd.Command:
    agency = _text(got.get(AGENCY)) or None
    due = got.get(DUE)
    return cmd.AddAction(review, _text(got[TEXT_FIELD]), _person(got.get(OWNER)), agency,
                         due if isinstance(due, date) else None)  # fmt: skip


def _edit(ref: str, got: Mapping[str, object]) -> cmd.Command:
    """Every field as the form now has it; the service records only what differs from the action."""
    owner = _person(got.get(OWNER))
    return cmd.EditAction(ref, text=_text(got[TEXT_FIELD]), agency=_text(got.get(AGENCY)),
                          supporting=_text(got.get(SUPPORTING)), owner=owner,
                          recommendation=_text(got.get(RECOMMENDATION)), target=_text(got.get(TARGET)))  # fmt: skip


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
    # running the plan in chat (coordinator): the subject of "add" is a review's code, of "edit" an action
    "add": Form(
        "add", "Add action",
        (
            Field(TEXT_FIELD, TEXT, "What is to be done?", "The action as the plan words it", NO_NAMES,
                  "Write what is to be done."),
            Field(OWNER, TEXT, "Owner (e-mail or name)", "jo.bloggs@police.example.org", multiline=False),
            Field(AGENCY, TEXT, "Lead agency (leave empty: the owner's)", "Police", multiline=False),
            Field(DUE, DATE, "Due date", "Pick a date"),
        ),
        _add, TEXT_FIELD,
        {"UnknownPerson": OWNER, "UnknownAgency": AGENCY, BadDate.__name__: DUE},
        intro="Add an action to {ref}; it gets the review's next number.",
    ),
    "edit": Form(
        "edit", "Save changes",
        (
            Field(TEXT_FIELD, TEXT, "What is to be done?", "The action as the plan words it", NO_NAMES,
                  "The action needs its text."),
            Field(AGENCY, TEXT, "Lead agency", "Police", multiline=False, missing="Name the lead agency."),
            Field(SUPPORTING, TEXT, "Supporting agencies (comma-separated)", "Health, Education", multiline=False),
            Field(OWNER, TEXT, "Owner (e-mail or name)", "jo.bloggs@police.example.org", multiline=False),
            Field(RECOMMENDATION, TEXT, "Recommendation number", "2", multiline=False),
            Field(TARGET, TEXT, "Target wording, when there is no date", "Ongoing", multiline=False),
        ),
        _edit, TEXT_FIELD,
        {"UnknownPerson": OWNER, "UnknownAgency": AGENCY, "UnknownRecommendation": RECOMMENDATION},
        intro="A due date is the chair's decision: ask with /action extend.",
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
