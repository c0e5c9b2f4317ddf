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

from sqlalchemy import and_, distinct, func, or_, select
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn, ChatTurnRollup
from bot.dashboard import texts
from bot.feedback.models import AnswerFeedbackRollup
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
    """From ``chat_turn_rollup`` (daily counts); the top unanswered questions from ``chat_turns``."""
    scope: list[Any] = [ChatTurnRollup.day >= period.start, ChatTurnRollup.day <= period.end]
    codes: set[str] | None = None
    if office:
        seen = [c for c in db.scalars(select(ChatTurnRollup.item_code).where(*scope).distinct()) if c]
        codes = office_items(office, seen)
        scope.append(ChatTurnRollup.item_code.in_(sorted(codes)))
    rows = db.execute(
        select(
            ChatTurnRollup.day,
            ChatTurnRollup.kind,
            ChatTurnRollup.answer_source,
            ChatTurnRollup.no_answer_reason,
            func.sum(ChatTurnRollup.turns),
            func.sum(ChatTurnRollup.sessions),
        )
        .where(*scope)
        .group_by(
            ChatTurnRollup.day, ChatTurnRollup.kind, ChatTurnRollup.answer_source, ChatTurnRollup.no_answer_reason
        )
    ).all()
    totals: Counter[str] = Counter()
    series: dict[str, Counter[dt.date]] = {k: Counter() for k in ("questions", "answered", "no_answer", "handoff")}
    for raw_day, kind, source, reason, n, opened in rows:
        day = _as_date(raw_day)
        n = int(n)
        totals["conversations"] += int(opened)
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
    by_item = db.execute(
        select(ChatTurnRollup.item_code, func.sum(ChatTurnRollup.turns))
        .where(*scope, ChatTurnRollup.kind == "answer", ChatTurnRollup.item_code != "")
        .group_by(ChatTurnRollup.item_code)
        .order_by(func.sum(ChatTurnRollup.turns).desc(), ChatTurnRollup.item_code)
        .limit(15)
    ).all()
    top_scope: list[Any] = [ChatTurn.kind == "no_answer", ChatTurn.day >= period.start, ChatTurn.day <= period.end]
    if codes is not None:
        top_scope.append(ChatTurn.item_code.in_(sorted(codes)))
    top = db.execute(
        select(ChatTurn.question_masked, func.count().label("n"))
        .where(*top_scope, ChatTurn.question_masked.is_not(None))
        .group_by(ChatTurn.question_masked)
        .order_by(func.count().desc(), ChatTurn.question_masked)
        .limit(10)
    ).all()
    keys = ("questions", "answered_guide", "answered_policy", "clarified", "no_answer_kb", "no_answer_other_dept")
    return {
        "conversations": totals["conversations"],
        **{k: totals[k] for k in keys},
        "handoff": totals["handoff"],
        **feedback_figures(db, period, office),
        "top_unanswered": [{"question": q, "count": n} for q, n in top],
        "answers_by_item": [{"item": c, "count": int(n)} for c, n in by_item],
        "series": {k: [v[d] for d in period.days()] for k, v in series.items()},
    }


def feedback_figures(db: Session, period: Period, office: str | None) -> dict[str, Any]:
    """👍/👎 from ``answer_feedback_rollup``: the 👍 share of the votes cast in the period (None: no vote),
    the two counts, and the 👎 by reason. An office sees the votes on its items' answers."""
    scope: list[Any] = [AnswerFeedbackRollup.day >= period.start, AnswerFeedbackRollup.day <= period.end]
    if office:
        seen = [c for c in db.scalars(select(AnswerFeedbackRollup.item_code).where(*scope).distinct()) if c]
        scope.append(AnswerFeedbackRollup.item_code.in_(sorted(office_items(office, seen))))
    votes: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    for vote, reason, n in db.execute(
        select(AnswerFeedbackRollup.vote, AnswerFeedbackRollup.reason, func.sum(AnswerFeedbackRollup.votes))
        .where(*scope)
        .group_by(AnswerFeedbackRollup.vote, AnswerFeedbackRollup.reason)
    ):
        votes[vote] += int(n or 0)
        if vote == "down":
            reasons[reason or ""] += int(n or 0)
    return {
        "feedback": _ratio(votes["up"], votes["up"] + votes["down"]),
        "feedback_up": votes["up"],
        "feedback_down": votes["down"],
        "feedback_reasons": [
            {"reason": key, "label": label, "count": reasons[key]} for key, label in texts.FEEDBACK_REASONS.items()
        ],
    }


# ---- tickets ----


def _as_date(value: Any) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def local_day(db: Session, column: Any, tz_name: str) -> Any:
    """The local calendar day of a UTC timestamp column, computed by the database."""
    if db.get_bind().dialect.name == "postgresql":
        return func.date(func.timezone(tz_name, column))
    # SQLite keeps naive UTC text; the zones this serves (Asia/Shanghai) have a fixed offset.
    offset = ZoneInfo(tz_name).utcoffset(dt.datetime(2026, 1, 1)) or dt.timedelta(0)
    return func.date(column, f"{int(offset.total_seconds()):+d} seconds")


