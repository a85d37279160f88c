"""The console's access rules and lock-out policy (pure domain, no I/O)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from backend.domain.access import (
    EXPORTERS,
    STATS_READERS,
    TICKET_WORKERS,
    Forbidden,
    LockoutPolicy,
    Principal,
    Role,
    can_see_contact,
    can_see_ticket,
    department_scope,
    is_locked,
    require,
)

NOW = datetime(2026, 11, 26, 9, 0, tzinfo=UTC)


def principal(role: Role, department: str | None = None) -> Principal:
    """A principal of the given role."""
    return Principal(1, "u", "Người Dùng", role, department)


@pytest.mark.parametrize(
    ("role", "department", "own", "other"),
    [
        (Role.DISPATCHER, None, True, True),
        (Role.OFFICER, "hoi_an_environment", True, False),
        (Role.LEADER, None, False, False),
        (Role.ADMINISTRATOR, None, False, False),
    ],
)
def test_who_sees_which_ticket_and_contact(
    role: Role, department: str | None, own: bool, other: bool
) -> None:
    user = principal(role, department)
    assert can_see_ticket(user, "hoi_an_environment") is own
    assert can_see_ticket(user, "tam_ky_police") is other
    assert can_see_contact(user, "hoi_an_environment") is own


def test_officers_are_scoped_to_their_department() -> None:
    assert department_scope(principal(Role.OFFICER, "hoi_an_police")) == "hoi_an_police"
    assert department_scope(principal(Role.DISPATCHER)) is None


def test_role_sets() -> None:
    assert {Role.DISPATCHER, Role.OFFICER} == TICKET_WORKERS
    assert Role.LEADER in STATS_READERS and Role.OFFICER not in STATS_READERS
    assert Role.ADMINISTRATOR not in EXPORTERS
    with pytest.raises(Forbidden):
        require(principal(Role.LEADER), TICKET_WORKERS, "list tickets")


def test_lockout_after_the_fifth_failure_for_the_duration() -> None:
    policy = LockoutPolicy(max_failures=5, duration=timedelta(minutes=15))
    failures, locked_until = 0, None
    for _ in range(4):
        failures, locked_until = policy.after_failure(failures, NOW)
        assert locked_until is None
    failures, locked_until = policy.after_failure(failures, NOW)
    assert (failures, locked_until) == (0, NOW + timedelta(minutes=15))
    assert is_locked(locked_until, NOW + timedelta(minutes=14))
    assert not is_locked(locked_until, NOW + timedelta(minutes=15, seconds=1))
    assert principal(Role.OFFICER, "x").actor == "officer:u"
