"""Reading a submitted modal: Slack's view state turned into the neutral form's values (the block ids
are the field names), read by ``bot.chat.forms``. Errors are keyed by block_id, as Slack's
``response_action: "errors"`` wants; the form stays open with everything the person typed."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot import commands as cmd
from bot.chat import forms as spec
from bot.views import Problem
from handlers.slack.blocks import VALUE

Errors = dict[str, str]
Values = dict[str, dict[str, dict[str, Any]]]  # view.state.values: block_id -> action_id -> element state

MAX_ERROR = 2000  # Slack shows a field error under the field; keep it readable
_STATE = {spec.CHOICE: "selected_option", spec.DATE: "selected_date", spec.TEXT: "value"}


def values_of(form: str, state: Values) -> dict[str, str]:
    """What was chosen, picked or typed in each field of a modal."""
    found: dict[str, str] = {}
    for field in spec.FORMS[form].fields:
        element = (state.get(field.name) or {}).get(VALUE) or {}
        value = element.get(_STATE[field.kind])
        found[field.name] = str((value.get("value") if isinstance(value, dict) else value) or "")
    return found


def read(form: str, ref: str, state: Values, today: date) -> cmd.Command | Errors:
    """A submitted modal: the command it asks for, or the errors by block_id."""
    return spec.read(form, ref, values_of(form, state), today)


def problem_errors(form: str, problem: Problem) -> Errors:
    """The service's refusal, shown beside the field it concerns."""
    return spec.problem_errors(form, problem, MAX_ERROR)
