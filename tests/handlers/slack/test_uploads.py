"""Loading a plan in chat: a spreadsheet uploaded in the bot's DM is fetched from Slack (files.info, then the
private URL with the bot token), dry-run by the CLI's importer, and imported only on Import."""

from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from handlers.slack.files import allowed
from storage.models import Action, PendingUpload
from tests.fakes.slack import TOKEN, SlackSender, buttons, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import COORDINATOR, POLICE_LEAD

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
COORD = SLACK_IDS[COORDINATOR]


def refs(db: sessionmaker[Session]) -> list[str]:
    with db() as session:
        return sorted(session.scalars(select(Action.ref)))


def pending(db: sessionmaker[Session]) -> int:
    with db() as session:
        return session.scalar(select(func.count()).select_from(PendingUpload)) or 0


def upload(sender: SlackSender, api: FakeSlackApi, user_id: str, name: str, content: bytes) -> dict:
    """Drop a file in the bot's DM; the bot's DM back (the preview or a refusal)."""
    file_id = api.add_file(name, content)
    event = {"type": "file_shared", "file_id": file_id, "file": {"id": file_id}, "user_id": user_id,
             "channel_id": "D" + user_id[1:], "event_ts": "1700000000.000200"}  # fmt: skip
    assert sender.event(event).status == 200
    [call] = api.wait_for(lambda a: a.calls_to("chat.postMessage"))
    assert call.params["channel"] == user_id
    return call.params


def press(sender: SlackSender, api: FakeSlackApi, label: str, message: dict) -> dict:
    [(_, action_id, token)] = [b for b in buttons(message) if b[0] == label]
    before = len(api.responses())
    sender.click(action_id, token, COORD)
    return api.wait_for(lambda a: a.responses()[before:])[0]


def test_a_plan_uploaded_in_the_dm_is_previewed_then_imported_once(
    board: dict[str, int], db: sessionmaker[Session], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    before = refs(db)
    preview = upload(sender, slack_api, COORD, "messy-child-c.csv", (FIXTURES / "messy-child-c.csv").read_bytes())

    text = shown(preview)
    assert "*Dry run of messy-child-c.csv: nothing was written.*" in text
    assert "Added: " in text and "Columns read" in text
    assert [label for label, *_ in buttons(preview)] == ["Import", "Cancel"]
    assert refs(db) == before and pending(db) == 1  # nothing imported yet; the bytes wait for the click
    [(file_id, authorization)] = slack_api.downloads()
    assert authorization == f"Bearer {TOKEN}"
    assert slack_api.calls_to("files.info")[0].params["file"] == file_id

    done = press(sender, slack_api, "Import", preview)
    assert done["replace_original"] is True  # the preview and its buttons are replaced
    assert "Imported messy-child-c.csv." in shown(done)
    imported = refs(db)
    assert len(imported) > len(before) and pending(db) == 0  # the file is not kept

    again = press(sender, slack_api, "Import", preview)  # a second press: nothing more
    assert "already imported or cancelled" in shown(again)
    assert refs(db) == imported


def test_a_wrong_sheet_gives_the_full_error_report_and_writes_nothing(
    board: dict[str, int], db: sessionmaker[Session], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    before = refs(db)
    answer = shown(upload(sender, slack_api, COORD, "bad-sheet.csv", (FIXTURES / "bad-sheet.csv").read_bytes()))

    assert "bad-sheet.csv was not imported and nothing was changed" in answer
    assert "C3 (Action): missing action text" in answer  # by cell and the sheet's own heading
    # every problem, not the first: each by its cell and heading
    assert "F5 (Target Date): 31 February 2015 does not exist" in answer
    assert "H5 (RAG): 'Purple' is not a RAG word" in answer
    assert "H11 (RAG): Blue means complete" in answer
    assert "upload it again" in answer
    assert refs(db) == before and pending(db) == 0


def test_someone_other_than_the_coordinator_is_refused_and_nothing_is_downloaded(
    board: dict[str, int], db: sessionmaker[Session], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    answer = upload(
        sender, slack_api, SLACK_IDS[POLICE_LEAD], "plan.csv", (FIXTURES / "messy-child-c.csv").read_bytes()
    )

    assert "Only the board's coordinator can load a plan" in shown(answer)
    assert slack_api.calls_to("files.info") == [] and slack_api.downloads() == []
    assert pending(db) == 0


def test_cancel_discards_the_upload_and_imports_nothing(
    board: dict[str, int], db: sessionmaker[Session], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    before = refs(db)
    preview = upload(sender, slack_api, COORD, "messy-child-c.csv", (FIXTURES / "messy-child-c.csv").read_bytes())

    assert "Cancelled: nothing was imported" in shown(press(sender, slack_api, "Cancel", preview))
    assert refs(db) == before and pending(db) == 0
    assert "already imported or cancelled" in shown(press(sender, slack_api, "Import", preview))
    assert refs(db) == before


def test_a_file_in_a_channel_is_ignored(board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi) -> None:
    file_id = slack_api.add_file("plan.csv", b"Ref,Action\n")
    event = {"type": "file_shared", "file_id": file_id, "user_id": COORD, "channel_id": "C0DIGEST"}
    assert sender.event(event).status == 200
    time.sleep(0.3)
    assert slack_api.calls_to("files.info") == [] and slack_api.calls_to("chat.postMessage") == []


def test_a_download_url_off_slacks_host_is_refused_without_sending_the_token(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    answer = upload(sender, slack_api, COORD, "plan.csv", b"x")
    slack_api.reset()
    file_id = slack_api.add_file("plan.csv", b"Ref,Action\n", url="http://localhost:9/files/F1/plan.csv")
    event = {"type": "file_shared", "file_id": file_id, "user_id": COORD, "channel_id": "D0COORD"}
    sender.event(event)
    [call] = slack_api.wait_for(lambda a: a.calls_to("chat.postMessage"))
    assert "could not download that file from Slack" in shown(call.params)
    assert answer  # the first upload (not a sheet's rows) was answered too
    assert allowed("https://files.slack.com/files-pri/T1-F1/download/plan.xlsx", None)
    assert not allowed("https://files.slack.com.evil.example/x", None)
    assert not allowed("http://files.slack.com/x", None)  # the token only over HTTPS
    assert allowed("https://files.slack-gov.com/x", "https://slack-gov.com/api/")


def test_import_says_how_to_attach_and_only_to_the_coordinator(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    sender.command("import", COORD)
    sender.command("import", SLACK_IDS[POLICE_LEAD])
    first, second = slack_api.wait_for(lambda a: len(a.responses()) >= 2 and a.responses())[:2]
    answers = sorted([shown(first), shown(second)])
    assert any("Upload the plan's spreadsheet (.xlsx or .csv) in a direct message to me" in a for a in answers)
    assert any("Only the board's coordinator can load a plan" in a for a in answers)
