"""Every view model through every renderer (plain text, Slack Block Kit, Teams Adaptive Cards): each
must say the same things, because each draws the one neutral document ``bot.chat.compose`` writes."""

from __future__ import annotations

import html
import re
import typing
from datetime import UTC, date, datetime

import pytest

from bot import views as v
from bot.chat import document as doc
from bot.chat.compose import document
from bot.chat.phrases import RAG_LABELS, RAG_WORDS
from bot.dates import format_date
from handlers.slack import blocks
from handlers.teams import cards
from handlers.text import render
from storage.models import Pace, Rag, Status
from tests.fakes.slack import shown as slack_shown
from tests.fakes.teams import shown as teams_shown

AT = datetime(2026, 4, 1, 9, 30, tzinfo=UTC)


def action(ref: str = "CC-3", **changes: object) -> v.ActionView:
    fields: dict[str, object] = dict(
        ref=ref, text="Audit the bruising protocol in every team", review_code="CC", review_title="SCR Child C",
        agency="Police", owner="Pat Lead", owner_email="pat@police.example.org", due=date(2026, 3, 27),
        original_due=date(2026, 3, 1), status=Status.IN_PROGRESS, rag=Rag.RED, owner_rag=Rag.AMBER,
        days_overdue=5, progress="Trainer booked", evidence=None,
        pending_extension=v.ExtensionView(date(2026, 6, 30), "Staff off sick", "Pat Lead", AT),
    )  # fmt: skip
    fields.update(changes)
    return v.ActionView(**fields)  # type: ignore[arg-type]


LATE, DONE = action(), action("CC-4", status=Status.SIGNED_OFF, rag=Rag.BLUE, pending_extension=None, days_overdue=0)
HISTORY = (
    v.HistoryEntry(
        AT, "Cara Lead", "import", "created", {"due": [None, "2026-03-01"], "owner": [None, "Jo Lead"]}, None
    ),
    v.HistoryEntry(
        AT, "Pat Lead", "slack", "update", {"rag": ["green", "amber"], "owner": ["Jo Lead", "Pat Lead"]}, "Venue lost"
    ),
)
REMINDERS = (v.Reminder(LATE, "5 days overdue"), v.Reminder(DONE, "signed off 6 months ago"))
OUTSTANDING = v.Outstanding(
    (v.OutstandingGroup("CC", "SCR Child C", "Police", (LATE,), 1, 0),),
    1,
    1,
    0,
    " for Police",
    1,
    2,
    "outstanding page:2",
)
DIGEST = v.Digest(
    date(2026, 3, 30), 1, 2,
    (
        v.DigestSection("Overdue", actions=(LATE,)),
        v.DigestSection("Progress", reviews=(v.ReviewProgress("CC", "SCR Child C", 4, 1, 1, 1, 1, "▓▓░░"),)),
        v.DigestSection("Updates", updates=(v.UpdateLine("CC-3", "Pat Lead", "progress_update", "Booked", AT),)),
        v.DigestSection("Not delivered", problems=(v.DeliveryProblem("Cara Lead", "nudge", "gave_up", "no chat"),)),
        v.DigestSection("Signed off", empty="None this week."),
    ),
)  # fmt: skip
VIEWS: dict[type, object] = {
    v.ActionList: v.ActionList("Your actions", (LATE, DONE), 1, 3, 25, "mine page:2"),
    v.ActionDetail: v.ActionDetail(LATE, HISTORY),
    v.Outstanding: OUTSTANDING,
    v.History: v.History("CC-3", HISTORY),
    v.Changed: v.Changed("Update recorded on CC-3.", LATE),
    v.ExtensionRequested: v.ExtensionRequested(LATE, date(2026, 6, 30), "Staff off sick", "Pat Lead"),
    v.ExtensionDecided: v.ExtensionDecided(LATE, False, "Helen Chair", "Not this time"),
    v.OpenForm: v.OpenForm("extend", LATE),
    v.Text: v.Text("*Commands*\n`/action mine` your open actions"),
    v.Problem: v.Problem("Unknown command 'updte'.", "Did you mean `update`?"),
    v.Nudge: v.Nudge("Pat Lead", REMINDERS[:1]),
    v.Escalation: v.Escalation("Helen Chair", REMINDERS[:1], 14),
    v.ImpactCheck: v.ImpactCheck("Pat Lead", REMINDERS[1:]),
    v.Reminders: v.Reminders((v.Nudge("Pat Lead", REMINDERS[:1]), v.ImpactCheck("Pat Lead", REMINDERS[1:]))),
    v.MeetingPack: v.MeetingPack(
        "SCR sub-group: exceptions",
        ("Only what needs attention.",),
        (
            v.PackSection(
                "Overdue (1)",
                (v.PackEntry("CC-3", "Audit the bruising protocol", ("CC, Police, Pat Lead.",)),),
                "None.",
            ),
            v.PackSection("Off track (0)", (), "None."),
        ),
        1,
        2,
        "/action pack page:2",
    ),
    v.Digest: DIGEST,
    v.DigestPreview: v.DigestPreview((DIGEST,), "C0DIGEST"),
    v.UploadPreview: v.UploadPreview(
        "Dry run of child-c.xlsx: nothing was written.\nAdded: 2 (CC-5, CC-6)", "t0k", "child-c.xlsx"
    ),
    v.PeopleList: v.PeopleList(
        "People in Police",
        (
            v.PersonLine("Pat Lead", "pat@police.example.org", "agency lead", "Police", "reachable on Slack",
                         "away Mon 6 Apr 2026 – Fri 10 Apr 2026, deputy Sam Lead", True),
            v.PersonLine("Sam Lead", "sam@police.example.org", "agency lead", "Police", "not reachable: no chat"),
        ),
        1, 2, 12, "/action people agency:police page:2",
    ),
    v.ReminderChoice: v.ReminderChoice(Pace.WEEKLY, saved=True),
}  # fmt: skip


