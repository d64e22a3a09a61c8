"""The Slack side of the bot: a Bolt app over HTTP (waitress) or Socket Mode, Block Kit rendering,
and the Slack implementation of the chat port (SlackMessenger).

Wiring: ``handlers.slack.app.build_slack(bot)`` gives the Bolt app, the client, the messenger
and their shared status; ``handlers.slack.cli.register`` adds the ``web`` and ``socket`` commands.
Nothing is registered at import time.
"""
