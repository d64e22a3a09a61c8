"""The ``/action`` language: text in, a command or a usage error out. Pure: no I/O, no clock.

- ``types``: the commands as values; ``parser``: text to a command (the only reader of typed words);
- ``filters``: the filters of the listings; ``words``: normalising and splitting what was typed;
- ``help``: help as a neutral structure, and as plain text; ``listing_text``: a listing's next page as a command.
"""

from bot.commands.help import HELP_TOPICS, USAGE, Code, HelpEntry, HelpPage, help_page, help_text, plain_text
from bot.commands.listing_text import describe_filters, with_page
from bot.commands.parser import parse
from bot.commands.types import (
    MAX_TEXT,
    Approve,
    Command,
    Decline,
    Digest,
    Done,
    Extend,
    Help,
    History,
    Impact,
    Link,
    ListActions,
    Listing,
    Mention,
    Mine,
    Outstanding,
    Pack,
    Show,
    SignOff,
    UpdateAction,
)  # fmt: skip

__all__ = [
    "HELP_TOPICS", "MAX_TEXT", "USAGE", "Approve", "Code", "Command", "Decline", "Digest", "Done", "Extend", "Help",
    "HelpEntry", "HelpPage", "History", "Impact", "Link", "ListActions", "Listing", "Mention", "Mine", "Outstanding",
    "Pack", "Show", "SignOff", "UpdateAction", "describe_filters", "help_page", "help_text", "parse", "plain_text",
    "with_page",
]  # fmt: skip
