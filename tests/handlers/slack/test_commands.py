"""/action over real HTTP: every form of the command, answered ephemerally with Block Kit.

The board (tests.helpers.seed_board) on Wed 1 Apr 2026: CC-1 police, Pat, due Fri 1 May, in
progress; CC-2 social care, Cara, 5 days overdue; CC-3 police, Pat, complete; CC-4 the chair's, complete.
"""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.slack.app import SlackApp
from storage.models import Action, Person, Rag, Status, Update
from tests.fakes.slack import SlackSender, buttons, shown, typed, view_of
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS, STRANGER
from tests.helpers import CHAIR, CSC_LEAD, POLICE_LEAD, add_actions, dump

PAT, CARA, CHAIR_ID = SLACK_IDS[POLICE_LEAD], SLACK_IDS[CSC_LEAD], SLACK_IDS[CHAIR]


def ask(sender: SlackSender, api: FakeSlackApi, text: str, user_id: str = PAT) -> dict:
    """Type /action <text>; the one ephemeral answer posted to the command's response_url."""
    before = len(api.responses())
    sent = sender.command(text, user_id)
    assert sent.status == 200 and sent.body == b""  # acknowledged at once, with nothing shown yet
    api.wait_for(lambda a: len(a.responses()) > before)
    answer = api.responses()[before]
    assert answer["response_type"] == "ephemeral"
    return answer


def stored(db: sessionmaker[Session], ref: str) -> Action:
    with db() as session:
        return session.scalars(select(Action).where(Action.ref == ref)).unique().one()