def test_every_view_type_has_an_example() -> None:
    assert set(VIEWS) == set(typing.get_args(v.View))


def _plain(text: str) -> str:
    """What a person reads, markup aside: mrkdwn's marks and entities, and the RAG's two spellings."""
    text = re.sub(r"<!date\^\d+\^[^|]*\|([^>]*)>", r"\1", text)
    text = re.sub(r"<#([^>|]*)>", r"#\1", text)
    text = html.unescape(text.replace("*", "").replace("`", "").replace("_", " "))
    for rag in Rag:
        text = text.replace(f"[{RAG_WORDS[rag]}]", RAG_LABELS[rag])
    return re.sub(r"\s+", " ", text)


def _outputs(view: object) -> dict[str, str]:
    slack = "\n".join(slack_shown(message) for message in blocks.messages(view))  # type: ignore[arg-type]
    teams = "\n".join(teams_shown(cards.as_json(card)) for card in cards.cards(view))  # type: ignore[arg-type]
    return {"text": _plain(render(view)), "slack": _plain(slack), "teams": _plain(teams)}


def _said(element: doc.Element) -> list[str]:
    """The words an element must show on every surface."""
    if isinstance(element, doc.Para):
        spans = [span for line in element.lines for span in line if span.style not in (doc.WHEN, doc.RAG)]
        return [element.heading or ""] + [_plain(span.text).strip() for span in spans]
    if isinstance(element, doc.Item):
        found = element.action
        return [found.ref, found.agency, found.owner or "", format_date(found.due), element.note or ""]
    if isinstance(element, doc.Facts):
        return [label for label, _ in element.pairs] + [_plain(s.text).strip() for _, value in element.pairs
                                                        for s in value if s.style != doc.RAG]  # fmt: skip
    if isinstance(element, doc.Paging) and element.pages > 1:
        return [f"Page {element.page} of {element.pages}"]
    if isinstance(element, doc.FormPrompt):
        return [element.action.ref]
    if isinstance(element, doc.Markup):
        return [_plain(part).strip() for part in element.body.split("\n")]
    return []


@pytest.mark.parametrize("kind", list(VIEWS), ids=lambda kind: kind.__name__)
def test_every_renderer_says_the_same_things(kind: type) -> None:
    view = VIEWS[kind]
    outputs = _outputs(view)
    expected = [said for element in document(view) for said in _said(element) if said]
    assert expected, "the document says something"
    for surface, output in outputs.items():
        missing = [said for said in expected if _plain(said) not in output]
        if kind is v.Digest and surface == "slack":
            missing = [said for said in missing if "CC: 1 red" not in said]  # Slack uploads the chart itself
        assert not missing, f"{surface} does not say {missing}"


def test_history_shows_what_changed_not_internal_ids_nor_every_field_of_a_created_action() -> None:
    for surface, output in _outputs(VIEWS[v.History]).items():
        assert "owner_id" not in output and "owner id" not in output, surface
        assert "— → Jo Lead" not in output, surface  # a created action is summed up by its due date
        assert "created · due Sun 1 Mar 2026" in output, surface
        assert "RAG on track → at risk, owner Jo Lead → Pat Lead" in output, surface
        assert "Venue lost" in output, surface


def test_a_view_without_a_document_fails_loudly_everywhere() -> None:
    for draw in (render, blocks.messages, cards.cards):
        with pytest.raises(TypeError):
            draw(object())  # type: ignore[arg-type]
