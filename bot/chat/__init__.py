"""The chat core every surface (Slack, Teams, the console) shares: the controller, the phrases, the forms.

Nothing here knows a chat platform: a surface turns the neutral document (``bot.chat.document``)
into its own markup and keeps only its ids.
"""
