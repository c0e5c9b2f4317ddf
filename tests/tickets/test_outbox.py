"""12345 forwarding through the outbox, against a real HTTP server on loopback."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import random
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from bot.db import session_scope
from bot.tickets import outbox_delivery
from bot.tickets.config import get_ticket_settings
from bot.tickets.models import OutboxMessage, Ticket

from .conftest import create_user, login, ticket_body


class Hotline:
    """A stand-in 12345 endpoint: fails the first ``fail_first`` requests, then accepts (deduplicating by key)."""

    def __init__(self, fail_first: int = 0, fail_status: int = 500, delay_s: float = 0.0) -> None:
        self.delay_s = delay_s
        self.fail_first = fail_first
        self.fail_status = fail_status
        self.requests: list[dict[str, Any]] = []
        self.accepted: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        hotline = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                key = self.headers.get("Idempotency-Key")
                if hotline.delay_s:
                    time.sleep(hotline.delay_s)  # a slow receiver: the answer comes late
                with hotline.lock:
                    hotline.requests.append({"key": key, "body": body})
                    fail = len(hotline.requests) <= hotline.fail_first
                    if not fail:
                        hotline.accepted.setdefault(key or "", body)
                self.send_response(hotline.fail_status if fail else 200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b'{"ok": %s}' % (b"false" if fail else b"true"))

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/12345/tickets"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Hotline:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def hotline_env(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Hotline]:
    with Hotline(fail_first=2) as hl:
        monkeypatch.setenv("HOTLINE_12345_URL", hl.url)
        monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "5")
        get_ticket_settings.cache_clear()
        yield hl


def _forward(client: TestClient, **over: Any) -> str:
    number = client.post("/api/internal/tickets", json=ticket_body(**over)).json()["number"]
    create_user("desk", "password-desk", office="行政审批科")
    login(client, "desk", "password-desk")
    r = client.post(f"/api/desk/tickets/{number}/forward", json={"note": "涉及跨部门，转12345"})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "已转12345"
    return str(number)


def _drain(max_rounds: int = 20) -> None:
    rng = random.Random(7)
    for _ in range(max_rounds):
        with session_scope() as db:
            pending = db.scalars(select(OutboxMessage).where(OutboxMessage.status == "pending")).all()
        if not pending:
            return
        outbox_delivery.run_once(rng=rng)
        time.sleep(0.06)  # past the (test-sized) backoff
    raise AssertionError("outbox did not drain")


def test_fails_twice_then_succeeds_exactly_one_delivery(hotline_env: Hotline, client: TestClient) -> None:
    number = _forward(client)
    _drain()
    hl = hotline_env
    assert len(hl.requests) == 3  # two failures, one success, nothing after
    assert len(hl.accepted) == 1
    keys = {r["key"] for r in hl.requests}
    assert len(keys) == 1  # the same Idempotency-Key on every attempt
    body = next(iter(hl.accepted.values()))
    assert body["number"] == number and body["office"] == "行政审批科"
    assert body["contact"] == "138****8000"  # masked unless configured otherwise
    # More rounds send nothing more.
    outbox_delivery.run_once()
    assert len(hl.requests) == 3
    with session_scope() as db:
        msgs = db.scalars(select(OutboxMessage)).all()
        assert [(m.status, m.attempts) for m in msgs] == [("delivered", 3)]
        assert db.scalar(select(Ticket).where(Ticket.number == number)) is not None
    detail = client.get(f"/api/desk/tickets/{number}").json()
    assert detail["hotline"] == "已送达"
    assert detail["deliveries"][0]["attempts"] == 3
    assert any(e["kind"] == "delivered" for e in detail["events"])


def test_endpoint_down_for_good_is_visible_then_retried(
    tickets_env: str, client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    with Hotline(fail_first=100, fail_status=503) as hl:
        monkeypatch.setenv("HOTLINE_12345_URL", hl.url)
        monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
        get_ticket_settings.cache_clear()
        number = _forward(client)
        _drain()
        assert len(hl.requests) == 3
        detail = client.get(f"/api/desk/tickets/{number}").json()
        assert detail["hotline"] == "发送失败"
        assert detail["deliveries"][0]["status"] == "failed"
        assert "503" in detail["deliveries"][0]["last_error"]
        assert any(e["kind"] == "delivery_failed" for e in detail["events"])
        assert client.get("/api/desk/tickets").json()["items"][0]["hotline"] == "发送失败"
        # The endpoint recovers; a handler re-queues the delivery.
        hl.fail_first = 0
        hl.requests.clear()
        msg_id = detail["deliveries"][0]["id"]
        client.post(f"/api/desk/outbox/{msg_id}/retry").raise_for_status()
        _drain()
        assert len(hl.accepted) == 1
        assert client.get(f"/api/desk/tickets/{number}").json()["hotline"] == "已送达"


def test_unconfigured_hotline_keeps_delivery_pending(client: TestClient) -> None:
    number = _forward(client)
    stats = outbox_delivery.run_once()
    assert stats.claimed == 0
    detail = client.get(f"/api/desk/tickets/{number}").json()
    assert detail["hotline"] == "未配置"
    assert detail["deliveries"][0]["status"] == "pending"
    assert client.get("/api/desk/meta").json()["hotline_configured"] is False


def test_crash_mid_delivery_is_retried_after_lease(hotline_env: Hotline, client: TestClient) -> None:
    """A worker that claimed a message and died: the lease runs out and another worker delivers it."""
    hotline_env.fail_first = 0
    number = _forward(client)
    settings = get_ticket_settings()
    with session_scope() as db:
        claimed = outbox_delivery._claim(db, now=dt.datetime.now(dt.UTC), settings=settings)
    assert len(claimed) == 1
    # ...the process dies here. Another worker right now sees nothing to do (lease held):
    assert outbox_delivery.run_once().claimed == 0
    later = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=settings.outbox_lease_s + 1)
    stats = outbox_delivery.run_once(now=lambda: later)
    assert stats.delivered == 1
    assert len(hotline_env.accepted) == 1
    assert next(iter(hotline_env.accepted.values()))["number"] == number


def test_permanent_4xx_fails_without_retrying(tickets_env: str, client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    with Hotline(fail_first=100, fail_status=400) as hl:
        monkeypatch.setenv("HOTLINE_12345_URL", hl.url)
        get_ticket_settings.cache_clear()
        _forward(client)
        outbox_delivery.run_once()
        assert len(hl.requests) == 1
        with session_scope() as db:
            assert db.scalars(select(OutboxMessage.status)).all() == ["failed"]


def test_background_worker_delivers(hotline_env: Hotline, client: TestClient, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from bot.jobs import running_jobs

    monkeypatch.setenv("OUTBOX_POLL_INTERVAL_S", "0.05")
    get_ticket_settings.cache_clear()
    _forward(client)

    async def scenario() -> None:
        async with running_jobs([outbox_delivery.outbox_job()]) as tasks:
            for _ in range(100):
                if hotline_env.accepted:
                    break
                await asyncio.sleep(0.05)
        assert all(task.done() for task in tasks)

    asyncio.run(scenario())
    assert len(hotline_env.accepted) == 1
    assert len(hotline_env.requests) == 3


def test_backoff_grows_with_jitter() -> None:
    from bot.tickets.config import TicketSettings

    s = TicketSettings(outbox_backoff_base_s=2.0, outbox_backoff_max_s=60.0)
    rng = random.Random(1)
    values = [outbox_delivery.backoff_seconds(n, s, rng) for n in range(1, 8)]
    for n, v in enumerate(values, start=1):
        cap = min(60.0, 2.0 * 2 ** (n - 1))
        assert cap * 0.5 <= v <= cap
    assert values[-1] <= 60.0
