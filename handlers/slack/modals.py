"""Slack surfaces other than messages: the forms (modals) and the App Home tab. Pure functions."""

from __future__ import annotations

import json
from dataclasses import dataclass

from bot.dates import format_date
from bot.views import ActionView, Home, Problem, View
from handlers.slack.blocks import (
    CALLBACK,
    DUE_BLOCK,
    EVIDENCE_BLOCK,
    HOME_PAGE,
    MAX_MODAL_BLOCKS,
    NOTE_BLOCK,
    RAG_BLOCK,
    RAG_CHOICES,
    REASON_BLOCK,
    VALUE,
    Block,
    action_buttons,
    action_summary,
    actions,
    button,
    context,
    due_words,
    escape,
    problem_text,
    rag_label,
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


def _text_input(block_id: str, label: str, placeholder: str, hint: str | None = None) -> Block:
    block: Block = {
        "type": "input",
        "block_id": block_id,
        "label": _plain(label),
        "element": {
            "type": "plain_text_input",
            "action_id": VALUE,
            "multiline": True,
            "max_length": 3000,
            "placeholder": _plain(placeholder),
        },
    }
    if hint:
        block["hint"] = _plain(hint)
    return block


def _rag_option(choice: str) -> Block:
    return {"text": _plain(RAG_CHOICES[choice][0]), "value": choice}


def _about(action: ActionView) -> list[Block]:
    return [section(action_summary(action, text_limit=600))]


_NO_NAMES = "No names, addresses or other details that could identify the child or family."


def update_form(action: ActionView, meta: FormMeta) -> Block:
    """Post update: on track / at risk / off track and a note."""
    current = {Rag.GREEN: "on-track", Rag.AMBER: "at-risk", Rag.RED: "off-track"}.get(action.owner_rag, "on-track")
    rag_input: Block = {
        "type": "input",
        "block_id": RAG_BLOCK,
        "label": _plain("How is it going?"),
        "element": {
            "type": "radio_buttons",
            "action_id": VALUE,
            "options": [_rag_option(choice) for choice in RAG_CHOICES],
            "initial_option": _rag_option(current),
        },
    }
    note = _text_input(NOTE_BLOCK, "What has happened since the last update?", "Progress, next steps", _NO_NAMES)
    return _modal("update", "Post update", "Save update", meta, [*_about(action), rag_input, note])


def done_form(action: ActionView, meta: FormMeta) -> Block:
    """Mark complete: the evidence that shows it is done."""
    evidence = _text_input(
        EVIDENCE_BLOCK,
        "Evidence that the action is complete",
        "What shows it is done, and where it is kept",
        "The chair reads this before signing the action off. " + _NO_NAMES,
    )
    return _modal("done", "Mark complete", "Mark complete", meta, [*_about(action), evidence])


def extend_form(action: ActionView, meta: FormMeta) -> Block:
    """Request extension: a new due date and the reason."""
    due: Block = {
        "type": "input",
        "block_id": DUE_BLOCK,
        "label": _plain(f"New due date (now {format_date(action.due)})"),
        "element": {"type": "datepicker", "action_id": VALUE, "placeholder": _plain("Pick a date")},
    }
    reason = _text_input(REASON_BLOCK, "Why is more time needed?", "The reason the chair will read", _NO_NAMES)
    return _modal("extend", "Request extension", "Send request", meta, [*_about(action), due, reason])


def impact_form(action: ActionView, meta: FormMeta) -> Block:
    """Record impact: what has changed for children since the action was signed off, and the evidence."""
    note = _text_input(
        NOTE_BLOCK,
        "What difference has it made?",
        "What has changed for children, and the evidence (an audit, a re-check, figures)",
        "The board reports this in its annual report. " + _NO_NAMES,
    )
    return _modal("impact", "Record impact", "Save", meta, [*_about(action), note])


def decline_form(meta: FormMeta) -> Block:
    """Decline an extension: the reason the owner will read."""
    intro = section(f"Decline the extension requested for *{escape(meta.ref)}*. The owner is told your reason.")
    reason = _text_input(REASON_BLOCK, "Reason", "Why the due date stays as it is")
    return _modal("decline", "Decline extension", "Decline", meta, [intro, reason])


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
            section(
                f"*Outstanding across the board*: {summary.total} open, "
                f"{summary.overdue} overdue, {summary.amber} amber"
            )
        )
        for group in summary.groups:
            counts = f"{len(group.actions)} shown, {group.overdue} overdue, {group.amber} amber"
            lines = [f"*{escape(group.review_code)} {escape(group.review_title)} — {escape(group.agency)}* ({counts})"]
            lines += [
                f"• *{escape(a.ref)}* · {rag_label(a.rag)} · {due_words(a)} · {escape(a.owner or 'no owner')}"
                for a in group.actions
            ]
            blocks += sections("\n".join(lines))
        blocks += _home_paging("Outstanding", summary.page, summary.pages, mine.page, summary.page, "outstanding")
    blocks.append(context("Type `/action help` for every command."))
    # At most 10 actions a page each side keeps this well inside the tab's 100 blocks.
    return {"type": "home", "blocks": blocks}


FORMS = {"update": update_form, "done": done_form, "extend": extend_form, "impact": impact_form}
