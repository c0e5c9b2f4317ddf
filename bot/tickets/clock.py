"""Time for the tickets side: now, the local calendar day, and the calendar and deadline rules (``Clockwork``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from bot.tickets.config import TicketSettings, get_ticket_settings
from bot.tickets.working_days import DeadlineConfig, WorkCalendar, get_calendar, get_deadline_config


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_today(now: dt.datetime, settings: TicketSettings | None = None) -> dt.date:
    settings = settings or get_ticket_settings()
    return now.astimezone(ZoneInfo(settings.timezone)).date()


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight of a local calendar day, as an aware datetime (for created-at ranges)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(get_ticket_settings().timezone))


@dataclass(frozen=True)
class Clockwork:
    """The calendar and rules a service call needs (injected in tests)."""

    calendar: WorkCalendar
    deadlines: DeadlineConfig

    @classmethod
    def default(cls) -> Clockwork:
        return cls(get_calendar(), get_deadline_config())
