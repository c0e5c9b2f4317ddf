"""The dashboard's ticket and rating figures (aggregate queries over covering indexes, handling time from
per-day counts) equal a per-ticket computation of each definition, on random tickets with reroutes, pauses,
reopened and closed tickets, ratings and 整改 records, for the whole service and for one office."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.dashboard.periods import Period
from bot.dashboard.ticket_figures import rating_figures, ticket_figures
from bot.db import session_scope
from bot.tickets.enums import Rating, TicketStatus
from bot.tickets.models import Rectification, Ticket
from bot.tickets.working_days import WorkCalendar, get_calendar

TZ = ZoneInfo("Asia/Shanghai")
OFFICES = ["行政审批科", "医政医管科", "妇幼健康科"]
ITEMS = ["护士执业注册", "医师执业注册", "出生医学证明", "母婴保健技术"]
TODAY = dt.date(2026, 3, 10)
PERIOD = Period(dt.date(2026, 1, 5), dt.date(2026, 3, 8))  # across the Spring Festival 2026
RATINGS = [r.value for r in Rating]
BAD = {Rating.dissatisfied.value, Rating.very_dissatisfied.value}


def _local_day(at: dt.datetime) -> dt.date:
    return at.astimezone(TZ).date()


def _seed(rng: random.Random) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in range(400):
        created = dt.datetime(2025, 12, 20, tzinfo=dt.UTC) + dt.timedelta(minutes=rng.randrange(0, 85 * 24 * 60))
        day = _local_day(created)
        closed_at = created + dt.timedelta(hours=rng.randrange(5, 400)) if rng.random() < 0.6 else None
        closed = closed_at is not None and _local_day(closed_at) <= TODAY
        rated_at = (
            closed_at + dt.timedelta(hours=rng.randrange(1, 60))
            if closed and closed_at and rng.random() < 0.7
            else None
        )
        rows.append(
            {
                "number": f"T-{n:05d}",
                "office": rng.choice(OFFICES),
                "item_name": rng.choice(ITEMS),
                "created_at": created,
                "status": TicketStatus.closed.value if closed else rng.choice([s.value for s in TicketStatus][:4]),
                "closed_at": closed_at if closed else None,
                "ack_due": day + dt.timedelta(days=rng.randrange(0, 3)),
                "resolve_due": day + dt.timedelta(days=rng.randrange(2, 20)),
                "paused_at": created if not closed and rng.random() < 0.15 else None,
                "contact_masked": "138****0000" if rng.random() < 0.6 else None,
                "rating": rng.choice(RATINGS) if rated_at else None,
                "rated_at": rated_at,
            }
        )
    return rows


def _rect(rng: random.Random, row: dict[str, Any]) -> dict[str, Any] | None:
    if row["rating"] not in BAD:
        return None
    opened = row["rated_at"]
    done = rng.random() < 0.6
    return {
        "due": _local_day(opened) + dt.timedelta(days=rng.randrange(3, 25)),
        "status": "closed" if done else "open",
        "closed_at": opened + dt.timedelta(hours=rng.randrange(2, 500)) if done else None,
        "callback_note": rng.choice(["已电话回访", None, ""]) if done else rng.choice([None, "约定回访"]),
    }


def _expected(rows: list[dict[str, Any]], rects: dict[str, dict[str, Any]], office: str | None, cal: WorkCalendar):
    mine = [r for r in rows if office is None or r["office"] == office]
    received = [r for r in mine if PERIOD.start <= _local_day(r["created_at"]) <= PERIOD.end]
    closed = [
        r
        for r in mine
        if r["status"] == TicketStatus.closed.value and PERIOD.start <= _local_day(r["closed_at"]) <= PERIOD.end
    ]
    soon = cal.add_working_days(TODAY, 2)
    open_ = [r for r in mine if r["status"] != TicketStatus.closed.value]

    def late(r: dict[str, Any]) -> bool:
        return r["resolve_due"] < TODAY or (r["status"] == TicketStatus.submitted.value and r["ack_due"] < TODAY)

    handling = [cal.working_days_between(_local_day(r["created_at"]), _local_day(r["closed_at"])) for r in closed]
    on_time = [_local_day(r["closed_at"]) <= r["resolve_due"] for r in closed]
    rated = [r for r in mine if r["rating"] and PERIOD.start <= _local_day(r["rated_at"]) <= PERIOD.end]
    bad_real = [r for r in rated if r["rating"] in BAD and r["contact_masked"]]
    called = [r for r in bad_real if (rects.get(r["number"]) or {}).get("callback_note")]
    counted = on_time_rect = 0
    for r in rated:
        rect = rects.get(r["number"])
        if rect is None:
            continue
        if rect["status"] == "closed":
            counted += 1
            on_time_rect += _local_day(rect["closed_at"]) <= rect["due"]
        elif rect["due"] < TODAY:
            counted += 1
    ratio = lambda a, b: round(a / b, 4) if b else None  # noqa: E731
    return {
        "tickets_received": len(received),
        "by_office": Counter(r["office"] for r in received),
        "by_item": Counter(r["item_name"] for r in received),
        "tickets_in_progress": len(open_),
        "tickets_overdue": sum(1 for r in open_ if r["paused_at"] is None and late(r)),
        "tickets_due_soon": sum(
            1 for r in open_ if r["paused_at"] is None and not late(r) and r["resolve_due"] <= soon
        ),
        "tickets_closed": len(closed),
        "on_time_rate": ratio(sum(on_time), len(closed)),
        "avg_handling_days": round(sum(handling) / len(closed), 2) if closed else None,
        "received_series": [sum(1 for r in received if _local_day(r["created_at"]) == d) for d in PERIOD.days()],
        "closed_series": [sum(1 for r in closed if _local_day(r["closed_at"]) == d) for d in PERIOD.days()],
        "ratings_received": len(rated),
        "distribution": Counter(r["rating"] for r in rated),
        "bad_count": sum(1 for r in rated if r["rating"] in BAD),
        "good_rate": ratio(sum(1 for r in rated if r["rating"] not in BAD), len(rated)),
        "callback_rate": ratio(len(called), len(bad_real)),
        "rectification_on_time": ratio(on_time_rect, counted),
    }


@pytest.mark.parametrize("office", [None, "行政审批科"])
def test_ticket_and_rating_figures_equal_the_definitions(tickets_env: str, office: str | None) -> None:
    rng = random.Random(20260310)
    rows = _seed(rng)
    rects: dict[str, dict[str, Any]] = {}
    with session_scope() as db:
        for r in rows:
            t = Ticket(
                **r,
                session_id=f"s-{r['number']}",
                idempotency_key="k",
                item_code=None,
                routed_by="item",
                description="办不成",
                excerpt=[],
                updated_at=r["created_at"],
            )
            db.add(t)
            db.flush()
            rect = _rect(rng, r)
            if rect is not None:
                rects[r["number"]] = rect
                db.add(Rectification(ticket_id=t.id, opened_at=r["rated_at"], **rect))
        db.commit()
    cal = get_calendar()
    exp = _expected(rows, rects, office, cal)
    assert exp["tickets_closed"] > 20 and exp["ratings_received"] > 10 and exp["tickets_overdue"] > 0  # non-trivial
    with session_scope() as db:
        t = ticket_figures(db, PERIOD, office, today=TODAY, calendar=cal, due_soon_days=2)
        r = rating_figures(db, PERIOD, office, today=TODAY)
    for key in ("tickets_received", "tickets_in_progress", "tickets_overdue", "tickets_due_soon", "tickets_closed"):
        assert t[key] == exp[key], key
    assert t["on_time_rate"] == exp["on_time_rate"]
    assert t["avg_handling_days"] == exp["avg_handling_days"]
    assert {x["office"]: x["count"] for x in t["tickets_by_office"]} == dict(exp["by_office"])
    assert {x["item"]: x["count"] for x in t["tickets_by_item"]} == dict(exp["by_item"])
    assert t["series"]["tickets_received"] == exp["received_series"]
    assert t["series"]["tickets_closed"] == exp["closed_series"]
    for key in ("ratings_received", "bad_count", "good_rate", "callback_rate", "rectification_on_time"):
        assert r[key] == exp[key], key
    assert {x["rating"]: x["count"] for x in r["rating_distribution"] if x["count"]} == dict(exp["distribution"])
