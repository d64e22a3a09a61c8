"""The core's services: ActionService and what surfaces need to call it.

- ``actions``: the facade every surface calls (text or a parsed command in, a Reply out);
- ``reading``, ``changes``, ``accounts``, ``meeting``: one function per command, where it is decided;
- ``queries``: the SQL; ``presentation``: rows to views (pure); ``listing``: paging (pure);
- ``retry``: the one transient-database retry; ``context``: what every handler is given.
"""

from bot.identity import Identity
from bot.services.actions import ActionService
from bot.services.context import Context, DigestDesk, recipient
from bot.services.listing import PAGE_SIZE

__all__ = ["PAGE_SIZE", "ActionService", "Context", "DigestDesk", "Identity", "recipient"]
