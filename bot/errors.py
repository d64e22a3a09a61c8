"""Typed errors that carry the message a user sees."""

from __future__ import annotations


class UserError(Exception):
    """Something the user asked for cannot be done; ``str(error)`` is the reply."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint  # the right form, e.g. a usage line

    def __str__(self) -> str:
        return f"{self.message}\n{self.hint}" if self.hint else self.message


class UsageError(UserError):
    """The command could not be understood."""


class BadDate(UserError):
    """A date could not be read, or is not allowed here."""


class UnknownAction(UserError):
    """No action has that ref."""


class UnknownPerson(UserError):
    """The bot does not know who this is."""


class NotPermitted(UserError):
    """The person's role does not allow this."""


class InvalidTransition(UserError):
    """The action's state does not allow this change."""


class IdentifyingData(UserError):
    """Text that would identify a child or family was refused."""


class TemporarilyUnavailable(UserError):
    """The database could not be reached; nothing was changed."""
