"""Domain errors; entrypoints map them to HTTP statuses."""


class DomainError(Exception):
    """Base of every business-rule violation."""


class InvalidInput(DomainError):
    """The request is well-formed but its content is not acceptable (→ 422)."""


class TooLarge(InvalidInput):
    """An upload or text beyond its size limit (→ 413)."""


class NotFound(DomainError):
    """The thing does not exist or the caller may not see it (→ 404)."""


class Conflict(DomainError):
    """The request contradicts the current state (→ 409)."""


class InvalidTransition(Conflict):
    """A status change that the lifecycle forbids."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"cannot change status from {current} to {target}")
        self.current = current
        self.target = target
