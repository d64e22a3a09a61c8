"""The Teams side of the bot: an app on Microsoft's Teams SDK (``microsoft-teams-apps``) serving
POST /api/messages, Adaptive Card rendering, and the Teams implementation of the chat port
(TeamsMessenger), proactive through the conversations stored when the app is installed or messaged.

Wiring: ``handlers.teams.app.build_teams(bot)`` gives the SDK app, the messenger and the listeners'
dependencies; ``handlers.teams.cli.register`` adds the ``teams`` and ``teams-package`` commands.
Nothing is registered at import time.
"""

DEFAULT_TIMEOUT = 10.0  # seconds per call to Teams (kept here: the command line must not import the SDK to parse)
