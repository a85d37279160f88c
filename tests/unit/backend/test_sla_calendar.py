"""Working-day SLA deadlines across weekends, Tết and other public holidays."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest
import yaml

from backend.domain.sla import LOCAL_TZ, WorkingCalendar, is_overdue

REFERENCE = Path(__file__).resolve().parents[3] / "reference"


def expand(entries: list[dict]) -> list[date]:  # type: ignore[type-arg]
    days = []
    for entry in entries:
        day, last = entry["date"], entry.get("to", entry["date"])
        while day <= last:
            days.append(day)
            day = date.fromordinal(day.toordinal() + 1)
    return days


@pytest.fixture(scope="module")
def calendar() -> WorkingCalendar:
    doc = yaml.safe_load((REFERENCE / "holidays.yml").read_text(encoding="utf-8"))
    return WorkingCalendar.of(expand(doc["holidays"]), expand(doc["working_days"]))


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=LOCAL_TZ)


def test_weekend_is_skipped(calendar: WorkingCalendar) -> None:
    # Thursday + 5 working days: Fri, Mon, Tue, Wed, Thu.
    assert calendar.due_at(local(2026, 11, 26, 9), 5) == local(2026, 12, 3, 17)
    # Friday + 1 working day is Monday.
    assert calendar.due_at(local(2026, 11, 27, 16), 1) == local(2026, 11, 30, 17)


def test_received_on_a_saturday_counts_from_monday(calendar: WorkingCalendar) -> None:
    assert calendar.due_at(local(2026, 11, 28, 10), 1) == local(2026, 11, 30, 17)


def test_tet_holiday_is_skipped(calendar: WorkingCalendar) -> None:
    # Tết Bính Ngọ: off 14-22 Feb 2026. Received Friday 13 Feb, 3 working days → Wed 25 Feb.
    assert calendar.due_at(local(2026, 2, 13, 10), 3) == local(2026, 2, 25, 17)


def test_reunification_and_labour_day(calendar: WorkingCalendar) -> None:
    # 30/4 and 1/5/2026 are Thursday and Friday; Wednesday 29/4 + 1 → Monday 4/5.
    assert calendar.due_at(local(2026, 4, 29, 10), 1) == local(2026, 5, 4, 17)


def test_compensatory_saturday_is_a_working_day(calendar: WorkingCalendar) -> None:
    # Saturday 10/1/2026 is worked in exchange for Friday 2/1/2026.
    assert calendar.is_working_day(date(2026, 1, 10))
    assert not calendar.is_working_day(date(2026, 1, 2))
    assert calendar.due_at(local(2026, 1, 9, 10), 1) == local(2026, 1, 10, 17)


def test_local_date_decides_when_utc_is_still_yesterday() -> None:
    plain = WorkingCalendar()
    # 18:00 UTC Thursday is 01:00 Friday in Vietnam: one working day later is Monday.
    assert plain.due_at(datetime(2026, 11, 26, 18, tzinfo=UTC), 1) == local(2026, 11, 30, 17)


def test_overdue_only_while_open() -> None:
    due = local(2026, 12, 3, 17)
    late = local(2026, 12, 3, 17, 1)
    assert is_overdue(due, late, still_open=True)
    assert not is_overdue(due, late, still_open=False)
    assert not is_overdue(due, local(2026, 12, 3, 16), still_open=True)
