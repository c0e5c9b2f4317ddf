"""The dashboard's figures, computed from ``chat_turns``, ``tickets``, ``ticket_events`` and ``rectifications``.

One call computes every figure for a period (local calendar days, both ends included) and an optional
office; each figure is also a table (``tables``) so that every one can be exported as CSV.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn, ChatTurnDaily, ChatTurnRollup
from bot.dashboard import texts
from bot.dashboard.periods import Period, as_date, ratio
from bot.dashboard.ticket_figures import rating_figures, ticket_figures
from bot.feedback.models import AnswerFeedbackRollup
from bot.tickets.routing import get_item_categories, get_routing, route
from bot.tickets.working_days import WorkCalendar

logger = logging.getLogger(__name__)

QUESTION_KINDS = ("answer", "clarify", "no_answer", "out_of_scope")


def office_items(office: str, codes: list[str]) -> set[str]:
    table, categories = get_routing(), get_item_categories()
    return {c for c in codes if route(c, "", table=table, item_categories=categories).office == office}


# ---- questions ----


def question_figures(db: Session, period: Period, office: str | None) -> dict[str, Any]:
    """From the daily rollups (``chat_turn_daily``, ``chat_turn_rollup``); the top unanswered questions from
    ``chat_turns``."""
    scope: list[Any] = [ChatTurnRollup.day >= period.start, ChatTurnRollup.day <= period.end]
    codes: set[str] | None = None
    if office:
        distinct_codes = select(ChatTurnRollup.item_code).where(*scope).distinct()
        seen = [c for c in db.connection().execute(distinct_codes).scalars() if c]
        codes = office_items(office, seen)
        scope.append(ChatTurnRollup.item_code.in_(sorted(codes)))
    # The whole service: ``chat_turn_daily`` (no item, a few rows per day); one office: the per-item rollup.
    daily: Any = ChatTurnDaily if codes is None else ChatTurnRollup
    day_scope = scope if codes is not None else [daily.day >= period.start, daily.day <= period.end]
    group = (daily.day, daily.kind, daily.answer_source, daily.no_answer_reason)
    rows = (
        db.connection()
        .execute(select(*group, func.sum(daily.turns), func.sum(daily.sessions)).where(*day_scope).group_by(*group))
        .all()
    )
    totals: Counter[str] = Counter()
    series: dict[str, Counter[dt.date]] = {k: Counter() for k in ("questions", "answered", "no_answer", "handoff")}
    for raw_day, kind, source, reason, n, opened in rows:
        day = as_date(raw_day)
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
    by_item = (
        db.connection()
        .execute(
            select(ChatTurnRollup.item_code, func.sum(ChatTurnRollup.turns))
            .where(*scope, ChatTurnRollup.kind == "answer", ChatTurnRollup.item_code != "")
            .group_by(ChatTurnRollup.item_code)
            .order_by(func.sum(ChatTurnRollup.turns).desc(), ChatTurnRollup.item_code)
            .limit(15)
        )
        .all()
    )
    top_scope: list[Any] = [ChatTurn.kind == "no_answer", ChatTurn.day >= period.start, ChatTurn.day <= period.end]
    if codes is not None:
        top_scope.append(ChatTurn.item_code.in_(sorted(codes)))
    top = (
        db.connection()
        .execute(
            select(ChatTurn.question_masked, func.count().label("n"))
            .where(*top_scope, ChatTurn.question_masked.is_not(None))
            .group_by(ChatTurn.question_masked)
            .order_by(func.count().desc(), ChatTurn.question_masked)
            .limit(10)
        )
        .all()
    )
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


# ---- everything, and the tables behind the CSV export ----


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
        "feedback": ratio(votes["up"], votes["up"] + votes["down"]),
        "feedback_up": votes["up"],
        "feedback_down": votes["down"],
        "feedback_reasons": [
            {"reason": key, "label": label, "count": reasons[key]} for key, label in texts.FEEDBACK_REASONS.items()
        ],
    }


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
