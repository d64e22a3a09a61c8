"""Adaptive Cards from the view models: what people read, the buttons, the forms, and the limits. Pure."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.views import (
    ActionDetail,
    ActionList,
    ActionView,
    Changed,
    DeliveryProblem,
    Digest,
    DigestPreview,
    DigestSection,
    Escalation,
    ExtensionDecided,
    ExtensionRequested,
    ExtensionView,
    History,
    HistoryEntry,
    ImpactCheck,
    Nudge,
    OpenForm,
    Outstanding,
    OutstandingGroup,
    Problem,
    Reminder,
    ReviewProgress,
    Text,
    UpdateLine,
)
from handlers.teams import cards
from storage.models import Rag, Status
from tests.fakes.teams import actions_of, inputs_of, shown

AT = datetime(2026, 4, 1, 10, tzinfo=UTC)


def view(**changes: object) -> ActionView:
    base = dict(
        ref="CC-3", text="Audit **every** case [here](https://evil.example) <at>Jo</at>", review_code="CC",
        review_title="SCR Child C", agency="Avon and Somerset Police", owner="Pat Lead", owner_email="pat@x.org",
        due=date(2026, 5, 1), original_due=date(2026, 5, 1), status=Status.IN_PROGRESS, rag=Rag.GREEN,
        owner_rag=Rag.GREEN, days_overdue=0, progress=None, evidence=None,
    )  # fmt: skip
    return ActionView(**{**base, **changes})  # type: ignore[arg-type]


def as_json(view_model: object) -> list[dict]:
    return [cards.as_json(card) for card in cards.cards(view_model)]  # type: ignore[arg-type]


def text_blocks(card: dict) -> list[str]:
    found: list[str] = []

    def walk(elements: list[dict]) -> None:
        for element in elements:
            if element.get("type") == "TextBlock":
                found.append(element["text"])
            walk(element.get("items", []))

    walk(card["body"])
    return found


REMINDER = Reminder(view(), "due in 7 days")
EVERY_VIEW = [
    ActionList("Your actions", (view(),), total=1),
    ActionDetail(view(), (HistoryEntry(AT, "Pat Lead", "teams", "update", {"rag": ["green", "amber"]}, "note"),)),
    Outstanding((OutstandingGroup("CC", "SCR Child C", "Police", (view(),), 0, 0),), 1, 0, 0),
    History("CC-3", (HistoryEntry(AT, "Pat Lead", "slack", "update", {}, "a note"),)),
    Changed("Update recorded for CC-3 (on track).", view(progress="Booked")),
    ExtensionRequested(view(), date(2026, 6, 30), "Files late", "Pat Lead"),
    ExtensionDecided(view(), False, "Helen Chair", "Not yet"),
    OpenForm("update", view()),
    Text("*Commands*\n`/action help`"),
    Problem("There is no action CC-99.", "Refs look like CC-3"),
    Nudge("Pat Lead", (REMINDER,)),
    Escalation("Helen Chair", (REMINDER,), 7),
    ImpactCheck("Pat Lead", (Reminder(view(status=Status.SIGNED_OFF), "signed off"),)),
    Digest(
        date(2026, 3, 30), 1, 1, (DigestSection("Updates", updates=(UpdateLine("CC-3", "Pat", "update", "n", AT),)),)
    ),
    DigestPreview((Digest(date(2026, 3, 30), 1, 1, (DigestSection("Overdue", actions=(view(),)),)),), None),
]


@pytest.mark.parametrize("model", EVERY_VIEW, ids=lambda model: type(model).__name__)
def test_every_view_is_a_card_and_what_people_typed_is_never_markdown(model: object) -> None:
    [card] = as_json(model)
    assert card["type"] == "AdaptiveCard" and card["version"] == "1.5" and card["fallbackText"]
    assert shown(card).strip()
    for text in text_blocks(card):  # TextBlocks are read as Markdown: only our own words go in them
        assert "evil" not in text and "**" not in text and "<at>" not in text
    dumped = json.dumps(card)
    if "CC-3" in dumped and "Audit" in dumped:
        assert "Audit **every** case [here](https://evil.example) <at>Jo</at>" in shown(card)  # shown as typed


def test_open_actions_have_the_three_buttons_and_closed_ones_none() -> None:
    [card] = as_json(ActionDetail(view()))
    assert actions_of(card) == [
        ("Post update", "form", {"ref": "CC-3", "form": "update"}),
        ("Mark complete", "form", {"ref": "CC-3", "form": "done"}),
        ("Request extension", "form", {"ref": "CC-3", "form": "extend"}),
    ]
    [done] = as_json(ActionDetail(view(status=Status.COMPLETE, rag=Rag.BLUE)))
    assert actions_of(done) == []
    [waiting] = as_json(ActionDetail(view(pending_extension=ExtensionView(date(2026, 6, 1), "r", "Pat", AT))))
    assert [title for title, _, _ in actions_of(waiting)] == ["Post update", "Mark complete"]


def test_the_chair_decides_from_the_request() -> None:
    [card] = as_json(ExtensionRequested(view(), date(2026, 6, 30), "Files late", "Pat Lead"))
    assert "Pat Lead asks to move CC-3 from Fri 1 May 2026 to Tue 30 Jun 2026." in shown(card)
    assert actions_of(card) == [
        ("Approve", "approve", {"ref": "CC-3"}),
        ("Decline", "form", {"ref": "CC-3", "form": "decline"}),
    ]


@pytest.mark.parametrize(
    ("form", "inputs"),
    [("update", {"rag", "note"}), ("done", {"evidence"}), ("extend", {"due", "reason"}), ("decline", {"reason"}),
     ("impact", {"note"})],
)  # fmt: skip
def test_forms_keep_what_was_typed_and_put_each_error_under_its_field(form: str, inputs: set[str]) -> None:
    typed = {name: "2026-06-30" if name == "due" else "at-risk" if name == "rag" else "typed" for name in inputs}
    field = sorted(inputs)[-1]
    card = cards.as_json(
        cards.form_card(form, view(), values=typed, errors={field: "Say more."}, today=date(2026, 4, 1))
    )
    assert inputs_of(card) == typed
    text = shown(card)
    assert "Nothing was saved" in text and text.index("Say more.") > text.index(f": {typed[field]}")
    submit = [(title, verb, data) for title, verb, data in actions_of(card) if verb == "submit"]
    assert submit and submit[0][2] == {"ref": "CC-3", "form": form}
    buttons = {a["verb"]: a for s in card["body"] if s["type"] == "ActionSet" for a in s["actions"]}
    assert buttons["submit"]["associatedInputs"] == "auto" and buttons["show"]["associatedInputs"] == "none"


def test_a_date_cannot_be_picked_before_tomorrow() -> None:
    card = cards.as_json(cards.form_card("extend", view(), today=date(2026, 4, 1)))
    [due] = [element for element in card["body"] if element.get("id") == "due"]
    assert due["type"] == "Input.Date" and due["min"] == "2026-04-02" and due["isRequired"]


def test_a_long_view_is_split_over_cards_never_cut() -> None:
    entries = tuple(HistoryEntry(AT, "Pat Lead", "teams", "update", {}, f"note {n} " + "x" * 500) for n in range(120))
    parts = as_json(History("CC-3", entries))
    assert len(parts) > 2
    assert all(len(json.dumps(part, ensure_ascii=False)) < 28_000 for part in parts)
    everything = "\n".join(shown(part) for part in parts)
    assert all(f"note {n} " in everything for n in range(120))
    assert f"Part {len(parts)} of {len(parts)}" in shown(parts[-1])


def test_the_digest_card_lists_updates_problems_and_the_charts_words() -> None:
    from bot.views import Chart

    digest = Digest(
        date(2026, 3, 30), 1, 1,
        (
            DigestSection("Progress by review", reviews=(ReviewProgress("CC", "SCR Child C", 4, 1, 1, 1, 1, "▓▓░░"),)),
            DigestSection("Updates this week", updates=(UpdateLine("CC-1", "Pat Lead", "update", "Audit", AT),)),
            DigestSection("Messages that did not get through",
                          problems=(DeliveryProblem("Cara Lead", "any message", "unreachable", "teams: no chat"),)),
            DigestSection("Waiting for sign-off"),
        ),
        (Chart("RAG of CC", b"png", "CC: 1 red, 1 amber, 1 green, 1 blue"),),
    )  # fmt: skip
    text = shown(cards.as_json(cards.card(digest)))
    assert "Weekly digest, week of Mon 30 Mar 2026" in text
    assert "CC SCR Child C: 4 actions · 🔴 1 · 🟠 1 · 🟢 1 · 🔵 1 · ▓▓░░" in text
    assert "• CC-1 · Pat Lead · update: Audit" in text
    assert "• Cara Lead · any message · unreachable (teams: no chat)" in text
    assert "None." in text and "CC: 1 red, 1 amber, 1 green, 1 blue" in text
