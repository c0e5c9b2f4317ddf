"""Exactly one delivery per business event: leases per message, compare-and-set on the lease token,
deduplication keys for forwards, and a retry schedule that covers a working day."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db import session_scope
from bot.tickets import outbox, outbox_delivery
from bot.tickets.config import TicketSettings, get_ticket_settings
from bot.tickets.enums import OutboxKind, OutboxStatus
from bot.tickets.models import OutboxMessage

from .conftest import create_user, login, ticket_body
from .test_outbox import Hotline

T0 = dt.datetime(2026, 3, 2, 1, 0, tzinfo=dt.UTC)  # Monday 09:00 Beijing time


def _queue(n: int, now: dt.datetime | None = None) -> None:
    with session_scope() as db:
        for i in range(n):
            outbox.enqueue(
                db,
                kind=OutboxKind.hotline_12345,
                ticket_id=None,
                payload={"n": i},
                dedup_key=f"test-event:{i}",
                now=now,
            )


def test_two_workers_and_a_slow_receiver_deliver_each_message_once(
    tickets_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The reported fault: a batch claimed under one lease outlived it and the tail was sent twice."""
    n = 12
    with Hotline(delay_s=0.3) as hl:
        monkeypatch.setenv("HOTLINE_12345_URL", hl.url)
        monkeypatch.setenv("TICKETS_HTTP_TIMEOUT_S", "0.5")
        monkeypatch.setenv("OUTBOX_LEASE_S", "2.0")  # 12 × 0.3 s = 3.6 s: a batch lease would expire mid-batch
        get_ticket_settings.cache_clear()
        _queue(n)
        errors: list[BaseException] = []

        def worker() -> None:
            try:
                deadline = time.monotonic() + 30
                while time.monotonic() < deadline:
                    outbox_delivery.run_once()
                    with session_scope() as db:
                        left = db.scalars(select(OutboxMessage.id).where(OutboxMessage.status == "pending")).all()
                    if not left:
                        return
                    time.sleep(0.05)
            except BaseException as exc:  # surfaced below
                errors.append(exc)

        threads = [threading.Thread(target=worker) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        assert not errors, errors
        keys = [r["key"] for r in hl.requests]
        assert len(keys) == n, f"{len(keys)} deliveries for {n} messages"
        assert len(set(keys)) == n
        assert set(keys) == {f"test-event:{i}" for i in range(n)}  # the business event's key is the header
        with session_scope() as db:
            rows = db.scalars(select(OutboxMessage)).all()
            assert {(m.status, m.attempts) for m in rows} == {("delivered", 1)}


def test_only_the_lease_holder_records_the_outcome(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HOTLINE_12345_URL", "http://127.0.0.1:9/unused")
    get_ticket_settings.cache_clear()
    settings = get_ticket_settings()
    _queue(1, now=T0)
    with session_scope() as db:
        first = outbox_delivery.claim_one(db, now=T0, settings=settings)
    assert first is not None
    with session_scope() as db:  # still leased: nobody else gets it
        assert outbox_delivery.claim_one(db, now=T0 + dt.timedelta(seconds=1), settings=settings) is None
    later = T0 + dt.timedelta(seconds=settings.outbox_lease_s + 1)
    with session_scope() as db:  # the first worker stalled past its lease: another takes the message
        second = outbox_delivery.claim_one(db, now=later, settings=settings)
    assert second is not None and second.token != first.token
    with session_scope() as db:  # the stalled worker's failure must not overwrite anything
        assert (
            outbox_delivery._record(db, first, error=RuntimeError("late"), now=later, settings=settings, rng=None)
            == "lost"
        )
    with session_scope() as db:
        assert outbox_delivery._record(db, second, error=None, now=later, settings=settings, rng=None) == "delivered"
    with session_scope() as db:  # and not after the holder recorded either
        assert outbox_delivery._record(db, first, error=None, now=later, settings=settings, rng=None) == "lost"
        msg = db.scalars(select(OutboxMessage)).one()
        assert (msg.status, msg.attempts, msg.last_error, msg.lease_token) == ("delivered", 1, None, None)


def _forward_ticket(client: TestClient) -> str:
    number = str(client.post("/api/internal/tickets", json=ticket_body()).json()["number"])
    create_user("desk", "password-desk", office="行政审批科")
    login(client, "desk", "password-desk")
    return number


def test_forwarding_twice_is_one_delivery_until_a_reply(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    with Hotline() as hl:
        monkeypatch.setenv("HOTLINE_12345_URL", hl.url)
        get_ticket_settings.cache_clear()
        number = _forward_ticket(client)
        for _ in range(2):
            r = client.post(f"/api/desk/tickets/{number}/forward", json={"note": "转12345"})
            assert r.status_code == 200, r.text
        # Back to 办理中 and forwarded again, with no reply in between: the same event, not re-sent.
        client.post(f"/api/desk/tickets/{number}/status", json={"to": "办理中"}).raise_for_status()
        r = client.post(f"/api/desk/tickets/{number}/forward", json={"note": "再次转12345"})
        assert r.status_code == 200 and r.json()["status"] == "已转12345", r.text
        outbox_delivery.run_once()
        outbox_delivery.run_once()
        assert len(hl.requests) == 1
        detail = client.get(f"/api/desk/tickets/{number}").json()
        assert len(detail["deliveries"]) == 1
        assert sum(e["kind"] == "forward" for e in detail["events"]) == 1
        # A handler replies, then explicitly forwards again: a new business event, sent once more.
        client.post(f"/api/desk/tickets/{number}/reply", json={"text": "已答复，仍需12345跟进"}).raise_for_status()
        client.post(f"/api/desk/tickets/{number}/status", json={"to": "办理中"}).raise_for_status()
        r = client.post(f"/api/desk/tickets/{number}/forward", json={"note": "答复后再次转办"})
        assert r.status_code == 200, r.text
        outbox_delivery.run_once()
        assert len(hl.requests) == 2
        assert len({r["key"] for r in hl.requests}) == 2


def test_default_retry_schedule_covers_a_working_day(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The reported fault: 8 attempts from 2 s gave up after a few minutes (a 200 s outage failed forwards)."""
    for name in ("OUTBOX_BACKOFF_BASE_S", "OUTBOX_BACKOFF_MAX_S", "OUTBOX_MAX_ATTEMPTS", "OUTBOX_RETRY_WINDOW_S"):
        monkeypatch.delenv(name, raising=False)
    settings = TicketSettings(hotline_12345_url="http://127.0.0.1:9/unused")  # the defaults otherwise
    rng = random.Random(3)
    _queue(1, now=T0)
    now = T0
    gaps: list[float] = []
    outcome = "retried"
    while outcome == "retried":
        with session_scope() as db:
            claim = outbox_delivery.claim_one(db, now=now, settings=settings)
        assert claim is not None
        with session_scope() as db:
            outcome = outbox_delivery._record(
                db, claim, error=RuntimeError("HTTP 503"), now=now, settings=settings, rng=rng
            )
        with session_scope() as db:
            msg = db.scalars(select(OutboxMessage)).one()
        if outcome == "retried":
            gaps.append((msg.next_attempt_at - now).total_seconds())
            now = msg.next_attempt_at
    assert outcome == "failed"
    print(f"{len(gaps) + 1} attempts over {(now - T0).total_seconds() / 3600:.2f} h")
    elapsed = (now - T0).total_seconds()
    assert elapsed >= 8 * 3600, f"gave up after {elapsed / 3600:.1f} h"
    assert max(gaps) <= 3600
    assert sum(gaps[:4]) < 200  # the first retries come quickly: a short outage costs seconds, not hours
    cumulative = [sum(gaps[: i + 1]) for i in range(len(gaps))]
    assert sum(c <= 200 for c in cumulative) < len(gaps)  # and a 200 s outage leaves most of the budget


def test_failed_delivery_raises_the_desk_alert(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    with Hotline(fail_first=100, fail_status=503) as hl:
        monkeypatch.setenv("HOTLINE_12345_URL", hl.url)
        monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "1")
        get_ticket_settings.cache_clear()
        number = _forward_ticket(client)
        assert client.get("/api/desk/meta").json()["failed_deliveries"] == 0
        client.post(f"/api/desk/tickets/{number}/forward", json={}).raise_for_status()
        outbox_delivery.run_once()
        assert client.get("/api/desk/meta").json()["failed_deliveries"] == 1
        with session_scope() as db:
            assert db.scalars(select(OutboxMessage.status)).all() == [OutboxStatus.failed.value]


def test_lease_shorter_than_a_send_is_refused() -> None:
    with pytest.raises(ValueError, match="OUTBOX_LEASE_S"):
        TicketSettings(outbox_lease_s=10, http_timeout_s=5)