def ticket_figures(
    db: Session, period: Period, office: str | None, *, today: dt.date, calendar: WorkCalendar, due_soon_days: int
) -> dict[str, Any]:
    tz_name = get_ticket_settings().timezone
    tz = ZoneInfo(tz_name)
    start, end = _local_start(period.start, tz), _local_start(period.end + dt.timedelta(days=1), tz)
    office_clause = [Ticket.office == office] if office else []
    received_scope = [Ticket.created_at >= start, Ticket.created_at < end, *office_clause]
    created_day = local_day(db, Ticket.created_at, tz_name)

    per_day = {
        _as_date(d): int(n)
        for d, n in db.execute(select(created_day, func.count()).where(*received_scope).group_by(created_day))
    }
    by_item = db.execute(
        select(Ticket.item_name, func.count())
        .where(*received_scope)
        .group_by(Ticket.item_name)
        .order_by(func.count().desc(), Ticket.item_name)
        .limit(15)
    ).all()
    by_office = db.execute(
        select(Ticket.office, func.count())
        .where(*received_scope)
        .group_by(Ticket.office)
        .order_by(func.count().desc(), Ticket.office)
    ).all()

    closed_day = local_day(db, Ticket.closed_at, tz_name)
    closed = [
        (_as_date(c), _as_date(d), _as_date(due), int(n))
        for c, d, due, n in db.execute(
            select(created_day, closed_day, Ticket.resolve_due, func.count())
            .where(
                Ticket.status == TicketStatus.closed.value,
                Ticket.closed_at >= start,
                Ticket.closed_at < end,
                *office_clause,
            )
            .group_by(created_day, closed_day, Ticket.resolve_due)
        )
    ]
    span_start = min([period.start, *(c for c, _, _, _ in closed)])
    index = WorkdayIndex(calendar, span_start, max(period.end, today))
    closed_per_day: Counter[dt.date] = Counter()
    closed_total = on_time = handling_days = 0
    for created_on, closed_on, resolve_due, n in closed:
        closed_per_day[closed_on] += n
        closed_total += n
        on_time += n if closed_on <= resolve_due else 0
        handling_days += n * index.between(created_on, closed_on)

    soon_limit = calendar.add_working_days(today, due_soon_days)
    open_scope = [Ticket.status != TicketStatus.closed.value, *office_clause]
    late = or_(Ticket.resolve_due < today, and_(Ticket.status == TicketStatus.submitted.value, Ticket.ack_due < today))

    def count(*where: Any) -> int:
        return int(db.scalar(select(func.count()).select_from(Ticket).where(*open_scope, *where)) or 0)

    in_progress = count()
    overdue = count(Ticket.paused_at.is_(None), late)
    due_soon = count(Ticket.paused_at.is_(None), ~late, Ticket.resolve_due <= soon_limit)

    forwarded = int(
        db.scalar(
            select(func.count(distinct(TicketEvent.ticket_id)))
            .join(Ticket, Ticket.id == TicketEvent.ticket_id)
            .where(TicketEvent.kind == EventKind.forward.value, *received_scope)
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
        "tickets_received": sum(per_day.values()),
        "tickets_by_item": [{"item": k, "count": int(n)} for k, n in by_item],
        "tickets_by_office": [{"office": k, "count": int(n)} for k, n in by_office],
        "tickets_in_progress": in_progress,
        "tickets_overdue": overdue,
        "tickets_due_soon": due_soon,
        "tickets_closed": closed_total,
        "on_time_rate": _ratio(on_time, closed_total),
        "avg_handling_days": round(handling_days / closed_total, 2) if closed_total else None,
        "forwarded_12345": forwarded,
        "reopened": reopened,
        "series": {
            "tickets_received": [per_day.get(d, 0) for d in period.days()],
            "tickets_closed": [closed_per_day[d] for d in period.days()],
        },
    }


# ---- ratings ----


def rating_figures(db: Session, period: Period, office: str | None, *, today: dt.date) -> dict[str, Any]:
    tz_name = get_ticket_settings().timezone
    tz = ZoneInfo(tz_name)
    start, end = _local_start(period.start, tz), _local_start(period.end + dt.timedelta(days=1), tz)
    office_clause = [Ticket.office == office] if office else []
    real_name = Ticket.contact_masked.is_not(None)
    called_back = func.coalesce(func.length(func.trim(Rectification.callback_note)), 0) > 0
    rect_closed_day = local_day(db, Rectification.closed_at, tz_name)
    rows = db.execute(
        select(
            Ticket.rating,
            real_name,
            Rectification.status,
            Rectification.due,
            rect_closed_day,
            called_back,
            func.count(),
        )
        .outerjoin(Rectification, Rectification.ticket_id == Ticket.id)
        .where(Ticket.rated_at >= start, Ticket.rated_at < end, Ticket.rating.is_not(None), *office_clause)
        .group_by(Ticket.rating, real_name, Rectification.status, Rectification.due, rect_closed_day, called_back)
    ).all()
    bad_values = {r.value for r in BAD_RATINGS}
    dist: Counter[str] = Counter()
    total = good = bad = rect_on_time = rect_den = real_name_bad = callbacks = 0
    for rating, has_contact, rect_status, rect_due, rect_closed, has_callback, n in rows:
        n = int(n)
        total += n
        dist[rating] += n
        good += n if rating in GOOD_RATINGS else 0
        if rating in bad_values:
            bad += n
            if has_contact:
                real_name_bad += n
                callbacks += n if has_callback else 0
        if rect_due is not None:
            due = _as_date(rect_due)
            if rect_status == RectificationStatus.closed.value:
                rect_den += n
                rect_on_time += n if rect_closed is not None and _as_date(rect_closed) <= due else 0
            elif today > due:
                rect_den += n
    return {
        "ratings_received": total,
        "rating_distribution": [{"rating": r.value, "count": dist[r.value]} for r in Rating],
        "good_rate": _ratio(good, total),
        "bad_count": bad,
        "rectification_on_time": _ratio(rect_on_time, rect_den),
        "callback_rate": _ratio(callbacks, real_name_bad),
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
                        "feedback",
                        "feedback_up",
                        "feedback_down",
                    ],
                    q,
                ),
            ],
        ),
        "feedback_reasons": (
            ["reason", "名称", "count"],
            [[x["reason"] or "none", x["label"], x["count"]] for x in q["feedback_reasons"]],
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
