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


def check_version(record, expected_version, message):
    """Optimistic locking for an edit form: a version that is missing (a stripped or
    broken form) or stale raises EditConflict, so no one's change is overwritten."""
    if expected_version is None or expected_version != record.version:
        raise EditConflict(message)
