"""The holiday and 调休 calendar as the service uses it: the shipped file, with the years an admin
maintains in the database on top (a database year replaces the file's year), and its coverage.

Admins import the State Council's notice as lines of dates (``parse_notice``); nothing is invented for
a year no notice was imported for: such days count Monday–Friday and the coverage check says so.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import get_engine, get_sessionmaker
from bot.tickets.config import get_ticket_settings
from bot.tickets.operations_config import get_operations_settings
from bot.tickets.operations_models import CalendarDay, CalendarYear
from bot.tickets.working_days import WorkCalendar, parse_calendar

logger = logging.getLogger(__name__)

HOLIDAY = "holiday"
WORKDAY = "workday"


def shipped_data() -> dict[int, dict[str, Any]]:
    with get_ticket_settings().holidays_file.open(encoding="utf-8") as fh:
        raw = yaml.safe_load(fh) or {}
    return {int(year): block for year, block in raw.items()}


def _blocks(years: list[tuple[int, str]], days: list[tuple[Any, int, str, str]]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {
        int(year): {"source": source, "holidays": [], "workdays": [], "origin": "database"} for year, source in years
    }
    for raw_day, year, kind, name in days:
        block = out.get(int(year))
        if block is None:
            continue
        day = raw_day if isinstance(raw_day, dt.date) else dt.date.fromisoformat(str(raw_day))
        if kind == HOLIDAY:
            block["holidays"].append({"name": name, "from": day, "to": day})
        else:
            block["workdays"].append(day)
    return out


def database_data(db: Session) -> dict[int, dict[str, Any]]:
    years = [(y.year, y.source) for y in db.scalars(select(CalendarYear))]
    days = [(d.day, d.year, d.kind, d.name) for d in db.scalars(select(CalendarDay).order_by(CalendarDay.day))]
    return _blocks(years, days)


def _read_database_data() -> dict[int, dict[str, Any]]:
    """The maintained years without taking a write lock: on SQLite every ORM transaction starts with
    BEGIN IMMEDIATE (bot.db), and the request that asks for the calendar may already hold that lock."""
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        with get_sessionmaker()() as db:
            return database_data(db)
    raw = engine.raw_connection()  # autocommit DBAPI connection: plain SELECTs, WAL snapshot reads
    try:
        cur = raw.cursor()
        years = cur.execute("SELECT year, source FROM calendar_years").fetchall()
        days = cur.execute("SELECT day, year, kind, name FROM calendar_days ORDER BY day").fetchall()
        cur.close()
    finally:
        raw.close()
    return _blocks(years, days)


def merged_data(db: Session | None) -> dict[int, dict[str, Any]]:
    data = {year: {**block, "origin": "file"} for year, block in shipped_data().items()}
    if db is not None:
        data.update(database_data(db))
    return data


def load_effective(db: Session | None) -> WorkCalendar:
    return parse_calendar(merged_data(db))


class _CalendarCache:
    """``get_calendar()``: the effective calendar, re-read from the database at most every CALENDAR_CACHE_S
    (so an import on one replica reaches the others); the shipped file alone if the database fails."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._value: WorkCalendar | None = None
        self._at = 0.0

    def __call__(self) -> WorkCalendar:
        ttl = get_operations_settings().calendar_cache_s
        with self._lock:
            if self._value is not None and time.monotonic() - self._at < ttl:
                return self._value
        try:
            data = {year: {**block, "origin": "file"} for year, block in shipped_data().items()}
            data.update(_read_database_data())
            value = parse_calendar(data)
        except Exception as exc:  # no database (yet): the shipped file still gives the known years
            logger.warning("holiday calendar from the database unavailable (%s); using the shipped file", exc)
            value = load_effective(None)
        with self._lock:
            self._value, self._at = value, time.monotonic()
        return value

    def cache_clear(self) -> None:
        with self._lock:
            self._value = None


get_calendar = _CalendarCache()


# ---- coverage ----


@dataclass(frozen=True)
class Coverage:
    ok: bool
    today: dt.date
    horizon_end: dt.date
    covered_until: dt.date | None  # last day of the last consecutive covered year from today's year
    missing_years: list[int]

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "today": self.today.isoformat(),
            "horizon_end": self.horizon_end.isoformat(),
            "covered_until": self.covered_until.isoformat() if self.covered_until else None,
            "missing_years": self.missing_years,
        }


