"""Domain errors: raised by services, shown by views as a translated message."""


class DomainError(Exception):
    """A rule of the domain was broken. `message` is translated plain text: a lazy
    translation is made a `str` here, once, because Jinja takes a lazy string as markup
    and would insert a person's name in it (a member named `<meta …>`) as HTML."""

    def __init__(self, message):
        self.message = str(message)
        super().__init__(self.message)


class InvalidTransition(DomainError):
    pass


class EditConflict(DomainError):
    """Someone else changed the record since the form was opened."""


def check_version(record, expected_version, message):
    """Optimistic locking for an edit form: a version that is missing (a stripped or
    broken form) or stale raises EditConflict, so no one's change is overwritten."""
    if expected_version is None or expected_version != record.version:
        raise EditConflict(message)
