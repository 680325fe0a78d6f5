from django.core.exceptions import ValidationError


class DomainError(Exception):
    """A business rule refused the action; the message is shown to the user as is."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class TransitionError(DomainError):
    """The object is not in a state that allows this change."""


__all__ = ["DomainError", "TransitionError", "ValidationError"]