def coverage(calendar: WorkCalendar, today: dt.date, *, horizon_days: int | None = None) -> Coverage:
    """Does the calendar cover every day from today to today + horizon (90 days by default)?"""
    horizon = horizon_days if horizon_days is not None else get_operations_settings().calendar_horizon_days
    end = today + dt.timedelta(days=horizon)
    missing = [y for y in range(today.year, end.year + 1) if y not in calendar.years]
    year = today.year
    while year in calendar.years:
        year += 1
    covered_until = dt.date(year - 1, 12, 31) if year > today.year else None
    return Coverage(ok=not missing, today=today, horizon_end=end, covered_until=covered_until, missing_years=missing)


# ---- admin import ----


class NoticeError(ValueError):
    """The pasted notice has a line that is not a holiday or make-up day of the year."""


_DATE = r"(\d{4})[-./年](\d{1,2})[-./月](\d{1,2})日?"
_LINE = re.compile(rf"^\s*(放假|休|上班|班)\s*[:：]?\s*{_DATE}(?:\s*(?:至|到|~|～|—|-{{1,2}})\s*{_DATE})?\s*(.*)$")


def _date(y: str, m: str, d: str) -> dt.date:
    return dt.date(int(y), int(m), int(d))


@dataclass(frozen=True)
class ParsedNotice:
    holidays: list[tuple[dt.date, str]]
    workdays: list[tuple[dt.date, str]]


def parse_notice(year: int, text: str) -> ParsedNotice:
    """Lines such as ``放假 2026-02-15 至 2026-02-23 春节`` and ``上班 2026-02-14 春节调休`` (the 2026 notice);
    blank lines and ``#`` comments are skipped. Every date must fall in ``year``; no day may be both."""
    holidays: dict[dt.date, str] = {}
    workdays: dict[dt.date, str] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.strip().startswith("#"):
            continue
        m = _LINE.match(line)
        if not m:
            raise NoticeError(f"第{number}行无法识别 line {number}: {line.strip()[:60]}")
        kind, *parts = m.groups()
        try:
            start = _date(*parts[0:3])
            end = _date(*parts[3:6]) if parts[3] else start
        except ValueError as exc:
            raise NoticeError(f"第{number}行日期无效 line {number}: {exc}") from None
        name = (parts[6] or "").strip()[:64]
        if end < start or (end - start).days > 15:
            raise NoticeError(f"第{number}行日期范围无效 line {number}")
        if start.year != year or end.year != year:
            raise NoticeError(f"第{number}行日期不在{year}年 line {number}: not in {year}")
        target = holidays if kind in ("放假", "休") else workdays
        day = start
        while day <= end:
            target[day] = name
            day += dt.timedelta(days=1)
    clash = sorted(set(holidays) & set(workdays))
    if clash:
        raise NoticeError(f"既是放假又是上班 both holiday and workday: {', '.join(d.isoformat() for d in clash)}")
    if not holidays:
        raise NoticeError("没有放假日期 no holiday listed")
    return ParsedNotice(sorted(holidays.items()), sorted(workdays.items()))


def save_year(db: Session, year: int, notice: ParsedNotice, *, source: str, actor: str, now: dt.datetime) -> None:
    """Replace the year in the database (it then overrides the shipped file's year) and commit."""
    db.execute(delete(CalendarDay).where(CalendarDay.year == year))
    row = db.get(CalendarYear, year)
    if row is None:
        row = CalendarYear(year=year, source=source, updated_at=now, updated_by=actor)
        db.add(row)
    else:
        row.source, row.updated_at, row.updated_by = source, now, actor
    db.flush()
    for day, name in notice.holidays:
        db.add(CalendarDay(day=day, year=year, kind=HOLIDAY, name=name))
    for day, name in notice.workdays:
        db.add(CalendarDay(day=day, year=year, kind=WORKDAY, name=name))
    db.commit()
    get_calendar.cache_clear()
    logger.info(
        "holiday calendar %s saved by %s (%d holidays, %d workdays)",
        year,
        actor,
        len(notice.holidays),
        len(notice.workdays),
    )


def remove_year(db: Session, year: int) -> bool:
    """Drop the database's year (the shipped file's year, if any, applies again)."""
    row = db.get(CalendarYear, year)
    if row is None:
        return False
    db.execute(delete(CalendarDay).where(CalendarDay.year == year))
    db.delete(row)
    db.commit()
    get_calendar.cache_clear()
    return True
