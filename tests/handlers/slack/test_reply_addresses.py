"""Replies go only to Slack's response hosts: a reply address carried in a form (or a request) that
points anywhere else is dropped and logged, never posted to."""

from __future__ import annotations

import json
import logging
import time

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.fakes.slack import SlackSender, chosen, shown, typed
from tests.fakes.slack_api import FakeSlackApi
from tests.handlers.slack.test_forms import PAT, open_form, stored


def test_a_forged_reply_address_in_a_form_is_never_posted_to(
    board: dict[str, int],
    sender: SlackSender,
    slack_api: FakeSlackApi,
    db: sessionmaker[Session],
    caplog: pytest.LogCaptureFixture,
) -> None:
    form = open_form(sender, slack_api, "open_update_form")
    with FakeSlackApi() as elsewhere, caplog.at_level(logging.WARNING, logger="handlers.slack.deps"):
        meta = json.loads(form["private_metadata"])
        forged = {**form, "private_metadata": json.dumps({**meta, "url": elsewhere.response_url()})}
        sent = sender.submit(forged, {"rag": chosen("at-risk"), "note": typed("Venue lost")}, PAT)
        assert sent.status == 200
        deadline = time.monotonic() + 5
        while "reply dropped" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "reply dropped" in caplog.text and elsewhere.root in caplog.text
        time.sleep(0.2)
        assert elsewhere.responses() == [] and elsewhere.calls == []
    assert slack_api.responses() == []  # nor anywhere else: the address was the only one given
    assert stored(db, "CC-1").progress == "Venue lost"  # the update itself was Slack-signed and stands


def test_a_slash_command_with_a_foreign_response_url_is_answered_nowhere(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi, caplog: pytest.LogCaptureFixture
) -> None:
    with FakeSlackApi() as elsewhere, caplog.at_level(logging.WARNING, logger="handlers.slack.deps"):
        sent = sender.command("show CC-1", PAT, response_url=elsewhere.response_url())
        assert sent.status == 200
        deadline = time.monotonic() + 5
        while "reply dropped" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "reply dropped" in caplog.text
        assert elsewhere.responses() == [] and elsewhere.calls == []


def test_replies_to_slacks_own_address_still_arrive(
    board: dict[str, int], sender: SlackSender, slack_api: FakeSlackApi
) -> None:
    sender.command("show CC-1", PAT)
    [answer] = slack_api.wait_for(lambda api: api.responses())
    assert "CC-1" in shown(answer)


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://hooks.slack.com/commands/T0/1/abc", True),
        ("https://HOOKS.slack.com:443/actions/T0/1/abc", True),
        ("http://hooks.slack.com/commands/T0/1/abc", False),  # not TLS
        ("https://hooks.slack.com.evil.example/commands", False),
        ("https://evil.example/?hooks.slack.com", False),
        ("https://hooks.slack.com@evil.example/", False),
        ("http://127.0.0.1:9/api/x", False),  # loopback, but not SLACK_API_URL's port
        ("http://127.0.0.1:8123/response/x", True),  # SLACK_API_URL's origin
        ("not a url", False),
        ("https://hooks.slack.com:99999/x", False),
    ],
)
def test_which_addresses_count_as_slacks(url: str, allowed: bool) -> None:
    from handlers.slack.deps import _origin, reply_hosts

    assert (_origin(url) in reply_hosts("http://127.0.0.1:8123/api/")) is allowed
