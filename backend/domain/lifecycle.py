"""The ticket lifecycle.

new → assigned → in_progress → resolved → closed is the normal path. An open ticket may instead
be rejected (not our responsibility: the referral says who is) or marked a duplicate of another
ticket. A resolved ticket may be reopened (back to in_progress) until it is closed.
"""

from __future__ import annotations

from enum import StrEnum

from backend.domain.errors import InvalidInput, InvalidTransition


class Status(StrEnum):
    NEW = "new"
    ASSIGNED = "assigned"
    IN_PROGRESS = "in_progress"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"


ALLOWED_TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.ASSIGNED, Status.REJECTED, Status.DUPLICATE}),
    Status.ASSIGNED: frozenset({Status.IN_PROGRESS, Status.RESOLVED, Status.REJECTED, Status.DUPLICATE}),
    Status.IN_PROGRESS: frozenset({Status.RESOLVED, Status.REJECTED, Status.DUPLICATE}),
    Status.RESOLVED: frozenset({Status.CLOSED, Status.IN_PROGRESS}),
    Status.CLOSED: frozenset(),
    Status.REJECTED: frozenset(),
    Status.DUPLICATE: frozenset(),
}

OPEN_STATUSES = frozenset({Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS})
RATEABLE_STATUSES = frozenset({Status.RESOLVED, Status.CLOSED})
# Statuses whose change needs a text: the official's answer or the referral.
TEXT_REQUIRED = {
    Status.RESOLVED: "an answer to the citizen is required to resolve a ticket",
    Status.REJECTED: "a referral (who is responsible) is required to reject a ticket",
}

STATUS_VI: dict[Status, str] = {
    Status.NEW: "Mới tiếp nhận",
    Status.ASSIGNED: "Đã chuyển đơn vị xử lý",
    Status.IN_PROGRESS: "Đang xử lý",
    Status.RESOLVED: "Đã xử lý xong",
    Status.CLOSED: "Đã đóng",
    Status.REJECTED: "Không thuộc thẩm quyền",
    Status.DUPLICATE: "Trùng với phản ánh khác",
}


def parse_status(value: str) -> Status:
    """Parse a status code or raise InvalidInput."""
    try:
        return Status(value)
    except ValueError:
        raise InvalidInput(f"unknown status: {value}") from None


def check_transition(current: str, target: str, text: str | None = None) -> Status:
    """Return the target status if the lifecycle allows the change, else raise."""
    source, goal = parse_status(current), parse_status(target)
    if goal not in ALLOWED_TRANSITIONS[source]:
        raise InvalidTransition(source, goal)
    if goal in TEXT_REQUIRED and not (text and text.strip()):
        raise InvalidInput(TEXT_REQUIRED[goal])
    return goal


def is_open(status: str) -> bool:
    """True while the ticket still awaits work."""
    return Status(status) in OPEN_STATUSES


def can_rate(status: str) -> bool:
    """True when the citizen may rate the outcome."""
    return Status(status) in RATEABLE_STATUSES
