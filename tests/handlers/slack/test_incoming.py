"""Slack's escaped slash-command text back to what was typed."""

from __future__ import annotations

import pytest

from bot import commands as cmd
from handlers.slack.incoming import from_slack, plain_mentions, tidy
from storage.models import Rag


@pytest.mark.parametrize(
    ("sent", "typed"),
    [
        ("a &lt; b &amp;&amp; c &gt; d", "a < b && c > d"),
        ("&amp;lt; typed literally", "&lt; typed literally"),
        ("&lt;!channel&gt;", "<!channel>"),  # typed, so escaped by Slack: kept as text
        ("<!channel> <!here>", "@channel @here"),  # real markup: made plain
        ("<https://x.example>", "https://x.example"),
        ("<https://x.example|the plan>", "the plan (https://x.example)"),
        ("<mailto:jo@x.example|jo@x.example>", "jo@x.example"),
        ("<#C123|general>", "#general"),
        ("<!subteam^S1|@leads>", "@leads"),
        ("owner:<@U123|jo>", "owner:<@U123|jo>"),  # the parser reads user mentions
    ],
)
def test_from_slack(sent: str, typed: str) -> None:
    assert from_slack(sent) == typed


def test_mentions_in_notes_become_names() -> None:
    assert plain_mentions("ask <@U1|jo> and <@U2>") == "ask @jo and @U2"
    assert tidy(cmd.UpdateAction("CC-1", Rag.GREEN, "ask <@U1|jo>")) == cmd.UpdateAction("CC-1", Rag.GREEN, "ask @jo")
    assert tidy(cmd.Show("CC-1")) == cmd.Show("CC-1")
