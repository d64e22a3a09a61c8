"""Socket Mode runs the same listeners (no signatures, same replay checks); the CLI adds web and socket."""

from __future__ import annotations

import argparse
from collections.abc import Iterator
from pathlib import Path

import pytest
from slack_bolt.adapter.socket_mode.internals import run_bolt_app
from slack_sdk.socket_mode.request import SocketModeRequest

from bot import app
from bot.clock import FrozenClock
from bot.config import ConfigError, Settings
from handlers.slack import cli
from handlers.slack.app import SlackApp, build_slack
from tests.fakes.slack import new_trigger_id, shown
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.conftest import SLACK_IDS
from tests.helpers import POLICE_LEAD


@pytest.fixture
def socket_slack(slack_settings: Settings, clock: FrozenClock) -> Iterator[SlackApp]:
    bot = app.build(slack_settings, clock)
    slack = build_slack(bot, timeout=2.0, socket_mode=True)
    yield slack
    slack.close()
    bot.engine.dispose()


def test_a_slash_command_over_socket_mode(
    board: dict[str, int], socket_slack: SlackApp, slack_api: FakeSlackApi
) -> None:
    payload = {
        "command": "/action",
        "text": "show CC-1",
        "user_id": SLACK_IDS[POLICE_LEAD],
        "team_id": "T0TEST",
        "response_url": slack_api.response_url(),
        "trigger_id": new_trigger_id(),
    }
    request = SocketModeRequest(type="slash_commands", envelope_id="env-1", payload=payload)
    assert run_bolt_app(socket_slack.bolt, request).status == 200
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "*CC-1* · SCR Child C (CC)" in shown(answer)
    # Slack redelivers an envelope it thinks was lost: the same trigger id applies once.
    assert run_bolt_app(socket_slack.bolt, request).status == 200
    socket_slack.executor.submit(lambda: None).result()
    assert len(slack_api.responses()) == 1


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(prog="python -m bot")
    cli.register(root.add_subparsers())
    return root


def test_the_cli_has_web_and_socket_commands() -> None:
    web = parser().parse_args(["web", "--port", "8080"])
    assert (web.run, web.port, web.host, web.threads) == (cli.run_web, 8080, "0.0.0.0", 8)
    socket = parser().parse_args(["socket", "--healthz-port", "8081"])
    assert (socket.run, socket.healthz_port) == (cli.run_socket, 8081)


def test_web_refuses_to_start_without_its_secrets(settings: Settings) -> None:
    with pytest.raises(ConfigError, match="SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET must be set"):
        cli.run_web(parser().parse_args(["web"]), settings)
    with pytest.raises(ConfigError, match="SLACK_APP_TOKEN must be set"):
        cli.run_socket(parser().parse_args(["socket"]), Settings(slack_bot_token="xoxb-1"))


ROOT = Path(__file__).resolve().parents[3]


@pytest.mark.parametrize("name", ["manifest.yml", "manifest.socket-mode.yml"])
def test_the_manifests_ask_for_what_the_app_handles(name: str) -> None:
    manifest = (ROOT / "slack" / name).read_text(encoding="utf-8")
    assert "command: /action" in manifest and "should_escape: true" in manifest  # mentions arrive as <@U..>
    assert "- app_home_opened" in manifest and "home_tab_enabled: true" in manifest
    for scope in ("commands", "chat:write", "users:read", "users:read.email", "files:write"):
        assert f"      - {scope}\n" in manifest
    if name == "manifest.yml":
        assert manifest.count("url: https://actions.example.org/slack/events") == 3
        assert "socket_mode_enabled: false" in manifest
    else:
        assert "url:" not in manifest and "socket_mode_enabled: true" in manifest
