"""Likely-duplicate detection: distance, unit and text similarity."""

from __future__ import annotations

import pytest

from backend.domain.duplicates import DuplicatePolicy, Report, find_original, haversine_m, similarity

POLICY = DuplicatePolicy(radius_m=150, min_similarity=0.4)


def report(ticket_id: int, **fields: object) -> Report:
    values: dict[str, object] = {"category": "environment", "description": "rác thải đổ trộm đầu hẻm"}
    values.update(fields)
    return Report(ticket_id, **values)  # type: ignore[arg-type]


def test_haversine_known_distance() -> None:
    # One degree of latitude is about 111.2 km on a sphere of radius 6371 km.
    assert haversine_m(15.0, 108.0, 16.0, 108.0) == pytest.approx(111_195, abs=5)
    assert haversine_m(15.88, 108.33, 15.88, 108.33) == 0


def test_similarity_ignores_diacritics_and_case() -> None:
    assert similarity("Rác thải ĐỔ TRỘM", "rac thai do trom") == 1.0
    assert similarity("rác thải đổ trộm", "đèn đường bị hỏng") == 0.0
    assert similarity("", "rác") == 0.0


def test_nearby_same_category_is_a_duplicate() -> None:
    old = report(1, latitude=15.8800, longitude=108.3300, description="đống rác")
    new = report(2, latitude=15.8805, longitude=108.3303, description="cây đổ chắn đường")
    assert find_original(new, [old], POLICY) == old


def test_far_apart_is_not_a_duplicate() -> None:
    old = report(1, latitude=15.88, longitude=108.33)
    new = report(2, latitude=15.57, longitude=108.47)
    assert find_original(new, [old], POLICY) is None


def test_same_unit_with_similar_text_is_a_duplicate() -> None:
    old = report(1, unit_code="hoi_an_dong", description="Rác thải đổ trộm ở đầu hẻm 12 Cửa Đại")
    new = report(2, unit_code="hoi_an_dong", description="rac thai do trom dau hem 12 cua dai boc mui")
    assert find_original(new, [old], POLICY) == old


@pytest.mark.parametrize(
    "old",
    [
        report(1, unit_code="hoi_an", description="rác thải đổ trộm đầu hẻm"),
        report(1, unit_code="hoi_an_dong", description="đèn đường bị hỏng cả tuần"),
        report(1, unit_code="hoi_an_dong", category="traffic"),
    ],
)
def test_not_a_duplicate(old: Report) -> None:
    new = report(2, unit_code="hoi_an_dong")
    assert find_original(new, [old], POLICY) is None


def test_a_ticket_never_duplicates_itself() -> None:
    same = report(7, unit_code="hoi_an_dong")
    assert find_original(same, [same], POLICY) is None
