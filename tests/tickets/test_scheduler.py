"""The deadline scheduler: an injected clock walks across a due date and the Spring Festival 2026 with two
scheduler instances running side by side; each notification goes through the outbox exactly once."""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from bot.db import get_sessionmaker
from bot.tickets import errors, intake, pause, ratings, workflow, working_days
from bot.tickets.clock import Clockwork
from bot.tickets.enums import EventKind, OutboxKind, Rating
from bot.tickets.models import OutboxMessage, Ticket, TicketEvent
from bot.tickets.operations_config import get_operations_settings
from bot.tickets.scheduler import DeadlineScheduler, acquire_lease
from bot.tickets.schemas import RatingIn, TicketCreate

from .conftest import ticket_body

CST = ZoneInfo("Asia/Shanghai")


def at(day: str, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour), tzinfo=CST).astimezone(dt.UTC)


class Clock:
    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now


def _create(db, key: str, now: dt.datetime) -> Ticket:  # type: ignore[no-untyped-def]
    body = ticket_body(session_id=f"sess-{key}", idempotency_key=f"{key}:1")
    ticket, _ = intake.create_ticket(db, TicketCreate.model_validate(body), now=now)
    return ticket


def _notifications() -> list[tuple[str, str, str]]:
    with get_sessionmaker()() as db:
        rows = db.scalars(select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.notify.value)).all()
        return [
            (str(m.payload["number"]), str(m.payload["event"]), m.created_at.astimezone(CST).date().isoformat())
            for m in rows
        ]


def test_each_notification_exactly_once_across_the_spring_festival(
    tickets_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TICKETS_RECTIFICATION_DAYS", "5")
    get_operations_settings.cache_clear()
    working_days.get_deadline_config.cache_clear()
    factory = get_sessionmaker()
    with factory() as db:
        # Friday 6 Feb 2026: resolve in 5 working days → Friday 13 Feb.
        late = _create(db, "late", at("2026-02-06"))
        assert late.resolve_due == dt.date(2026, 2, 13)
        # A second ticket, answered and closed, then rated 不满意 on 13 Feb → 整改 in 5 working days:
        # 14 Feb (调休 Saturday), then 24, 25, 26, 27 Feb after the holiday.
        rated = _create(db, "rated", at("2026-02-06", 11))
        workflow.reply(db, rated, "已处理", actor="h", now=at("2026-02-10"))
        workflow.close(db, rated, actor="h", now=at("2026-02-10", 11))
        out = ratings.rate(
            db, rated, RatingIn(session_id="sess-rated", rating=Rating.dissatisfied), now=at("2026-02-13")
        )
        assert out.rectification_due == dt.date(2026, 2, 27)
        late_number, rated_number = late.number, rated.number

    clock = Clock(at("2026-02-11", 9))
    a = DeadlineScheduler(holder="replica-a", now=clock)
    b = DeadlineScheduler(holder="replica-b", now=clock)
    outcomes: Counter[str] = Counter()
    day = dt.date(2026, 2, 11)
    while day <= dt.date(2026, 3, 3):
        for hour in (7, 9, 15):
            clock.now = dt.datetime.combine(day, dt.time(hour), tzinfo=CST).astimezone(dt.UTC)
            results: list[str] = []
            threads = [threading.Thread(target=lambda s=s, r=results: r.append(s.run_once().outcome)) for s in (a, b)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            outcomes.update(results)
            if hour >= 9 and day.weekday() < 5 and not dt.date(2026, 2, 15) <= day <= dt.date(2026, 2, 23):
                assert sorted(results) == ["lease_held", "ran"], (day, hour, results)  # one replica only
        day += dt.timedelta(days=1)

    sent = _notifications()
    assert sorted(sent) == sorted(
        [
            (late_number, "deadline_due_soon", "2026-02-12"),  # one working day before 13 Feb
            (late_number, "deadline_overdue", "2026-02-14"),  # the 调休 Saturday is a working day
            (rated_number, "deadline_rectification_due_soon", "2026-02-26"),
            (rated_number, "deadline_rectification_overdue", "2026-02-28"),  # 调休 Saturday again
        ]
    ), sent
    # Nothing runs on the Spring Festival holiday (15–23 Feb) nor on ordinary weekends.
    assert outcomes["not_working_day"] > 0 and outcomes["too_early"] > 0
    with factory() as db:
        events = db.scalars(select(TicketEvent).where(TicketEvent.kind == EventKind.reminder.value)).all()
        assert len(events) == 4
        assert any("超期督办" in (e.note or "") and "supervisor" in (e.note or "") for e in events)
        escalation = db.scalar(
            select(OutboxMessage)
            .where(OutboxMessage.ticket_id == late.id, OutboxMessage.kind == "notify")
            .order_by(OutboxMessage.created_at.desc())
        )
        assert escalation is not None
        assert {r["role"] for r in escalation.payload["to"]} == {"supervisor", "triage_admin"}


def test_lease_is_exclusive_until_it_expires(tickets_env: str) -> None:
    now = at("2026-03-02")
    with get_sessionmaker()() as db:
        assert acquire_lease(db, name="job", holder="a", now=now, seconds=60)
        assert not acquire_lease(db, name="job", holder="b", now=now + dt.timedelta(seconds=30), seconds=60)
        assert acquire_lease(db, name="job", holder="a", now=now + dt.timedelta(seconds=30), seconds=60)  # renew
        assert acquire_lease(db, name="job", holder="b", now=now + dt.timedelta(seconds=91), seconds=60)


def test_pause_stops_the_clock_and_resume_keeps_the_working_days_left(tickets_env: str) -> None:
    clock = Clockwork.default()
    with get_sessionmaker()() as db:
        ticket = _create(db, "paused", at("2026-02-06"))  # resolve due Fri 13 Feb
        pause.pause(db, ticket, actor="h", now=at("2026-02-11"), clock=clock, note="等待群众补充材料")
        assert ticket.paused_days_left == 2  # 12 and 13 Feb
        with pytest.raises(errors.ConflictError):
            pause.pause(db, ticket, actor="h", now=at("2026-02-12"), clock=clock, note=None)
        # Paused over the holiday: no reminder for it.
        result = DeadlineScheduler(holder="x", now=lambda: at("2026-02-13")).run_once()
        assert result.outcome == "ran" and not result.sent
        pause.resume(db, ticket, actor="h", now=at("2026-02-24"), clock=clock)
        assert ticket.resolve_due == dt.date(2026, 2, 26)  # 25 and 26 Feb
        assert ticket.paused_at is None
