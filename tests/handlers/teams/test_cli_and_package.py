"""`python -m bot teams`, `python -m bot teams-package`, the Teams settings, and authentication left on."""

from __future__ import annotations

import json
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import Engine

from bot import app
from bot.__main__ import main
from bot.clock import FrozenClock
from bot.config import ConfigError, Settings
from handlers.teams.app import TeamsApp, build_teams
from handlers.teams.server import ServerThread
from tests.fakes.teams import TeamsSender, get
from tests.fakes.teams_connector import FakeConnector
from tests.handlers.teams.conftest import USERS
from tests.helpers import POLICE_LEAD, dump

APP_ID = "1b2c3d4e-1111-2222-3333-444455556666"
PAGES = (
    "--website", "https://lscb.example.org",
    "--privacy-url", "https://lscb.example.org/privacy",
    "--terms-url", "https://lscb.example.org/terms",
)  # fmt: skip


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_the_package_holds_the_manifest_with_the_bots_id_and_both_icons(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    out = tmp_path / "dist" / "teams-app.zip"
    assert main(["teams-package", "--out", str(out), *PAGES]) == 0
    assert str(out) in capsys.readouterr().out
    with zipfile.ZipFile(out) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(archive.read("manifest.json"))
        assert png_size(archive.read("color.png")) == (192, 192)
        assert png_size(archive.read("outline.png")) == (32, 32)
    assert manifest["id"] == APP_ID and manifest["bots"][0]["botId"] == APP_ID
    assert manifest["developer"] == {
        "name": "Safeguarding partnership",
        "websiteUrl": "https://lscb.example.org",
        "privacyUrl": "https://lscb.example.org/privacy",
        "termsOfUseUrl": "https://lscb.example.org/terms",
    }
    assert "${{" not in json.dumps(manifest)
    personal = next(c for c in manifest["bots"][0]["commandLists"] if c["scopes"] == ["personal"])
    titles = [command["title"] for command in personal["commands"]]
    assert "help" in titles and "mine" in titles and len(titles) <= 10
    assert all(len(c["title"]) <= 32 and len(c["description"]) <= 128 for c in personal["commands"])


def test_the_package_needs_a_real_app_id(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    assert main(["teams-package", "--out", str(tmp_path / "x.zip")]) == 2
    assert "Set TEAMS_APP_ID" in capsys.readouterr().err
    assert main(["teams-package", "--app-id", "my-bot", "--out", str(tmp_path / "x.zip")]) == 2
    assert "is not an Entra application (client) id" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


@pytest.mark.parametrize(
    ("given", "named"),
    [
        ((), "--website, --privacy-url, --terms-url"),
        (PAGES[:2], "--privacy-url, --terms-url"),
        (PAGES[:4], "--terms-url"),
        ((*PAGES[:4], "--terms-url", " "), "--terms-url"),
    ],
)
def test_the_package_needs_the_boards_own_pages_and_names_the_flags(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    given: tuple[str, ...],
    named: str,
) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    assert main(["teams-package", "--out", str(tmp_path / "x.zip"), *given]) == 2
    assert f"Give the board's own pages: {named} (https:// addresses)." in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_the_boards_pages_must_be_https(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    monkeypatch.setenv("TEAMS_APP_ID", APP_ID)
    pages = [*PAGES[:3], "http://lscb.example.org/privacy", *PAGES[4:]]
    assert main(["teams-package", "--out", str(tmp_path / "x.zip"), *pages]) == 2
    assert "--privacy-url must be an https:// address" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_the_teams_process_refuses_to_start_without_its_credentials(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.delenv("TEAMS_APP_ID", raising=False)
    monkeypatch.delenv("TEAMS_APP_PASSWORD", raising=False)
    assert main(["teams"]) == 2
    assert "TEAMS_APP_ID, TEAMS_APP_PASSWORD must be set: see docs/teams.md." in capsys.readouterr().err


def test_teams_settings_come_from_the_environment() -> None:
    settings = Settings.from_env(
        {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "s3cret", "TEAMS_TENANT_ID": "t", "TEAMS_PORT": "8080"}
    )
    assert (settings.teams_app_id, settings.teams_app_password, settings.teams_tenant_id) == (APP_ID, "s3cret", "t")
    assert settings.teams_port == 8080 and Settings.from_env({}).teams_port == 3978
    with pytest.raises(ConfigError, match="TEAMS_PORT='x'"):
        Settings.from_env({"TEAMS_PORT": "x"})


@pytest.fixture
def guarded(settings: Settings, clock: FrozenClock) -> Iterator[TeamsApp]:
    """The production wiring: Bot Framework's token is required on every request."""
    bot = app.build(replace(settings, teams_app_id=APP_ID, teams_app_password="not-a-real-secret"), clock)
    teams = build_teams(bot)
    yield teams
    teams.close()
    bot.engine.dispose()


def test_with_authentication_on_an_unsigned_activity_is_refused_and_changes_nothing(
    guarded: TeamsApp, board: dict[str, int], connector: FakeConnector, engine: Engine
) -> None:
    server = ServerThread(guarded).start()
    try:
        before = dump(engine)
        answer = TeamsSender(server.url, connector).message(USERS[POLICE_LEAD], "done CC-1 Forged evidence")
        assert answer.status == 401
        assert dump(engine) == before and connector.calls == []
        assert get(server.url, "/healthz").json() == {"ok": True}
    finally:
        server.stop()
