"""Shared pieces of the dashboard's queries: the period, working days in O(1), local days in SQL."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func
from sqlalchemy.orm import Session

from bot.tickets.working_days import WorkCalendar


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class WorkdayIndex:
    """Working days between two dates in O(1): cumulative counts over a span of the calendar.

    ``cum(b) - cum(a)`` equals ``WorkCalendar.working_days_between(a, b)`` (working days in (a, b]), so a sum of
    handling times over many tickets is ``Σ cum(closed day) − Σ cum(created day)``: two per-day counts suffice.
    """

    def __init__(self, calendar: WorkCalendar, start: dt.date, end: dt.date) -> None:
        self.calendar = calendar
        self.start = start
        self._cum: dict[dt.date, int] = {}
        count = 0
        day = start
        while day <= end:
            if calendar.is_working_day(day):
                count += 1
            self._cum[day] = count
            day += dt.timedelta(days=1)

    def cum(self, day: dt.date) -> int:
        """Working days in (start, day] plus one if ``start`` is a working day (any fixed origin would do)."""
        if day in self._cum:
            return self._cum[day]
        return self._cum[self.start] + self.calendar.working_days_between(self.start, day)

    def between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b], as ``WorkCalendar.working_days_between``."""
        return self.cum(b) - self.cum(a)


def ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def local_start(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def local_day(db: Session, column: Any, tz_name: str) -> Any:
    """The local calendar day of a UTC timestamp column, computed by the database."""
    if db.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz_name, column))
    # SQLite keeps naive UTC text; the zones this serves (Asia/Shanghai) have a fixed offset.
    offset = ZoneInfo(tz_name).utcoffset(dt.datetime(2026, 1, 1)) or dt.timedelta(0)
    return func.date(column, f"{int(offset.total_seconds()):+d} seconds")