def test_help_shows_the_commands_with_usage_brackets_escaped(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    answer = ask(sender, slack_api, "help")
    text = shown(answer)
    assert "/action update CC-3 [on-track|at-risk|off-track] &lt;note&gt;" in text
    assert "[due:&lt;date|14d&gt;]" in text  # a bare <date|14d> would be read as a link


def test_mine_lists_my_actions_with_rag_words_uk_dates_and_bold_refs(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    answer = ask(sender, slack_api, "mine")
    text = shown(answer)
    assert "*Your actions, Pat Lead*: 2 actions" in text
    assert "*CC-1* · 🟢 Green · due Fri 1 May 2026" in text
    assert "*CC-3* · 🔵 Blue · due Sat 4 Apr 2026" in text
    assert "complete, awaiting sign-off" in text
    assert ("Details", "show_action", "CC-1") in buttons(answer)


def test_list_with_filters_shows_overdue_in_red(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    text = shown(ask(sender, slack_api, "list review:CC overdue"))
    assert "*Actions (review CC, overdue)*: 1 action" in text
    assert "*CC-2* · 🔴 Red · due Fri 27 Mar 2026 (*5 days overdue*)" in text
    assert "CC-1" not in text


def test_show_gives_the_whole_action_and_its_buttons(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    answer = ask(sender, slack_api, "show cc-1")
    text = shown(answer)
    assert "*CC-1* · SCR Child C (CC)\nAction 1 text" in text
    assert "*RAG*\n🟢 Green" in text and "*Due*\ndue Fri 1 May 2026" in text
    assert "*Owner*\nPat Lead" in text and "*Agency*\nAvon and Somerset Police" in text
    assert [(label, value) for label, _, value in buttons(answer)] == [
        ("Post update", "CC-1"),
        ("Mark complete", "CC-1"),
        ("Request extension", "CC-1"),
    ]


def test_update_records_the_note_and_answers_with_the_new_rag(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    answer = ask(sender, slack_api, "update CC-1 at-risk Training slipped to June")
    text = shown(answer)
    assert "Update recorded for CC-1 (at risk)." in text
    assert "*CC-1* · 🟠 Amber · due Fri 1 May 2026" in text
    assert "*Latest progress*\nTraining slipped to June" in text
    action = stored(db, "CC-1")
    assert (action.rag, action.progress) == (Rag.AMBER, "Training slipped to June")
    with db() as session:
        [update] = session.scalars(select(Update).where(Update.action_id == action.id)).unique()
        assert update.source == "slack" and update.person is not None and update.person.email == POLICE_LEAD
        # The Slack id was learnt from the e-mail on the Slack profile, and remembered.
        assert session.scalars(select(Person.slack_user_id).where(Person.email == POLICE_LEAD)).one() == PAT


def test_update_without_a_note_opens_the_update_form(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine
) -> None:
    before = dump(engine)
    sent = sender.command("update CC-1", PAT)
    assert sent.status == 200
    [call] = slack_api.wait_for(lambda api: api.calls_to("views.open"))
    assert call.params["trigger_id"] == sent.trigger_id
    view = view_of(call)
    assert view["callback_id"] == "update_form" and view["title"]["text"] == "Post update"
    assert json.loads(view["private_metadata"]) == {
        "ref": "CC-1",
        "url": sent.response_url,
        "replace": False,
        "home": False,
    }
    assert [block.get("block_id") for block in view["blocks"] if block["type"] == "input"] == ["rag", "note"]
    assert slack_api.responses() == []
    # No action or update changed (the person's Slack id is remembered; the request key recorded).
    assert {k: v for k, v in dump(engine).items() if k not in ("person", "seen_request")} == {
        k: v for k, v in before.items() if k not in ("person", "seen_request")
    }


def test_update_without_a_note_falls_back_to_a_button_when_the_form_cannot_open(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    slack_api.fail("views.open", error="expired_trigger_id")
    answer = ask(sender, slack_api, "update CC-1")
    assert "Use the button to post an update on *CC-1*." in shown(answer)
    assert ("Post update", "open_update_form", "CC-1") in buttons(answer)


def test_done_marks_complete_and_shows_blue(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    text = shown(ask(sender, slack_api, "done CC-1 Protocol in use in every ED"))
    assert "CC-1 is marked complete and now waits for the chair's sign-off." in text
    assert "*CC-1* · 🔵 Blue" in text
    assert stored(db, "CC-1").status is Status.COMPLETE


def test_extension_goes_to_the_chair_who_approves_and_the_owner_is_told(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    answer = ask(sender, slack_api, "extend CC-1 29/05/2026 Training provider cancelled")
    assert "Extension for CC-1 to Fri 29 May 2026 requested." in shown(answer)
    [request] = slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
    assert request.params["channel"] == CHAIR_ID  # a DM: posting to the user id opens it
    dm = {"blocks": request.params["blocks"]}
    assert "*Pat Lead* asks to move *CC-1* from Fri 1 May 2026 to *Fri 29 May 2026*." in shown(dm)
    assert "Reason: Training provider cancelled" in shown(dm)
    assert buttons(dm) == [("Approve", "approve_extension", "CC-1"), ("Decline", "decline_extension", "CC-1")]

    slack_api.reset()
    click = sender.click("approve_extension", "CC-1", CHAIR_ID)
    assert click.status == 200
    [decision] = slack_api.wait_for(lambda api: api.responses())
    assert decision["replace_original"] is True  # the buttons go: it cannot be decided twice
    assert "Extension approved: CC-1 is now due Fri 29 May 2026 (originally Fri 1 May 2026)." in shown(decision)
    [told] = slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
    assert told.params["channel"] == PAT
    assert "Helen Chair approved the extension for *CC-1*: it is due Fri 29 May 2026." in shown(
        {"blocks": told.params["blocks"]}
    )
    assert stored(db, "CC-1").due == date(2026, 5, 29)


def test_the_chair_declines_with_a_reason_in_a_form(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    ask(sender, slack_api, "extend CC-1 in 8 weeks Staff sickness")
    slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
    slack_api.reset()
    click = sender.click("decline_extension", "CC-1", CHAIR_ID)
    [opened] = slack_api.wait_for(lambda api: api.calls_to("views.open"))
    assert opened.params["trigger_id"] == click.trigger_id
    form = view_of(opened)
    assert form["callback_id"] == "decline_form"
    submitted = sender.submit(form, {"reason": typed("The sub-group needs this before the inspection")}, CHAIR_ID)
    assert submitted.status == 200 and submitted.body == b""  # accepted: the form closes
    [decision] = slack_api.wait_for(lambda api: api.responses())
    assert decision["replace_original"] is True
    assert "Extension declined: CC-1 stays due Fri 1 May 2026." in shown(decision)
    [told] = slack_api.wait_for(lambda api: api.calls_to("chat.postMessage"))
    assert told.params["channel"] == PAT
    text = shown({"blocks": told.params["blocks"]})
    assert "declined the extension for *CC-1*" in text and "Reason: The sub-group needs this" in text
    assert stored(db, "CC-1").due == date(2026, 5, 1)


def test_outstanding_for_the_chair_overdue_first(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    text = shown(ask(sender, slack_api, "outstanding", CHAIR_ID))
    assert "*Outstanding actions*: 2 open, 1 overdue" in text
    assert text.index("*CC-2* · 🔴 Red") < text.index("*CC-1* · 🟢 Green")
    assert "Children's Social Care" in text


def test_signoff_by_the_chair(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    text = shown(ask(sender, slack_api, "signoff CC-3 Evidence seen at sub-group", CHAIR_ID))
    assert "CC-3 is signed off." in text
    assert stored(db, "CC-3").status is Status.SIGNED_OFF


def test_history_lists_every_change(board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi) -> None:
    ask(sender, slack_api, "update CC-1 on-track Trainer booked")
    text = shown(ask(sender, slack_api, "history CC-1"))
    assert "*History of CC-1* (1 change)" in text
    assert "Pat Lead via slack · update" in text and '"Trainer booked"' in text
    assert "<!date^" in text  # shown in the reader's own time zone


def test_someone_unknown_is_told_to_ask_the_coordinator(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, engine: Engine
) -> None:
    before = dump(engine)
    text = shown(ask(sender, slack_api, "update CC-1 on-track hello", STRANGER))
    assert "I don't know you yet" in text and "Ask the board's coordinator" in text
    after = dump(engine)
    assert {k: v for k, v in after.items() if k != "seen_request"} == {
        k: v for k, v in before.items() if k != "seen_request"
    }


def test_a_mistyped_command_says_what_was_wrong(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    text = shown(ask(sender, slack_api, "updte CC-1 note"))
    assert "⚠️ Unknown command 'updte'. Did you mean 'update'?" in text


def test_an_owner_mention_finds_someone_with_no_slack_id_stored_yet(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    text = shown(ask(sender, slack_api, f"list owner:<@{CARA}|cara>"))
    assert "*CC-2*" in text and "*CC-1*" not in text


def test_a_note_cannot_ping_the_channel_or_fake_a_link(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    # What Slack sends when someone types: Done <!channel> see <https://evil.example|click> & <@U0CHAIR>
    text = "Done &lt;!channel&gt; see &lt;https://evil.example|click&gt; &amp; &lt;@U0CHAIR&gt;"
    answer = ask(sender, slack_api, f"update CC-1 on-track {text}")
    sent = json.dumps(answer, ensure_ascii=False)
    assert "<!channel>" not in sent and "<https://evil" not in sent and "<@U0CHAIR" not in sent
    assert "Done &lt;!channel&gt; see &lt;https://evil.example|click&gt; &amp; @U0CHAIR" in shown(answer)
    assert "&amp;lt;" not in sent  # escaped once, never twice
    assert stored(db, "CC-1").progress == "Done <!channel> see <https://evil.example|click> & @U0CHAIR"


def test_slack_markup_in_a_note_is_stored_as_plain_words(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    # Real markup, as Slack sends @channel, a link and a mention with escaping on.
    answer = ask(
        sender, slack_api, "update CC-1 on-track <!channel> read <https://x.example/doc|the plan> <@U0CHAIR|helen>"
    )
    assert stored(db, "CC-1").progress == "@channel read the plan (https://x.example/doc) @helen"
    assert "<!channel>" not in json.dumps(answer)


def test_a_long_list_is_paged_with_a_more_button(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, db: sessionmaker[Session]
) -> None:
    add_actions(db, 23)
    first = ask(sender, slack_api, "mine")
    assert "*Your actions, Pat Lead*: 25 actions" in shown(first) and "Page 1 of 3" in shown(first)
    [more] = [b for b in buttons(first) if b[1] == "more"]
    assert more == ("More (page 2)", "more", "/action mine page:2")
    sender.click("more", more[2], PAT)
    slack_api.wait_for(lambda api: len(api.responses()) == 2)
    second = slack_api.responses()[1]
    assert "Page 2 of 3" in shown(second)
    refs_first = {v for _, a, v in buttons(first) if a == "show_action"}
    refs_second = {v for _, a, v in buttons(second) if a == "show_action"}
    assert len(refs_first) == len(refs_second) == 10 and not refs_first & refs_second


def test_an_unexpected_failure_is_logged_and_the_person_told(
    board: dict[str, int],
    sender: SlackSender,
    slack_api: FakeSlackApi,
    slack: SlackApp,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(slack.chat.actions, "handle_once", broken)
    sender.command("show CC-1", PAT)
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert answer["text"].startswith("Sorry, something went wrong on our side and it has been logged.")
    assert "Slack listener failed: a bug" in caplog.text
