"""The working-day calendar behind SLA deadlines.

A ticket with an SLA of N working days is due at the end of the N-th working day after the day it
was received (17:00 Asia/Ho_Chi_Minh). Weekends and public holidays do not count; a weekend day
listed as a compensatory working day does.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
END_OF_WORKING_DAY = time(17, 0)


@dataclass(frozen=True)
class WorkingCalendar:
    """Weekends off, plus holidays off, plus compensatory working weekend days."""

    holidays: frozenset[date] = field(default_factory=frozenset)
    working_weekend_days: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def of(cls, holidays: Iterable[date], working_days: Iterable[date] = ()) -> WorkingCalendar:
        """Build a calendar from plain date lists."""
        return cls(frozenset(holidays), frozenset(working_days))

    def is_working_day(self, day: date) -> bool:
        """True if officials work on that day."""
        if day in self.working_weekend_days:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add_working_days(self, start: date, days: int) -> date:
        """The date of the `days`-th working day after `start` (start itself not counted)."""
        day, counted = start, 0
        while counted < days:
            day += timedelta(days=1)
            counted += self.is_working_day(day)
        return day

    def due_at(self, received_at: datetime, sla_days: int) -> datetime:
        """The deadline: 17:00 local time on the last working day allowed."""
        local_day = received_at.astimezone(LOCAL_TZ).date()
        due_day = self.add_working_days(local_day, sla_days)
        return datetime.combine(due_day, END_OF_WORKING_DAY, tzinfo=LOCAL_TZ)


def is_overdue(due_at: datetime | None, now: datetime, still_open: bool) -> bool:
    """An open ticket past its deadline is overdue."""
    return bool(still_open and due_at is not None and now > due_at)
