"""Every status transition, allowed and forbidden."""

from __future__ import annotations

import itertools

import pytest

from backend.domain.errors import InvalidInput, InvalidTransition
from backend.domain.lifecycle import Status, can_rate, check_transition, is_open

# The lifecycle written out by hand (not read from the code): row = from, column = to, Y = allowed.
EXPECTED = """
             new  assigned  in_progress  resolved  closed  rejected  duplicate
new           .      Y           .           .        .        Y         Y
assigned      .      .           Y           Y        .        Y         Y
in_progress   .      .           .           Y        .        Y         Y
resolved      .      .           Y           .        Y        .         .
closed        .      .           .           .        .        .         .
rejected      .      .           .           .        .        .         .
duplicate     .      .           .           .        .        .         .
"""
HEADER, *ROWS = [line.split() for line in EXPECTED.strip().splitlines()]
TABLE = {(row[0], target): mark == "Y" for row in ROWS for target, mark in zip(HEADER, row[1:], strict=True)}
ALLOWED = [pair for pair, allowed in TABLE.items() if allowed]
FORBIDDEN = [pair for pair, allowed in TABLE.items() if not allowed]


def test_the_table_names_every_status_once() -> None:
    assert sorted(HEADER) == sorted(row[0] for row in ROWS) == sorted(status.value for status in Status)
    assert len(ALLOWED) == 12 and len(FORBIDDEN) == 37


@pytest.mark.parametrize(("current", "target"), ALLOWED)
def test_allowed_transition(current: str, target: str) -> None:
    assert check_transition(current, target, "Đã xử lý / chuyển Sở Tài nguyên") == target


@pytest.mark.parametrize(("current", "target"), FORBIDDEN)
def test_forbidden_transition(current: str, target: str) -> None:
    with pytest.raises(InvalidTransition):
        check_transition(current, target, "text")


def test_normal_path() -> None:
    path = ["new", "assigned", "in_progress", "resolved", "closed"]
    for current, target in itertools.pairwise(path):
        assert check_transition(current, target, "text") == target


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
