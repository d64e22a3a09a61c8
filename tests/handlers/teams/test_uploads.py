"""Loading a plan in Teams: a spreadsheet attached in the 1:1 chat is downloaded from its URL (a local HTTP
server here, as SharePoint would serve it), dry-run by the importer, and imported only on Import."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from storage.models import Action, PendingUpload
from tests.fakes.teams import TeamsSender, TeamsUser, actions_of, cards_of, invoke_card, shown
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import COORDINATOR, POLICE_LEAD

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
COORD = USERS[COORDINATOR]


class FileServer:
    """Serves files at /<name> on 127.0.0.1 and records each request's path."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}
        self.requests: list[str] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:  # noqa: N802
                server.requests.append(self.path)
                body = server.files.get(self.path.lstrip("/"))
                self.send_response(200 if body is not None else 404)
                self.send_header("Content-Length", str(len(body or b"")))
                self.end_headers()
                self.wfile.write(body or b"")

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.http.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def url(self, name: str) -> str:
        return f"http://127.0.0.1:{self.http.server_address[1]}/{name}"


@pytest.fixture
def files() -> Iterator[FileServer]:
    server = FileServer()
    server.thread.start()
    yield server
    server.http.shutdown()
    server.http.server_close()


def attach(sender: TeamsSender, connector: FakeConnector, user: TeamsUser, name: str, url: str) -> str:
    """``user`` attaches a file in the 1:1 chat; what the bot answered there."""
    before = len(connector.messages())
    activity = sender._base(user, "personal") | {
        "type": "message",
        "text": "",
        "attachments": [
            {
                "contentType": "application/vnd.microsoft.teams.file.download.info",
                "contentUrl": "https://board.sharepoint.example/Shared/plan",
                "name": name,
                "content": {"downloadUrl": url, "uniqueId": "1a2b", "fileType": name.rsplit(".", 1)[-1]},
            }
        ],
    }
    assert sender.send(activity).status == 200
    return "\n".join(shown(call) for call in connector.messages()[before:])


def counts(db: sessionmaker[Session]) -> tuple[int, int]:
    with db() as session:
        actions = session.scalar(select(func.count()).select_from(Action)) or 0
        waiting = session.scalar(select(func.count()).select_from(PendingUpload)) or 0
    return actions, waiting


def test_an_attached_plan_is_previewed_then_imported(
    board: dict[str, int], db: sessionmaker[Session], sender: TeamsSender, connector: FakeConnector,
    files: FileServer,
) -> None:  # fmt: skip
    files.files["messy-child-c.csv"] = (FIXTURES / "messy-child-c.csv").read_bytes()
    before, _ = counts(db)

    text = attach(sender, connector, COORD, "messy-child-c.csv", files.url("messy-child-c.csv"))

    assert "Dry run of messy-child-c.csv: nothing was written." in text
    assert files.requests == ["/messy-child-c.csv"]
    assert counts(db) == (before, 1)
    [card] = cards_of(connector.messages(COORD.chat)[-1])
    [(label, verb, data)] = [found for found in actions_of(card) if found[0] == "Import"]
    done = invoke_card(sender.click(COORD, verb, data))
    assert "Imported messy-child-c.csv." in shown(done)
    imported, waiting = counts(db)
    assert imported > before and waiting == 0
    again = invoke_card(sender.click(COORD, verb, data))
    assert "already imported or cancelled" in shown(again)
    assert counts(db) == (imported, 0)


def test_cancel_in_teams_keeps_nothing(
    board: dict[str, int], db: sessionmaker[Session], sender: TeamsSender, connector: FakeConnector,
    files: FileServer,
) -> None:  # fmt: skip
    files.files["plan.csv"] = (FIXTURES / "messy-child-c.csv").read_bytes()
    before, _ = counts(db)
    attach(sender, connector, COORD, "plan.csv", files.url("plan.csv"))
    [card] = cards_of(connector.messages(COORD.chat)[-1])
    [(_, verb, data)] = [found for found in actions_of(card) if found[0] == "Cancel"]
    assert "Cancelled" in shown(invoke_card(sender.click(COORD, verb, data)))
    assert counts(db) == (before, 0)


def test_a_wrong_sheet_in_teams_gives_every_problem(
    board: dict[str, int], db: sessionmaker[Session], sender: TeamsSender, connector: FakeConnector,
    files: FileServer,
) -> None:  # fmt: skip
    files.files["bad.csv"] = (FIXTURES / "bad-sheet.csv").read_bytes()
    before = counts(db)
    text = attach(sender, connector, COORD, "bad.csv", files.url("bad.csv"))
    assert "bad.csv was not imported and nothing was changed" in text
    assert "F5 (Target Date): 31 February 2015 does not exist" in text and "H11 (RAG)" in text
    assert counts(db) == before


def test_only_the_coordinator_and_nothing_is_downloaded_for_anyone_else(
    board: dict[str, int], db: sessionmaker[Session], sender: TeamsSender, connector: FakeConnector,
    files: FileServer,
) -> None:  # fmt: skip
    files.files["plan.csv"] = (FIXTURES / "messy-child-c.csv").read_bytes()
    text = attach(sender, connector, USERS[POLICE_LEAD], "plan.csv", files.url("plan.csv"))
    assert "Only the board's coordinator can load a plan" in text
    assert files.requests == [] and counts(db)[1] == 0
