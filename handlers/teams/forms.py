"""Reading a submitted card form: Teams sends a form's inputs merged into the button's data
(``{"ref": "CC-3", "form": "update", "note": "..."}``), keyed by the neutral field names, which are
the inputs' ids. The rules are ``bot.chat.forms``'; a missing note, a past date or a refusal comes
back as the same form with the error under the field and everything the person typed still in it."""

from __future__ import annotations

from bot.chat.forms import FORMS, problem_errors, read, typed

__all__ = ["FORMS", "problem_errors", "read", "typed"]
