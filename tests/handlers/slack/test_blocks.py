"""Block Kit rendering, pure: escaping once, Slack's limits respected by splitting, never by cutting."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from bot.errors import BadDate
from bot.views import (
    ActionDetail,
    ActionList,
    ActionView,
    Changed,
    Digest,
    DigestSection,
    ExtensionRequested,
    History,
    HistoryEntry,
    Home,
    Nudge,
    Problem,
    Reminder,
    Text,
)
from handlers.slack import blocks, forms, modals
from storage.models import Rag, Status
from tests.fakes.slack import buttons, chosen, picked_date, shown, typed

TODAY = date(2026, 4, 1)


def action(ref: str = "CC-1", **changes: object) -> ActionView:
    fields: dict[str, object] = dict(
        ref=ref,
        text="Audit bruising protocol",
        review_code="CC",
        review_title="SCR Child C",
        agency="Police",
        owner="Pat Lead",
        owner_email="pat@police.example.org",
        due=date(2026, 5, 1),
        original_due=date(2026, 5, 1),
        status=Status.IN_PROGRESS,
        rag=Rag.GREEN,
        owner_rag=Rag.GREEN,
        days_overdue=0,
        progress=None,
        evidence=None,
    )
    fields.update(changes)
    return ActionView(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("typed_text", "escaped"),
    [
        ("<!channel>", "&lt;!channel&gt;"),
        ("<https://evil.example|click>", "&lt;https://evil.example|click&gt;"),
        ("<@U0CHAIR>", "&lt;@U0CHAIR&gt;"),
        ("Tom & Jerry", "Tom &amp; Jerry"),
        ("&amp; as typed", "&amp;amp; as typed"),  # escaped once: shown exactly as typed
        ("*bold* _it_ `code`", "*bold* _it_ `code`"),  # only &, < and >
    ],
)
def test_escape(typed_text: str, escaped: str) -> None:
    assert blocks.escape(typed_text) == escaped


def test_rag_is_a_colour_and_a_word() -> None:
    assert [blocks.rag_label(rag) for rag in (Rag.RED, Rag.AMBER, Rag.GREEN, Rag.BLUE)] == [
        "🔴 Red",
        "🟠 Amber",
        "🟢 Green",
        "🔵 Blue",
    ]


def test_user_text_everywhere_is_escaped() -> None:
    evil = "<!here> <https://x|y>"
    view = ExtensionRequested(
        action(text=evil, owner=evil, agency=evil, review_title=evil, progress=evil), TODAY, evil, evil
    )
    sent = json.dumps(blocks.messages(view), ensure_ascii=False)
    assert "<!here>" not in sent and "<https://x" not in sent


def test_overdue_and_extended_dates_are_explained() -> None:
    late = action(due=date(2026, 3, 27), original_due=date(2026, 3, 1), days_overdue=5, rag=Rag.RED)
    assert blocks.due_words(late) == "due Fri 27 Mar 2026 (*5 days overdue*; originally Sun 1 Mar 2026)"


def test_long_text_is_split_over_sections_never_cut() -> None:
    text = " ".join(f"word{n}" for n in range(3000)) + " & <end>"
    parts = blocks.messages(ActionDetail(action(text=text)))
    sections = [b["text"]["text"] for p in parts for b in p["blocks"] if b["type"] == "section" and "text" in b]
    assert all(len(s) <= 3000 for s in sections)
    assert len(sections) > 5
    joined = " ".join(sections)
    assert all(f"word{n} " in joined for n in range(3000)) and "&amp; &lt;end&gt;" in joined


def test_splitting_never_breaks_an_entity() -> None:
    parts = blocks._split("&lt;" * 2000, 3000)
    assert all(len(p) <= 3000 and p.count("&") == p.count(";") for p in parts)
    assert "".join(parts) == "&lt;" * 2000


def test_a_long_history_becomes_several_messages_of_at_most_50_blocks() -> None:
    start = datetime(2026, 1, 1, tzinfo=UTC)
    entries = tuple(
        HistoryEntry(start + timedelta(hours=n), "Pat Lead", "slack", "update", {}, f"note {n} " + "x" * 300)
        for n in range(400)
    )
    parts = blocks.messages(History("CC-1", entries))
    assert len(parts) > 1
    assert all(len(part["blocks"]) <= 50 for part in parts)
    assert shown(parts[0]).endswith(f"Part 1 of {len(parts)}")
    everything = "\n".join(shown(part) for part in parts)
    assert all(f"note {n} " in everything for n in range(400))


def test_more_than_a_response_url_takes_says_so() -> None:
    parts = [{"text": str(n), "blocks": []} for n in range(8)]
    kept = blocks.within(parts, 5)
    assert len(kept) == 5 and kept[:4] == parts[:4]
    assert "…and 4 more parts" in kept[4]["text"]
    assert blocks.within(parts[:3], 5) == parts[:3]


def test_a_page_of_a_list_has_a_more_button_with_the_next_command() -> None:
    listing = ActionList("Your actions", (action(),), page=1, pages=3, total=25, next_command="/action mine page:2")
    message = blocks.message(listing)
    assert ("More (page 2)", "more", "/action mine page:2") in buttons(message)
    assert "Page 1 of 3" in shown(message)
    last = ActionList("Your actions", (action(),), page=3, pages=3, total=25)
    assert not [b for b in buttons(blocks.message(last)) if b[1] == "more"]


def test_buttons_only_while_the_action_is_open() -> None:
    assert len(buttons(blocks.message(Changed("Done", action())))) == 3
    assert buttons(blocks.message(Changed("Done", action(status=Status.COMPLETE, rag=Rag.BLUE)))) == []


def test_problems_show_the_hint_escaped() -> None:
    text = shown(blocks.message(Problem("Unknown command 'x'.", "/action done CC-3 <evidence>")))
    assert text == "⚠️ Unknown command 'x'.\n/action done CC-3 &lt;evidence&gt;"


def test_nudges_carry_the_form_buttons() -> None:
    nudge = Nudge("Pat Lead", (Reminder(action(), "due in 7 days"), Reminder(action("CC-2"), "due today")))
    message = blocks.message(nudge)
    assert "Hello Pat Lead: 2 of your actions need attention." in shown(message)
    assert "_due in 7 days_" in shown(message)
    assert ("Post update", "open_update_form", "CC-2") in buttons(message)


def test_digest_lines() -> None:
    digest = Digest(TODAY, 1, 2, (DigestSection("Overdue", actions=(action(rag=Rag.RED, days_overdue=3),)),))
    text = shown(blocks.message(digest))
    assert "*Weekly digest, week of Wed 1 Apr 2026* (1 of 2)" in text
    assert "• *CC-1* · 🔴 Red · due Fri 1 May 2026 (*3 days overdue*) · Police · Pat Lead" in text


def test_text_views_escape_usage_brackets() -> None:
    assert shown(blocks.message(Text("*Commands*\n`/action list [due:<date|14d>]`"))) == (
        "*Commands*\n`/action list [due:&lt;date|14d&gt;]`"
    )


def test_home_for_someone_with_nothing_to_do() -> None:
    home = modals.home_view(Home("Pat Lead", ActionList("Your actions", (), empty="You have no open actions.")))
    assert "You have no open actions." in shown(home) and home["type"] == "home"


# ---------------------------------------------------------------------- forms


def test_the_update_form_reads_a_rag_and_a_note() -> None:
    values = {"rag": chosen("at-risk"), "note": typed("  Venue lost  ")}
    assert forms.read("update", "CC-1", values, TODAY) == forms.cmd.UpdateAction("CC-1", Rag.AMBER, "Venue lost")


def test_the_extension_form_reports_every_missing_field_at_once() -> None:
    assert forms.read("extend", "CC-1", {"due": picked_date(None), "reason": typed("")}, TODAY) == {
        "due": "Pick the new due date.",
        "reason": "Give the reason the chair will read.",
    }


def test_a_date_problem_from_the_service_goes_beside_the_date() -> None:
    problem = Problem.of(BadDate("Mon 20 Apr 2026 is not later than CC-1's current due date.", "Ask later."))
    assert list(forms.problem_errors("extend", problem)) == ["due"]
    assert list(forms.problem_errors("extend", Problem("Only its owner can change it."))) == ["reason"]


def test_form_metadata_round_trips() -> None:
    meta = modals.FormMeta("CC-1", "https://hooks.slack.com/x", replace_original=True, from_home=False)
    assert modals.FormMeta.load(meta.dump()) == meta
    assert modals.FormMeta.load("") == modals.FormMeta("")
