"""A month of activity seeded through the real HTTP APIs (chat, internal tickets, desk), with the counts the
dashboard must show computed here, independently of the dashboard's code."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from bot.tickets.config import DATA_DIR
from bot.tickets.working_days import load_calendar
from tests.tickets.conftest import INTERNAL_HEADERS

from .conftest import FrozenClock, ticket_body

CST = ZoneInfo("Asia/Shanghai")
MONTH_START = dt.date(2026, 10, 1)
MONTH_END = dt.date(2026, 10, 31)
GUIDE = {"title": "护士执业注册办事指南", "url": "https://example.gov.cn/g", "region": "全国"}
RATINGS = ["非常满意", "满意", "基本满意", "不满意", "非常不满意"]


def fake_rasa_reply(sender: str, message: str) -> list[dict[str, Any]]:
    """The fake Rasa's script: the message's first two characters choose the reply kind."""

    def with_meta(text: str, **meta: Any) -> list[dict[str, Any]]:
        return [{"recipient_id": sender, "text": text}, {"recipient_id": sender, "custom": {"meta": meta}}]

    item = {"code": "nurse-practice-registration", "name": "护士执业注册"}
    if message.startswith("问答"):
        return with_meta("材料如下…", kind="answer", item=item, aspect="materials", sources=[GUIDE])
    if message.startswith("问政"):
        return with_meta(
            "【政策】…", kind="answer", item={"code": "policy:p1", "name": "政策要点"}, aspect="overview", sources=[]
        )
    if message.startswith("问澄"):
        return with_meta("您问的是哪一项？", kind="clarify", item=None)
    if message.startswith("问无"):
        return with_meta("抱歉，知识库中没有找到…", kind="no_answer", item=None)
    if message.startswith("问外"):
        return with_meta(
            "“公积金”相关业务一般由住房公积金管理中心办理，不属于卫生健康部门的办事指南范围。", kind="no_answer"
        )
    if message.startswith("问人"):
        return with_meta("正在为您转人工…", kind="handoff")
    return [{"recipient_id": sender, "text": "您好，我在。"}]


def local(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour), tzinfo=CST).astimezone(dt.UTC)


@dataclass
class Expected:
    questions: Counter[str] = field(default_factory=Counter)
    sessions: set[str] = field(default_factory=set)
    unanswered: Counter[str] = field(default_factory=Counter)
    questions_by_day: Counter[dt.date] = field(default_factory=Counter)
    tickets: list[dict[str, Any]] = field(default_factory=list)
    by_office: Counter[str] = field(default_factory=Counter)
    closed: list[tuple[dt.date, dt.date, dt.date]] = field(default_factory=list)  # created, closed, resolve_due
    forwarded: int = 0
    reopened: int = 0
    ratings: Counter[str] = field(default_factory=Counter)
    bad_real_name: int = 0
    called_back: int = 0
    rect_on_time: int = 0
    rect_counted: int = 0
    avg_days: float | None = None


def seed_month(client: Any, clock: FrozenClock) -> Expected:
    """``client`` is a TestClient or an httpx.Client on the live server, logged in as an admin."""
    exp = Expected()
    kinds = ["问答", "问政", "问澄", "问无", "问外", "问人", "你好"]
    day = MONTH_START
    i = 0
    while day <= MONTH_END:
        clock.at = local(day)
        for k in range(1 + i % 3):
            session = f"m{i}-{k}"
            for j in range(1 + (i + k) % 4):
                prefix = kinds[(i + j + k) % len(kinds)]
                text = (
                    prefix + ("养犬登记" if (i + j) % 2 else "公积金提取") if prefix == "问无" else prefix + f"第{j}问"
                )
                r = client.post("/api/chat", json={"session_id": session, "text": text})
                assert r.status_code == 200, r.text
                exp.sessions.add(session)
                exp.questions[prefix] += 1
                if prefix in ("问答", "问政", "问澄", "问无", "问外"):
                    exp.questions_by_day[day] += 1
                if prefix in ("问无", "问外"):  # both kinds of no-answer are unanswered questions
                    exp.unanswered[text] += 1
        for _ in range(1 + i % 2):
            n = len(exp.tickets)
            item = (
                {"item_code": "nurse-practice-registration", "item_name": "护士执业注册"}
                if n % 2 == 0
                else {"item_code": "demo-radiation-thing", "item_name": "演示放射事项", "category": "放射卫生"}
            )
            body = ticket_body(
                session_id=f"t{n}",
                idempotency_key=f"t{n}:1",
                contact_masked=None if n % 4 == 3 else "138****8000",
                **item,
            )
            r = client.post("/api/internal/tickets", json=body, headers=INTERNAL_HEADERS)
            assert r.status_code == 201, r.text
            t = r.json()
            t["created"] = day
            t["n"] = n
            exp.tickets.append(t)
            exp.by_office[t["office"]] += 1
        i += 1
        day += dt.timedelta(days=1)
    calendar = load_calendar(DATA_DIR / "holidays_cn.yaml")
    for t in exp.tickets:
        n, number = t["n"], t["number"]
        if n % 5 == 1:
            clock.at = local(t["created"], 15)
            assert client.post(f"/api/desk/tickets/{number}/forward", json={"note": "转12345"}).status_code == 200
            exp.forwarded += 1
            continue
        if n % 3 != 0:
            continue
        closed_on = t["created"] + dt.timedelta(days=2 + n % 9)
        if closed_on > MONTH_END:
            continue
        clock.at = local(closed_on, 11)
        assert client.post(f"/api/desk/tickets/{number}/reply", json={"text": "已办理"}).status_code == 200
        assert client.post(f"/api/desk/tickets/{number}/close", json={}).status_code == 200
        exp.closed.append((t["created"], closed_on, dt.date.fromisoformat(t["resolve_due"])))
        rating = RATINGS[(n // 3) % 5]
        clock.at = local(closed_on, 16)
        r = client.post(
            f"/api/internal/tickets/{number}/rating",
            json={"session_id": f"t{n}", "rating": rating},
            headers=INTERNAL_HEADERS,
        )
        assert r.status_code == 200, r.text
        exp.ratings[rating] += 1
        if rating in ("不满意", "非常不满意"):
            due = dt.date.fromisoformat(r.json()["rectification_due"])
            real_name = n % 4 != 3
            exp.bad_real_name += real_name
            if n % 2 == 0:  # called back and closed two days later
                done = closed_on + dt.timedelta(days=2)
                clock.at = local(done, 10)
                r = client.post(
                    f"/api/desk/tickets/{number}/rectification/close", json={"callback_note": "电话回访，群众认可"}
                )
                assert r.status_code == 200, r.text
                exp.called_back += real_name
                exp.rect_counted += 1
                exp.rect_on_time += done <= due
            elif dt.date(2026, 11, 5) > due:
                exp.rect_counted += 1
    exp.avg_days = (
        sum(calendar.working_days_between(c, d) for c, d, _ in exp.closed) / len(exp.closed) if exp.closed else None
    )
    return exp
