"""Who may do what in the console.

administrator: users and reference data. dispatcher (the IOC desk): every ticket, re-routing and
bulk actions. officer: only the tickets of their own department. leader: statistics only, never
citizens' contact details, no ticket actions. Contact details are for the handling department's
officers and for dispatchers.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from backend.domain.errors import DomainError


class Role(StrEnum):
    ADMINISTRATOR = "administrator"
    DISPATCHER = "dispatcher"
    OFFICER = "officer"
    LEADER = "leader"


ROLE_VI: dict[Role, str] = {
    Role.ADMINISTRATOR: "Quản trị hệ thống",
    Role.DISPATCHER: "Điều phối viên IOC",
    Role.OFFICER: "Cán bộ xử lý",
    Role.LEADER: "Lãnh đạo",
}

TICKET_WORKERS = frozenset({Role.DISPATCHER, Role.OFFICER})
STATS_READERS = frozenset({Role.LEADER, Role.DISPATCHER, Role.ADMINISTRATOR})
EXPORTERS = frozenset({Role.LEADER, Role.DISPATCHER, Role.OFFICER})


class Forbidden(DomainError):
    """The caller's role does not allow this (→ 403)."""


@dataclass(frozen=True)
class Principal:
    """The signed-in official."""

    id: int
    username: str
    full_name: str
    role: Role
    department_code: str | None

    @property
    def actor(self) -> str:
        """How the audit trail names this official."""
        return f"{self.role.value}:{self.username}"


def department_scope(principal: Principal) -> str | None:
    """The only department whose tickets the principal may see (None: all of them)."""
    return principal.department_code if principal.role == Role.OFFICER else None


def can_see_ticket(principal: Principal, department_code: str) -> bool:
    """Dispatchers see every ticket; officers only their department's."""
    if principal.role == Role.DISPATCHER:
        return True
    return principal.role == Role.OFFICER and principal.department_code == department_code


def can_see_contact(principal: Principal, department_code: str) -> bool:
    """Only the handling department's officers and dispatchers see the citizen's contact."""
    return can_see_ticket(principal, department_code)


def require(principal: Principal, allowed: frozenset[Role], what: str) -> None:
    """Raise Forbidden unless the principal's role is allowed."""
    if principal.role not in allowed:
        raise Forbidden(f"the {principal.role.value} role may not {what}")


@dataclass(frozen=True)
class LockoutPolicy:
    """After `max_failures` consecutive bad passwords the account is locked for `duration`."""

    max_failures: int = 5
    duration: timedelta = timedelta(minutes=15)

    def after_failure(self, failures: int, now: datetime) -> tuple[int, datetime | None]:
        """The new failure count and lock expiry after one more bad password."""
        failures += 1
        if failures >= self.max_failures:
            return 0, now + self.duration
        return failures, None


def is_locked(locked_until: datetime | None, now: datetime) -> bool:
    """True while a lock is in force."""
    return locked_until is not None and now < locked_until
