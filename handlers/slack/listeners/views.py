"""Form submissions (modals). A form is checked in place: a missing note or a past date, and the
services' refusals (identifying data, permissions), come back as Slack field errors and the form
stays open with what the person typed. An accepted submission closes the form and is answered
where the button was. The submission runs on the listener pool and its answer is awaited for at most
``later.FORM_WAIT`` seconds: past that the form closes, and any refusal is told where the button was."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from slack_bolt import Ack, App, BoltContext

from bot.views import Problem
from handlers.slack import blocks, forms
from handlers.slack.listeners.later import Later, notify
from handlers.slack.modals import FormMeta

Body = dict[str, Any]


def _submission_id(body: Body, view: dict[str, Any]) -> str | None:
    # The trigger id marks one submission; the values' digest keeps a corrected resubmission distinct.
    if not body.get("trigger_id"):
        return None
    values = json.dumps(view.get("state", {}).get("values", {}), sort_keys=True)
    return f"{body['trigger_id']}:{hashlib.sha256(values.encode()).hexdigest()[:16]}"


def submitted(ack: Ack, body: Body, view: dict[str, Any], context: BoltContext) -> None:
    """A form's Submit: the controller reads and carries it out; errors keep the form open."""
    slack, chat = context["slack"], context["chat"]
    form = blocks.FORM_OF_CALLBACK[view["callback_id"]]
    meta = FormMeta.load(view.get("private_metadata", ""))
    values = forms.values_of(form, view["state"]["values"])
    done = chat.submit(
        form, meta.ref, values, context["identity"](), lambda: slack.once("view", _submission_id(body, view))
    )
    if done.errors:
        ack(response_action="errors", errors={name: text[: forms.MAX_ERROR] for name, text in done.errors.items()})
        return
    ack()  # closes the form
    if done.reply is None:
        return  # a replay: already carried out
    user_id = body["user"]["id"]
    slack.answer(meta.response_url, user_id, done.reply.view, replace_original=meta.replace_original)
    notify(context, done.reply)
    if meta.from_home:
        slack.publish_home(user_id, chat.home(context["identity"]()))


def too_late(body: Body, context: BoltContext, said: dict[str, Any]) -> None:
    """The form closed before its errors were known (the database was slow): they go to the person instead,
    where the form's button was (nothing was changed)."""
    errors = said.get("errors") or {}
    if errors:
        meta = FormMeta.load((body.get("view") or {}).get("private_metadata", ""))
        context["slack"].answer(meta.response_url, body["user"]["id"], Problem(" ".join(errors.values())))


def register(app: App, later: Later) -> None:
    """Listen for form submissions."""
    app.view(re.compile(f"^({'|'.join(blocks.FORM_OF_CALLBACK)})$"))(later.form(submitted, too_late))
