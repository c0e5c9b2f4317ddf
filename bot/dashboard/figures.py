"""The dashboard's figures, computed from ``chat_turns``, ``tickets``, ``ticket_events`` and ``rectifications``.

One call computes every figure for a period (local calendar days, both ends included) and an optional
office; each figure is also a table (``tables``) so that every one can be exported as CSV.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, distinct, func, select
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn
from bot.dashboard import texts
from bot.tickets.config import get_ticket_settings
from bot.tickets.enums import BAD_RATINGS, EventKind, Rating, RectificationStatus, TicketStatus
from bot.tickets.models import Rectification, Ticket, TicketEvent
from bot.tickets.routing import get_item_categories, get_routing, route
from bot.tickets.working_days import WorkCalendar

logger = logging.getLogger(__name__)

QUESTION_KINDS = ("answer", "clarify", "no_answer", "out_of_scope")
GOOD_RATINGS = (Rating.very_satisfied.value, Rating.satisfied.value, Rating.basically_satisfied.value)


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # included

    def days(self) -> list[dt.date]:
        return [self.start + dt.timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class WorkdayIndex:
    """Working days between two dates in O(1): cumulative counts over a span of the calendar."""

    def __init__(self, calendar: WorkCalendar, start: dt.date, end: dt.date) -> None:
        self.calendar = calendar
        self.start = start
        self.cum: dict[dt.date, int] = {}
        count = 0
        day = start
        while day <= end:
            if calendar.is_working_day(day):
                count += 1
            self.cum[day] = count
            day += dt.timedelta(days=1)

    def between(self, a: dt.date, b: dt.date) -> int:
        """Working days in (a, b], as ``WorkCalendar.working_days_between``."""
        if a in self.cum and b in self.cum:
            return self.cum[b] - self.cum[a]
        return self.calendar.working_days_between(a, b)


def _ratio(num: int, den: int) -> float | None:
    return round(num / den, 4) if den else None


def _local_start(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz)


def office_items(office: str, codes: list[str]) -> set[str]:
    table, categories = get_routing(), get_item_categories()
    return {c for c in codes if route(c, "", table=table, item_categories=categories).office == office}


# ---- questions ----


def question_figures(db: Session, period: Period, office: str | None) -> dict[str, Any]:
    in_period = and_(ChatTurn.day >= period.start, ChatTurn.day <= period.end)
    scope = in_period
    if office:
        codes = [c for c in db.scalars(select(ChatTurn.item_code).where(in_period).distinct()) if c]
        scope = and_(in_period, ChatTurn.item_code.in_(sorted(office_items(office, codes)) or [""]))

    def count(stmt: Select[Any]) -> int:
        return int(db.scalar(stmt) or 0)

    conversations = count(select(func.count(distinct(ChatTurn.session_hash))).where(scope))
    rows = db.execute(
        select(ChatTurn.day, ChatTurn.kind, ChatTurn.answer_source, ChatTurn.no_answer_reason, func.count())
        .where(scope)
        .group_by(ChatTurn.day, ChatTurn.kind, ChatTurn.answer_source, ChatTurn.no_answer_reason)
    ).all()
    totals: Counter[str] = Counter()
    series: dict[str, Counter[dt.date]] = {k: Counter() for k in ("questions", "answered", "no_answer", "handoff")}
    for day, kind, source, reason, n in rows:
        if kind in QUESTION_KINDS:
            totals["questions"] += n
            series["questions"][day] += n
        if kind == "answer":
            totals["answered_policy" if source == "policy" else "answered_guide"] += n
            series["answered"][day] += n
        elif kind == "clarify":
            totals["clarified"] += n
        elif kind == "no_answer":
            totals["no_answer_other_dept" if reason == "other_dept" else "no_answer_kb"] += n
            series["no_answer"][day] += n
        if kind in ("handoff", "escalate"):
            totals["handoff"] += n
            series["handoff"][day] += n
    top = db.execute(
        select(ChatTurn.question_masked, func.count().label("n"))
        .where(scope, ChatTurn.kind == "no_answer", ChatTurn.question_masked.is_not(None))
        .group_by(ChatTurn.question_masked)
        .order_by(func.count().desc(), ChatTurn.question_masked)
        .limit(10)
    ).all()
    by_item = db.execute(
        select(ChatTurn.item_code, func.count())
        .where(scope, ChatTurn.kind == "answer", ChatTurn.item_code.is_not(None))
        .group_by(ChatTurn.item_code)
        .order_by(func.count().desc(), ChatTurn.item_code)
        .limit(15)
    ).all()
    keys = ("questions", "answered_guide", "answered_policy", "clarified", "no_answer_kb", "no_answer_other_dept")
    return {
        "conversations": conversations,
        **{k: totals[k] for k in keys},
        "handoff": totals["handoff"],
        "feedback": None,
        "top_unanswered": [{"question": q, "count": n} for q, n in top],
        "answers_by_item": [{"item": c, "count": n} for c, n in by_item],
        "series": {k: [v[d] for d in period.days()] for k, v in series.items()},
    }


# ---- tickets ----


def _local_date(at: dt.datetime | None, tz: ZoneInfo) -> dt.date | None:
    return at.astimezone(tz).date() if at is not None else None


def ticket_figures(
    db: Session, period: Period, office: str | None, *, today: dt.date, calendar: WorkCalendar, due_soon_days: int
) -> dict[str, Any]:
    tz = ZoneInfo(get_ticket_settings().timezone)
    start, end = _local_start(period.start, tz), _local_start(period.end + dt.timedelta(days=1), tz)
    office_clause = [Ticket.office == office] if office else []

    received = db.execute(
        select(Ticket.created_at, Ticket.item_name, Ticket.office).where(
            Ticket.created_at >= start, Ticket.created_at < end, *office_clause
        )
    ).all()
    per_day: Counter[dt.date] = Counter()
    by_item: Counter[str] = Counter()
    by_office: Counter[str] = Counter()
    for created_at, item_name, office_name in received:
        per_day[created_at.astimezone(tz).date()] += 1
        by_item[item_name] += 1
        by_office[office_name] += 1

    closed = db.execute(
        select(Ticket.created_at, Ticket.closed_at, Ticket.resolve_due).where(
            Ticket.status == TicketStatus.closed.value,
            Ticket.closed_at >= start,
            Ticket.closed_at < end,
            *office_clause,
        )
    ).all()
    closed_per_day: Counter[dt.date] = Counter()
    span_start = min([period.start, *(c.astimezone(tz).date() for c, _, _ in closed)])
    index = WorkdayIndex(calendar, span_start, max(period.end, today))
    on_time = 0
    handling: list[int] = []
    for created_at, closed_at, resolve_due in closed:
        closed_day = closed_at.astimezone(tz).date()
        closed_per_day[closed_day] += 1
        on_time += closed_day <= resolve_due
        handling.append(index.between(created_at.astimezone(tz).date(), closed_day))

    open_rows = db.execute(
        select(Ticket.status, Ticket.ack_due, Ticket.resolve_due, Ticket.paused_at).where(
            Ticket.status != TicketStatus.closed.value, *office_clause
        )
    ).all()
    soon_limit = calendar.add_working_days(today, due_soon_days)
    overdue = due_soon = 0
    for status, ack_due, resolve_due, paused_at in open_rows:
        if paused_at is not None:
            continue
        late = today > resolve_due or (status == TicketStatus.submitted.value and today > ack_due)
        overdue += late
        due_soon += (not late) and resolve_due <= soon_limit

    forwarded = int(
        db.scalar(
            select(func.count(distinct(TicketEvent.ticket_id)))
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(
                TicketEvent.kind == EventKind.forward.value,
                Ticket.created_at >= start,
                Ticket.created_at < end,
                *office_clause,
            )
        )
        or 0
    )
    reopened = int(
        db.scalar(
            select(func.count())
            .select_from(TicketEvent)
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(
                TicketEvent.kind == EventKind.status.value,
                TicketEvent.from_status == TicketStatus.closed.value,
                TicketEvent.at >= start,
                TicketEvent.at < end,
                *office_clause,
            )
        )
        or 0
    )
    return {
        "tickets_received": len(received),
        "tickets_by_item": [{"item": k, "count": n} for k, n in by_item.most_common(15)],
        "tickets_by_office": [{"office": k, "count": n} for k, n in sorted(by_office.items(), key=lambda x: -x[1])],
        "tickets_in_progress": len(open_rows),
        "tickets_overdue": overdue,
        "tickets_due_soon": due_soon,
        "tickets_closed": len(closed),
        "on_time_rate": _ratio(on_time, len(closed)),
        "avg_handling_days": round(sum(handling) / len(handling), 2) if handling else None,
        "forwarded_12345": forwarded,
        "reopened": reopened,
        "series": {
            "tickets_received": [per_day[d] for d in period.days()],
            "tickets_closed": [closed_per_day[d] for d in period.days()],
        },
    }


# ---- ratings ----


def rating_figures(db: Session, period: Period, office: str | None, *, today: dt.date) -> dict[str, Any]:
    tz = ZoneInfo(get_ticket_settings().timezone)
    start, end = _local_start(period.start, tz), _local_start(period.end + dt.timedelta(days=1), tz)
    office_clause = [Ticket.office == office] if office else []
    rated = db.execute(
        select(
            Ticket.rating,
            Ticket.contact_masked,
            Rectification.status,
            Rectification.due,
            Rectification.closed_at,
            Rectification.callback_note,
        )
        .outerjoin(Rectification, Rectification.ticket_id == Ticket.id)
        .where(Ticket.rated_at >= start, Ticket.rated_at < end, Ticket.rating.is_not(None), *office_clause)
    ).all()
    dist: Counter[str] = Counter()
    bad = good = 0
    rect_on_time = rect_den = 0
    real_name_bad = called_back = 0
    for rating, contact, rect_status, rect_due, rect_closed, callback in rated:
        dist[rating] += 1
        good += rating in GOOD_RATINGS
        if rating in {r.value for r in BAD_RATINGS}:
            bad += 1
            if contact:
                real_name_bad += 1
                called_back += bool(callback and callback.strip())
        if rect_due is not None:
            if rect_status == RectificationStatus.closed.value:
                rect_den += 1
                rect_on_time += bool(rect_closed and rect_closed.astimezone(tz).date() <= rect_due)
            elif today > rect_due:
                rect_den += 1
    return {
        "ratings_received": len(rated),
        "rating_distribution": [{"rating": r.value, "count": dist[r.value]} for r in Rating],
        "good_rate": _ratio(good, len(rated)),
        "bad_count": bad,
        "rectification_on_time": _ratio(rect_on_time, rect_den),
        "callback_rate": _ratio(called_back, real_name_bad),
    }


# ---- everything, and the tables behind the CSV export ----


def all_figures(
    db: Session, period: Period, office: str | None, *, today: dt.date, calendar: WorkCalendar, due_soon_days: int
) -> dict[str, Any]:
    q = question_figures(db, period, office)
    t = ticket_figures(db, period, office, today=today, calendar=calendar, due_soon_days=due_soon_days)
    r = rating_figures(db, period, office, today=today)
    return {
        "period": {"from": period.start.isoformat(), "to": period.end.isoformat()},
        "office": office,
        "today": today.isoformat(),
        "days": [d.isoformat() for d in period.days()],
        "questions": q,
        "tickets": t,
        "ratings": r,
        "definitions": {k: {"label": label, "definition": d} for k, (label, d) in texts.FIGURES.items()},
        "series_labels": texts.SERIES,
    }


def tables(figures: dict[str, Any]) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Every figure as a (header, rows) table, keyed by the name the CSV export takes."""
    q, t, r = figures["questions"], figures["tickets"], figures["ratings"]
    defs = texts.FIGURES

    def scalar_rows(keys: list[str], source: dict[str, Any]) -> list[list[Any]]:
        return [[k, defs[k][0], "" if source[k] is None else source[k], defs[k][1]] for k in keys]

    head = ["figure", "名称", "value", "定义"]
    days = figures["days"]
    out: dict[str, tuple[list[str], list[list[Any]]]] = {
        "questions_summary": (
            head,
            [
                *scalar_rows(
                    [
                        "conversations",
                        "questions",
                        "answered_guide",
                        "answered_policy",
                        "clarified",
                        "no_answer_kb",
                        "no_answer_other_dept",
                        "handoff",
                    ],
                    q,
                ),
                ["feedback", defs["feedback"][0], texts.FEEDBACK_OFF, defs["feedback"][1]],
            ],
        ),
        "questions_by_day": (
            ["day", *q["series"].keys()],
            [[d, *(q["series"][k][i] for k in q["series"])] for i, d in enumerate(days)],
        ),
        "top_unanswered": (["question", "count"], [[x["question"], x["count"]] for x in q["top_unanswered"]]),
        "answers_by_item": (["item_code", "count"], [[x["item"], x["count"]] for x in q["answers_by_item"]]),
        "tickets_summary": (
            head,
            scalar_rows(
                [
                    "tickets_received",
                    "tickets_in_progress",
                    "tickets_overdue",
                    "tickets_due_soon",
                    "on_time_rate",
                    "avg_handling_days",
                    "forwarded_12345",
                    "reopened",
                ],
                t,
            ),
        ),
        "tickets_by_day": (
            ["day", *t["series"].keys()],
            [[d, *(t["series"][k][i] for k in t["series"])] for i, d in enumerate(days)],
        ),
        "tickets_by_item": (["item", "count"], [[x["item"], x["count"]] for x in t["tickets_by_item"]]),
        "tickets_by_office": (["office", "count"], [[x["office"], x["count"]] for x in t["tickets_by_office"]]),
        "ratings_summary": (
            head,
            scalar_rows(["ratings_received", "good_rate", "bad_count", "rectification_on_time", "callback_rate"], r),
        ),
        "rating_distribution": (["rating", "count"], [[x["rating"], x["count"]] for x in r["rating_distribution"]]),
    }
    return out
