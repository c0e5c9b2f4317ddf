"""Dashboard API latency with a year of data: 100,000 conversations (about 200,000 chat turns, a tenth of the
answers rated 👍/👎) and 10,000 tickets (with events, ratings and 整改 records) in a fresh database, then
``GET /api/dashboard/figures`` through the ASGI app (login, routing, JSON) for a 30-day period, a whole year,
and a year for one office.

    python -m bench.dashboard [--database-url URL] [--runs 15]

Default database: a temporary SQLite file. Writes ``bench/results/dashboard[-<backend>].json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from bench.stats import percentiles, write_results

ROOT = Path(__file__).resolve().parent.parent
CONVERSATIONS = 100_000
TICKETS = 10_000
KINDS = (
    ["answer"] * 55 + ["clarify"] * 8 + ["no_answer"] * 12 + ["smalltalk"] * 15 + ["handoff"] * 3 + ["out_of_scope"] * 7
)
ITEMS = [f"item-{i:02d}" for i in range(40)]
OFFICES = ["行政审批科", "医政医管科", "妇幼健康科", "综合监督科", "职业健康科", "人口家庭科", "药政管理科", "中医科"]
RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def _populate(end: dt.date, rng: random.Random) -> dict[str, int]:
    from sqlalchemy import insert

    from bot.analytics.models import ChatTurn
    from bot.db import get_engine
    from bot.feedback.models import AnswerFeedback
    from bot.tickets.models import Rectification, Ticket, TicketEvent

    start = end - dt.timedelta(days=364)
    turns: list[dict[str, Any]] = []
    votes: list[dict[str, Any]] = []
    engine = get_engine()
    with engine.begin() as conn:
        for c in range(CONVERSATIONS):
            day = start + dt.timedelta(days=rng.randrange(365))
            at = dt.datetime.combine(day, dt.time(rng.randrange(8, 20)), tzinfo=dt.UTC)
            for _ in range(rng.choice((1, 1, 2, 2, 3))):
                kind = rng.choice(KINDS)
                turns.append(
                    {
                        "at": at,
                        "day": day,
                        "channel": "web",
                        "session_hash": f"{c:032x}",
                        "kind": kind,
                        "answer_source": ("policy" if rng.random() < 0.1 else "guide") if kind == "answer" else None,
                        "no_answer_reason": rng.choice(("not_in_kb", "other_dept")) if kind == "no_answer" else None,
                        "item_code": rng.choice(ITEMS) if kind == "answer" else None,
                        "aspect": "materials" if kind == "answer" else None,
                        "handoff": kind == "handoff",
                        "question_masked": f"未收录的问题{rng.randrange(300)}" if kind == "no_answer" else None,
                    }
                )
                if kind == "answer" and rng.random() < 0.1:
                    votes.append(_vote(rng, turns[-1], len(votes)))
            if len(turns) >= 20_000:
                conn.execute(insert(ChatTurn), turns)
                turns.clear()
        if turns:
            conn.execute(insert(ChatTurn), turns)
        conn.execute(insert(AnswerFeedback), votes)
        n_turns = conn.exec_driver_sql("SELECT count(*) FROM chat_turns").scalar_one()

        tickets: list[dict[str, Any]] = []
        for n in range(TICKETS):
            day = start + dt.timedelta(days=rng.randrange(365))
            created = dt.datetime.combine(day, dt.time(2), tzinfo=dt.UTC)
            closed = rng.random() < 0.8 and day < end - dt.timedelta(days=3)
            closed_at = created + dt.timedelta(days=rng.randrange(1, 12)) if closed else None
            rated = closed and rng.random() < 0.6
            tickets.append(
                {
                    "number": f"BBC-{day:%Y%m%d}-{n:05d}",
                    "session_id": f"s{n}",
                    "idempotency_key": f"s{n}:1",
                    "channel": "web",
                    "item_code": rng.choice(ITEMS),
                    "item_name": f"事项{rng.randrange(40)}",
                    "category": None,
                    "office": rng.choice(OFFICES),
                    "routed_by": "item",
                    "description": "办不成",
                    "place": None,
                    "contact_masked": "138****8000" if rng.random() < 0.7 else None,
                    "contact_raw": None,
                    "excerpt": [],
                    "status": "已办结" if closed else rng.choice(("已提交", "已受理", "办理中", "已答复")),
                    "assignee": None,
                    "created_at": created,
                    "updated_at": closed_at or created,
                    "ack_due": day + dt.timedelta(days=1),
                    "resolve_due": day + dt.timedelta(days=7),
                    "closed_at": closed_at,
                    "rating": rng.choice(RATINGS) if rated else None,
                    "rated_at": closed_at + dt.timedelta(hours=3) if rated and closed_at else None,
                }
            )
        conn.execute(insert(Ticket), tickets)
        rows = conn.exec_driver_sql("SELECT id, created_at, rating, rated_at FROM tickets").all()
        events: list[dict[str, Any]] = []

        def event(tid: int, at: dt.datetime, kind: str, frm: str | None = None, to: str | None = None) -> None:
            events.append(
                {
                    "ticket_id": tid,
                    "at": at,
                    "actor": "h",
                    "kind": kind,
                    "from_status": frm,
                    "to_status": to,
                    "note": None,
                }
            )

        rects: list[dict[str, Any]] = []
        for tid, created, rating, rated_at in rows:
            created_at = created if isinstance(created, dt.datetime) else dt.datetime.fromisoformat(str(created))
            created_at = created_at.replace(tzinfo=dt.UTC) if created_at.tzinfo is None else created_at
            event(tid, created_at, "created", None, "已提交")
            if rng.random() < 0.1:
                event(tid, created_at, "forward")
            if rng.random() < 0.03:
                event(tid, created_at + dt.timedelta(days=5), "status", "已办结", "办理中")
            if rating in ("不满意", "非常不满意"):
                rated_on = rated_at if isinstance(rated_at, dt.datetime) else dt.datetime.fromisoformat(str(rated_at))
                rated_on = rated_on.replace(tzinfo=dt.UTC) if rated_on.tzinfo is None else rated_on
                done = rng.random() < 0.7
                rects.append(
                    {
                        "ticket_id": tid,
                        "opened_at": rated_on,
                        "due": rated_on.date() + dt.timedelta(days=14),
                        "status": "closed" if done else "open",
                        "callback_note": "已回访" if done else None,
                        "closed_at": rated_on + dt.timedelta(days=rng.randrange(1, 20)) if done else None,
                    }
                )
        conn.execute(insert(TicketEvent), events)
        if rects:
            conn.execute(insert(Rectification), rects)
    return {
        "chat_turns": int(n_turns),
        "conversations": CONVERSATIONS,
        "answer_feedback": len(votes),
        "tickets": TICKETS,
        "events": len(events),
    }


def _vote(rng: random.Random, turn: dict[str, Any], n: int) -> dict[str, Any]:
    down = rng.random() < 0.3
    return {
        "turn_id": f"bench{n:027d}",
        "at": turn["at"],
        "day": turn["day"],
        "session_hash": turn["session_hash"],
        "vote": "down" if down else "up",
        "reason": rng.choice((None, "off_topic", "outdated", "unclear", "other")) if down else None,
        "comment_masked": None,
        "question_masked": "护士执业注册要什么材料",
        "kind": "answer",
        "item_code": turn["item_code"],
        "guide_id": None,
        "aspect": "materials",
        "knowledge_version": 1,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args(argv)
    tmp = tempfile.TemporaryDirectory(prefix="bench-dashboard-")
    os.environ["DATABASE_URL"] = args.database_url or f"sqlite:///{tmp.name}/bench.db"
    os.environ.setdefault("DESK_BCRYPT_ROUNDS", "4")
    os.environ.setdefault("DESK_SECRET_KEY", "bench-only-secret")

    from fastapi import FastAPI
    from fastapi.testclient import TestClient

    from bot.analytics.rollup import rebuild
    from bot.db import get_engine, init_db, session_scope
    from bot.feedback.rollup import rebuild as rebuild_feedback
    from bot.operations import install_operations
    from bot.tickets import auth, router_desk
    from bot.tickets.clock import local_today
    from bot.tickets.enums import Role

    init_db()
    end = local_today(dt.datetime.now(dt.UTC))
    t0 = time.perf_counter()
    sizes = _populate(end, random.Random(7))
    with session_scope() as db:
        rebuild(db)  # the recorder keeps the rollup up to date turn by turn; a bulk load rebuilds it
        rebuild_feedback(db)  # likewise the votes' rollup
    load_s = time.perf_counter() - t0
    with session_scope() as db:
        auth.create_user(db, "bench", "bench-password-1", role=Role.admin)
    app = FastAPI()
    app.include_router(router_desk.router)
    install_operations(app)
    client = TestClient(app)
    assert client.post("/api/desk/login", json={"username": "bench", "password": "bench-password-1"}).status_code == 200
    year_from = (end - dt.timedelta(days=364)).isoformat()
    cases: dict[str, dict[str, str]] = {
        "baseline_desk_me": {},  # a request that reads one row: the floor set by the machine's load
        "last_30_days_all_offices": {},
        "year_all_offices": {"from": year_from, "to": end.isoformat()},
        "year_one_office": {"from": year_from, "to": end.isoformat(), "office": OFFICES[0]},
    }
    results: dict[str, Any] = {
        "backend": get_engine().dialect.name,
        "data": sizes,
        "load_seconds": round(load_s, 1),
        "runs": args.runs,
        "measured_on": end.isoformat(),
        # The machine is shared: the 1-minute load average before and after the measured requests.
        "load_average_1min": {"before": round(os.getloadavg()[0], 2)},
        "cases": {},
    }
    for name, params in cases.items():
        url = "/api/desk/me" if name.startswith("baseline") else "/api/dashboard/figures"
        r = client.get(url, params=params)
        assert r.status_code == 200, r.text
        latencies = []
        for _ in range(args.runs):
            start = time.perf_counter()
            r = client.get(url, params=params)
            latencies.append((time.perf_counter() - start) * 1000)
            assert r.status_code == 200
        body = r.json()
        results["cases"][name] = {**percentiles(latencies), "latency_ms_max": round(max(latencies), 1)}
        if "tickets" in body:
            results["cases"][name].update(
                reopened=body["tickets"]["reopened"],
                questions=body["questions"]["questions"],
                tickets_received=body["tickets"]["tickets_received"],
                feedback_votes=body["questions"]["feedback_up"] + body["questions"]["feedback_down"],
            )
    results["load_average_1min"]["after"] = round(os.getloadavg()[0], 2)
    suffix = "" if results["backend"] == "sqlite" else f"-{results['backend']}"
    write_results(ROOT / "bench" / "results" / f"dashboard{suffix}.json", results)
    tmp.cleanup()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
