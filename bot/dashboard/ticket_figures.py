"""The dashboard's 办不成事 and 好差评 figures: aggregate queries over ``tickets``, ``ticket_events`` and
``rectifications``.

Every query returns at most one row per day (or per office × item), never one per ticket, and reads a covering
index (migration 0009), so a year of 10,000 tickets costs a few milliseconds. Queries run through the
session's Core connection: the rows are plain tuples, with no ORM row processing.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Executable, and_, case, distinct, func, or_, select
from sqlalchemy.orm import Session

from bot.dashboard.periods import Period, WorkdayIndex, as_date, local_day, local_start, ratio
from bot.tickets.config import get_ticket_settings
from bot.tickets.enums import BAD_RATINGS, EventKind, Rating, RectificationStatus, TicketStatus
from bot.tickets.models import Rectification, Ticket, TicketEvent
from bot.tickets.working_days import WorkCalendar

GOOD_RATINGS = (Rating.very_satisfied.value, Rating.satisfied.value, Rating.basically_satisfied.value)
TOP_ITEMS = 15


def _rows(db: Session, stmt: Executable) -> list[Any]:
    """Plain result tuples through the Core connection (no ORM row processing)."""
    return list(db.connection().execute(stmt).all())


def _int(db: Session, stmt: Executable) -> int:
    return int(db.connection().execute(stmt).scalar() or 0)


def _top(counts: Counter[str], limit: int | None = None) -> list[tuple[str, int]]:
    """Largest first, ties by name (code point order, as SQLite's binary collation)."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[:limit] if limit is not None else ranked


def ticket_figures(
    db: Session, period: Period, office: str | None, *, today: dt.date, calendar: WorkCalendar, due_soon_days: int
) -> dict[str, Any]:
    tz_name = get_ticket_settings().timezone
    tz = ZoneInfo(tz_name)
    start, end = local_start(period.start, tz), local_start(period.end + dt.timedelta(days=1), tz)
    office_clause = [Ticket.office == office] if office else []
    received_scope = [Ticket.created_at >= start, Ticket.created_at < end, *office_clause]
    created_day = local_day(db, Ticket.created_at, tz_name)
    closed_day = local_day(db, Ticket.closed_at, tz_name)

    # Received: per day, and per office × item (by item and by office are sums of the latter).
    per_day = {
        as_date(d): int(n)
        for d, n in _rows(db, select(created_day, func.count()).where(*received_scope).group_by(created_day))
    }
    by_item: Counter[str] = Counter()
    by_office: Counter[str] = Counter()
    pairs = select(Ticket.office, Ticket.item_name, func.count()).where(*received_scope)
    for off, item, n in _rows(db, pairs.group_by(Ticket.office, Ticket.item_name)):
        by_item[item] += int(n)
        by_office[off] += int(n)

    # Closed in the period: per closing day (count, on time), and per creation day (for the handling time).
    closed_scope = [
        Ticket.status == TicketStatus.closed.value,
        Ticket.closed_at >= start,
        Ticket.closed_at < end,
        *office_clause,
    ]
    on_time_case = case((closed_day <= Ticket.resolve_due, 1), else_=0)
    closed_rows = [
        (as_date(d), int(n), int(ok or 0))
        for d, n, ok in _rows(
            db, select(closed_day, func.count(), func.sum(on_time_case)).where(*closed_scope).group_by(closed_day)
        )
    ]
    created_rows = [
        (as_date(d), int(n))
        for d, n in _rows(db, select(created_day, func.count()).where(*closed_scope).group_by(created_day))
    ]
    span_start = min([period.start, *(d for d, _ in created_rows)])
    index = WorkdayIndex(calendar, span_start, max(period.end, today))
    closed_per_day = {d: n for d, n, _ in closed_rows}
    closed_total = sum(n for _, n, _ in closed_rows)
    on_time = sum(ok for _, _, ok in closed_rows)
    # Σ over tickets of working days (created, closed] = Σ cum(closed day) − Σ cum(created day).
    handling_days = sum(n * index.cum(d) for d, n, _ in closed_rows) - sum(n * index.cum(d) for d, n in created_rows)

    # Open now: one pass for in progress, overdue and due soon.
    soon_limit = calendar.add_working_days(today, due_soon_days)
    late = or_(Ticket.resolve_due < today, and_(Ticket.status == TicketStatus.submitted.value, Ticket.ack_due < today))
    running = Ticket.paused_at.is_(None)
    open_row = (
        db.connection()
        .execute(
            select(
                func.count(),
                func.sum(case((and_(running, late), 1), else_=0)),
                func.sum(case((and_(running, ~late, Ticket.resolve_due <= soon_limit), 1), else_=0)),
            ).where(Ticket.status != TicketStatus.closed.value, *office_clause)
        )
        .one()
    )
    in_progress, overdue, due_soon = (int(x or 0) for x in open_row)

    forwarded = _int(
        db,
        select(func.count(distinct(TicketEvent.ticket_id)))
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(TicketEvent.kind == EventKind.forward.value, *received_scope),
    )
    reopened = _int(
        db,
        select(func.count())
        .select_from(TicketEvent)
        .join(Ticket, Ticket.id == TicketEvent.ticket_id)
        .where(
            TicketEvent.kind == EventKind.status.value,
            TicketEvent.from_status == TicketStatus.closed.value,
            TicketEvent.at >= start,
            TicketEvent.at < end,
            *office_clause,
        ),
    )
    return {
        "tickets_received": sum(per_day.values()),
        "tickets_by_item": [{"item": k, "count": n} for k, n in _top(by_item, TOP_ITEMS)],
        "tickets_by_office": [{"office": k, "count": n} for k, n in _top(by_office)],
        "tickets_in_progress": in_progress,
        "tickets_overdue": overdue,
        "tickets_due_soon": due_soon,
        "tickets_closed": closed_total,
        "on_time_rate": ratio(on_time, closed_total),
        "avg_handling_days": round(handling_days / closed_total, 2) if closed_total else None,
        "forwarded_12345": forwarded,
        "reopened": reopened,
        "series": {
            "tickets_received": [per_day.get(d, 0) for d in period.days()],
            "tickets_closed": [closed_per_day.get(d, 0) for d in period.days()],
        },
    }


def rating_figures(db: Session, period: Period, office: str | None, *, today: dt.date) -> dict[str, Any]:
    """Ratings from the tickets' covering index; 整改 and call-backs from the (few) rectifications, joined to their
    ticket by primary key — never a join of every rated ticket."""
    tz_name = get_ticket_settings().timezone
    tz = ZoneInfo(tz_name)
    start, end = local_start(period.start, tz), local_start(period.end + dt.timedelta(days=1), tz)
    rated_scope = [
        Ticket.rated_at >= start,
        Ticket.rated_at < end,
        Ticket.rating.is_not(None),
        *([Ticket.office == office] if office else []),
    ]
    real_name = Ticket.contact_masked.is_not(None)
    bad_values = {r.value for r in BAD_RATINGS}
    dist: Counter[str] = Counter()
    total = good = bad = real_name_bad = 0
    for rating, has_contact, n in _rows(
        db, select(Ticket.rating, real_name, func.count()).where(*rated_scope).group_by(Ticket.rating, real_name)
    ):
        n = int(n)
        total += n
        dist[rating] += n
        good += n if rating in GOOD_RATINGS else 0
        if rating in bad_values:
            bad += n
            real_name_bad += n if has_contact else 0

    called_back = func.coalesce(func.length(func.trim(Rectification.callback_note)), 0) > 0
    rect_closed_day = local_day(db, Rectification.closed_at, tz_name)
    group = (Ticket.rating, real_name, Rectification.status, Rectification.due, rect_closed_day, called_back)
    rect_rows = _rows(
        db,
        select(*group, func.count())
        .select_from(Rectification)
        .join(Ticket, Ticket.id == Rectification.ticket_id)
        .where(*rated_scope)
        .group_by(*group),
    )
    rect_on_time = rect_den = callbacks = 0
    for rating, has_contact, rect_status, rect_due, rect_closed, has_callback, n in rect_rows:
        n = int(n)
        if rating in bad_values and has_contact and has_callback:
            callbacks += n
        due = as_date(rect_due)
        if rect_status == RectificationStatus.closed.value:
            rect_den += n
            rect_on_time += n if rect_closed is not None and as_date(rect_closed) <= due else 0
        elif today > due:
            rect_den += n
    return {
        "ratings_received": total,
        "rating_distribution": [{"rating": r.value, "count": dist[r.value]} for r in Rating],
        "good_rate": ratio(good, total),
        "bad_count": bad,
        "rectification_on_time": ratio(rect_on_time, rect_den),
        "callback_rate": ratio(callbacks, real_name_bad),
    }
