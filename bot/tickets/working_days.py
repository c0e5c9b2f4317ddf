"""Working days on the Chinese calendar (public holidays and 调休 make-up workdays) and deadline rules."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, Field

from bot.tickets.config import get_ticket_settings

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class WorkCalendar:
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]  # 调休 make-up working days (weekend days that are worked)
    years: frozenset[int]
    _warned: set[int] = field(default_factory=set, compare=False, hash=False, repr=False)

    def is_working_day(self, day: dt.date) -> bool:
        if day.year not in self.years and day.year not in self._warned:
            self._warned.add(day.year)
            logger.warning("no holiday calendar for %s: counting Monday-Friday only", day.year)
        if day in self.workdays:
            return True
        if day in self.holidays:
            return False
        return day.weekday() < 5

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after ``start`` (``start`` itself is not counted; n=0 → start)."""
        if n < 0:
            raise ValueError("n must be >= 0")
        day = start
        counted = 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                counted += 1
        return day

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.working_days_between(end, start)
        count = 0
        day = start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                count += 1
        return count


def parse_calendar(data: dict[Any, Any]) -> WorkCalendar:
    holidays: set[dt.date] = set()
    workdays: set[dt.date] = set()
    years: set[int] = set()
    for year, block in (data or {}).items():
        years.add(int(year))
        for h in block.get("holidays") or []:
            start, end = _as_date(h["from"]), _as_date(h["to"])
            if end < start:
                raise ValueError(f"holiday {h.get('name')} ends before it starts")
            day = start
            while day <= end:
                holidays.add(day)
                day += dt.timedelta(days=1)
        for w in block.get("workdays") or []:
            workdays.add(_as_date(w))
    clash = holidays & workdays
    if clash:
        raise ValueError(f"days both holiday and workday: {sorted(clash)}")
    return WorkCalendar(frozenset(holidays), frozenset(workdays), frozenset(years))


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def load_calendar(path: Path) -> WorkCalendar:
    with path.open(encoding="utf-8") as fh:
        return parse_calendar(yaml.safe_load(fh))


class _EffectiveCalendar:
    """``get_calendar()``: the shipped file plus the years admins maintain in the database
    (``bot.tickets.calendar_store``, imported on first call: it needs the database models)."""

    def __call__(self) -> WorkCalendar:
        from bot.tickets.calendar_store import get_calendar as effective

        return effective()

    def cache_clear(self) -> None:
        from bot.tickets.calendar_store import get_calendar as effective

        effective.cache_clear()


get_calendar = _EffectiveCalendar()


class DeadlineRule(BaseModel):
    acknowledge: int = Field(default=1, ge=0)
    resolve: int = Field(default=5, ge=0)


class DeadlineConfig(BaseModel):
    default: DeadlineRule = DeadlineRule()
    categories: dict[str, DeadlineRule] = Field(default_factory=dict)
    rectification: int = Field(default=10, ge=0)
    due_soon: int = Field(default=1, ge=0)

    def rule_for(self, category: str | None) -> DeadlineRule:
        if category and category in self.categories:
            return self.categories[category]
        return self.default


@lru_cache(maxsize=1)
def get_deadline_config() -> DeadlineConfig:
    """deadlines.yaml, with TICKETS_RECTIFICATION_DAYS / TICKETS_DUE_SOON_DAYS overriding it when set."""
    from bot.tickets.operations_config import get_operations_settings

    path = get_ticket_settings().deadlines_file
    with path.open(encoding="utf-8") as fh:
        config = DeadlineConfig.model_validate(yaml.safe_load(fh) or {})
    ops = get_operations_settings()
    if ops.rectification_days is not None:
        config = config.model_copy(update={"rectification": ops.rectification_days})
    if ops.due_soon_days is not None:
        config = config.model_copy(update={"due_soon": ops.due_soon_days})
    return config


@dataclass(frozen=True)
class Deadlines:
    ack_due: dt.date
    resolve_due: dt.date


def ticket_deadlines(
    submitted_on: dt.date, category: str | None, *, calendar: WorkCalendar, config: DeadlineConfig
) -> Deadlines:
    rule = config.rule_for(category)
    return Deadlines(
        ack_due=calendar.add_working_days(submitted_on, rule.acknowledge),
        resolve_due=calendar.add_working_days(submitted_on, rule.resolve),
    )
