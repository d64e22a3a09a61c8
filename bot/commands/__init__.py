"""The ``/action`` language: text in, a command or a usage error out. Pure: no I/O, no clock.

- ``types``: the commands as values; ``parser``: text to a command (the only reader of typed words);
- ``filters``: the filters of the listings; ``words``: normalising and splitting what was typed;
- ``help``: help as a neutral structure, and as plain text; ``listing_text``: a listing's next page as a command.
"""

from bot.commands.help import HELP_TOPICS, USAGE, Code, HelpEntry, HelpPage, help_page, help_text, plain_text
from bot.commands.listing_text import describe_filters, with_page
from bot.commands.parser import parse
from bot.commands.types import *  # noqa: F403  (every command type, as bot.commands.Show etc.)
from bot.commands.types import __all__ as _types

__all__ = [
    *_types, "HELP_TOPICS", "USAGE", "Code", "HelpEntry", "HelpPage", "describe_filters", "help_page", "help_text",
    "parse", "plain_text", "with_page",
]  # fmt: skip
