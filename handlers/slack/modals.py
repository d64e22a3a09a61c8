"""Slack surfaces other than messages: the forms (modals) and the App Home tab. Pure functions."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass

from bot.chat import forms as spec
from bot.chat import phrases as say
from bot.chat.phrases import RAG_CHOICES
from bot.commands import MAX_TEXT
from bot.views import ActionView, Home, Problem, View
from handlers.slack.blocks import (
    CALLBACK,
    HOME_PAGE,
    MAX_MODAL_BLOCKS,
    VALUE,
    Block,
    action_buttons,
    action_summary,
    actions,
    button,
    context,
    escape,
    marked,
    problem_text,
    section,
    sections,
    view_blocks,
)
from storage.models import Rag


@dataclass(frozen=True)
class FormMeta:
    """What a form carries from opening to submission (Slack's private_metadata)."""

    ref: str
    response_url: str | None = None  # where to answer; None: answer by direct message
    replace_original: bool = False  # the answer replaces the message the button was on
    from_home: bool = False  # refresh the App Home after the change

    def dump(self) -> str:
        return json.dumps(
            {"ref": self.ref, "url": self.response_url, "replace": self.replace_original, "home": self.from_home}
        )

    @classmethod
    def load(cls, text: str) -> FormMeta:
        data = json.loads(text or "{}")
        return cls(str(data.get("ref", "")), data.get("url"), bool(data.get("replace")), bool(data.get("home")))


def _plain(text: str) -> Block:
    return {"type": "plain_text", "text": text, "emoji": True}


def _modal(form: str, title: str, submit: str, meta: FormMeta, blocks: list[Block]) -> Block:
    return {
        "type": "modal",
        "callback_id": CALLBACK[form],
        "private_metadata": meta.dump(),
        "title": _plain(title),
        "submit": _plain(submit),
        "close": _plain("Cancel"),
        "blocks": blocks,
    }


def _input(field: spec.Field, action: ActionView | None, initial: str = "") -> Block:
    element: Block
    if field.kind == spec.CHOICE:
        assert action is not None
        current = {Rag.GREEN: "on-track", Rag.AMBER: "at-risk", Rag.RED: "off-track"}.get(action.owner_rag, "on-track")
        options = [_rag_option(choice) for choice in RAG_CHOICES]
        element = {
            "type": "radio_buttons",
            "action_id": VALUE,
            "options": options,
            "initial_option": _rag_option(current),
        }
    elif field.kind == spec.DATE:
        element = {"type": "datepicker", "action_id": VALUE, "placeholder": _plain(field.placeholder)}
    else:
        element = {"type": "plain_text_input", "action_id": VALUE, "multiline": field.multiline,
                   "max_length": MAX_TEXT, "placeholder": _plain(field.placeholder)}  # fmt: skip
        if initial:
            element["initial_value"] = initial[:MAX_TEXT]
    block: Block = {
        "type": "input",
        "block_id": field.name,
        "label": _plain(field.label_for(action)),
        "element": element,
    }
    if field.hint:
        block["hint"] = _plain(field.hint)
    if field.optional and field.kind != spec.CHOICE:
        block["optional"] = True
    return block


def _rag_option(choice: str) -> Block:
    return {"text": _plain(RAG_CHOICES[choice][0]), "value": choice}


def form_modal(form: str, action: ActionView | None, meta: FormMeta, values: Mapping[str, str] | None = None) -> Block:
    """A form for an action (or, to add one, a review), from the neutral spec: what it is about, then its
    fields, filled in with ``values`` (the edit form opens with the action as it is)."""
    found, values = spec.FORMS[form], values or {}
    about = []
    if action is not None:
        about.append(section(action_summary(action, text_limit=600)))
    if found.intro and (action is None or form == "edit"):
        about.append(section(escape(found.intro).format(ref=f"*{escape(meta.ref)}*")))
    fields = (_input(field, action, values.get(field.name, "")) for field in found.fields)
    return _modal(form, found.button, found.submit, meta, [*about, *fields])


def decline_form(meta: FormMeta) -> Block:
    """Decline an extension: the reason the owner will read."""
    return form_modal("decline", None, meta)


def notice_modal(title: str, view: View) -> Block:
    """A modal with no form, to show a message where there is nowhere else to show it (App Home)."""
    blocks = view_blocks(view)
    if len(blocks) > MAX_MODAL_BLOCKS:
        blocks = blocks[: MAX_MODAL_BLOCKS - 1] + [context("Too long to show here: use `/action` in a message.")]
    return {"type": "modal", "title": _plain(title[:24]), "close": _plain("Close"), "blocks": blocks}


# ------------------------------------------------------------------------------- App Home


def _home_paging(label: str, page: int, pages: int, mine: int, outstanding: int, part: str) -> list[Block]:
    if pages <= 1:
        return []
    elements = []
    if page > 1:
        previous = {"mine": mine, "outstanding": outstanding, part: page - 1}
        elements.append(button("Previous", f"{HOME_PAGE}_{part}_previous", json.dumps(previous)))
    if page < pages:
        following = {"mine": mine, "outstanding": outstanding, part: page + 1}
        elements.append(button("Next", f"{HOME_PAGE}_{part}_next", json.dumps(following)))
    return [context(f"{label}: page {page} of {pages}"), actions(*elements)]


def home_view(home: Home | Problem) -> Block:
    """The App Home tab: the person's own open actions, and for the chair the outstanding summary."""
    if isinstance(home, Problem):
        return {"type": "home", "blocks": [section(problem_text(home))]}
    mine = home.mine
    blocks: list[Block] = [section(f"*Your actions, {escape(home.name)}* ({mine.total})")]
    if not mine.actions:
        blocks.append(section(escape(mine.empty)))
    for action in mine.actions:
        blocks.append(section(action_summary(action)))
        blocks += action_buttons(action)
    outstanding_page = home.outstanding.page if home.outstanding else 1
    blocks += _home_paging("Your actions", mine.page, mine.pages, mine.page, outstanding_page, "mine")
    if home.outstanding is not None:
        summary = home.outstanding
        blocks.append({"type": "divider"})
        blocks.append(
            section(f"*Outstanding across the board*: {say.totals(summary.total, summary.overdue, summary.amber)}")
        )
        for group in summary.groups:
            counts = say.count_line(len(group.actions), group.overdue, group.amber)
            lines = [f"*{escape(group.review_code)} {escape(group.review_title)} — {escape(group.agency)}* ({counts})"]
            lines += [marked(say.brief(a, agency=False)) for a in group.actions]
            blocks += sections("\n".join(lines))
        blocks += _home_paging("Outstanding", summary.page, summary.pages, mine.page, summary.page, "outstanding")
    blocks.append(context("Type `/action help` for every command."))
    # At most 10 actions a page each side keeps this well inside the tab's 100 blocks.
    return {"type": "home", "blocks": blocks}
