"""Domain errors: raised by services, shown by views as a translated message."""


class DomainError(Exception):
    """A rule of the domain was broken. `message` is already translated (or lazy)."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


class InvalidTransition(DomainError):
    pass


class EditConflict(DomainError):
    """Someone else changed the record since the form was opened."""
