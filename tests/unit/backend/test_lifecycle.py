"""Every status transition, allowed and forbidden."""

from __future__ import annotations

import itertools

import pytest

from backend.domain.errors import InvalidInput, InvalidTransition
from backend.domain.lifecycle import ALLOWED_TRANSITIONS, Status, can_rate, check_transition, is_open

ALLOWED = [(a, b) for a, targets in ALLOWED_TRANSITIONS.items() for b in targets]
FORBIDDEN = [(a, b) for a, b in itertools.product(Status, Status) if b not in ALLOWED_TRANSITIONS[a]]


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition(current: Status, target: Status) -> None:
    assert check_transition(current, target, "Đã xử lý / chuyển Sở Tài nguyên") == target


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transition(current: Status, target: Status) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(current, target, "text")


def test_normal_path_and_terminal_states() -> None:
    path = ["new", "assigned", "in_progress", "resolved", "closed"]
    for current, target in itertools.pairwise(path):
        check_transition(current, target, "text")
    for terminal in (Status.CLOSED, Status.REJECTED, Status.DUPLICATE):
        assert not ALLOWED_TRANSITIONS[terminal]


@pytest.mark.parametrize("target", [Status.RESOLVED, Status.REJECTED])
@pytest.mark.parametrize("text", [None, "", "   "])
def test_resolution_and_rejection_need_a_text(target: Status, text: str | None) -> None:
    with pytest.raises(InvalidInput):
        check_transition(Status.IN_PROGRESS, target, text)


def test_unknown_status_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        check_transition("assigned", "done")


def test_open_and_rateable() -> None:
    assert [s for s in Status if is_open(s)] == [Status.NEW, Status.ASSIGNED, Status.IN_PROGRESS]
    assert [s for s in Status if can_rate(s)] == [Status.RESOLVED, Status.CLOSED]
