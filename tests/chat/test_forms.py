"""The neutral forms: what a submission asks for, what is wrong with it by field, and where a refusal goes. Pure."""

from __future__ import annotations

from datetime import date

import pytest

from bot import commands as cmd
from bot.chat import forms
from bot.errors import BadDate, IdentifyingData
from bot.views import Problem
from storage.models import Rag

TODAY = date(2026, 4, 1)


@pytest.mark.parametrize(
    ("form", "data", "expected"),
    [
        ("update", {"rag": "at-risk", "note": " Off sick "}, cmd.UpdateAction("CC-3", Rag.AMBER, "Off sick")),
        ("update", {"note": "Fine"}, cmd.UpdateAction("CC-3", None, "Fine")),
        ("update", {"rag": "purple", "note": "x"}, {"rag": "Choose on track, at risk or off track."}),
        ("update", {"note": ""}, {"note": "Write what has happened since the last update."}),
        ("update", {"note": "x" * 3001}, {"note": "The note is 3,001 characters; the limit is 3,000."}),
        ("done", {"evidence": "Published"}, cmd.Done("CC-3", "Published")),
        ("done", {}, {"evidence": "Say what shows the action is complete: the chair reads it before signing off."}),
        ("extend", {"due": "2026-06-30", "reason": "Late"}, cmd.Extend("CC-3", date(2026, 6, 30), "Late")),
        ("extend", {"reason": "Late"}, {"due": "Pick the new due date."}),
        ("decline", {"reason": "No"}, cmd.Decline("CC-3", "No")),
        ("impact", {"note": "Held"}, cmd.Impact("CC-3", "Held")),
    ],
)  # fmt: skip
def test_forms_read_back(form: str, data: dict, expected: object) -> None:
    assert forms.read(form, "CC-3", data, TODAY) == expected


def test_a_past_extension_date_is_refused_by_name() -> None:
    errors = forms.read("extend", "CC-3", {"due": "2026-03-01", "reason": ""}, TODAY)
    assert isinstance(errors, dict) and set(errors) == {"due", "reason"} and "2026" in errors["due"]


def test_refusals_go_under_the_field_they_concern() -> None:
    later = Problem.of(BadDate("Tue 31 Mar 2026 is not later than CC-3's current due date.", "Ask for a later date"))
    assert set(forms.problem_errors("extend", later)) == {"due"}
    assert forms.problem_errors("update", Problem("Looks like an NHS number.")) == {"note": "Looks like an NHS number."}
    assert forms.typed("update", {"ref": "CC-3", "note": "n", "rag": "at-risk", "form": "update"}) == {
        "rag": "at-risk", "note": "n",
    }  # fmt: skip


def test_a_refusal_of_the_text_goes_beside_the_text_whatever_its_words() -> None:
    # Matching by the typed error, not by the service's English: a reworded message still lands right.
    refused = Problem.of(IdentifyingData("That looks like a date of birth.", "Remove it."))
    assert forms.problem_errors("extend", refused) == {"reason": "That looks like a date of birth. Remove it."}
    reworded = Problem.of(BadDate("Choose a later day than the current one."))
    assert set(forms.problem_errors("extend", reworded)) == {"due"}
