"""Prometheus metrics on the app's port: ``GET /metrics`` (prometheus-client's exposition format).

- ``bbc_http_requests_total`` / ``bbc_http_request_duration_seconds``: per method, route template, status.
- ``bbc_chat_turns_total`` / ``bbc_chat_turn_duration_seconds``: per reply kind (the gateway's recorder).
- ``bbc_outbox_messages``: messages per outbox status (pending backlog, failed), read at scrape time;
  ``bbc_outbox_oldest_pending_seconds``.
- ``bbc_scheduler_runs_total``: deadline-scheduler rounds per outcome; ``bbc_scheduler_notifications_total``.
- ``bbc_calendar_covered``: 1 when the holiday calendar covers the next 90 days.

Access: with ``METRICS_TOKEN`` unset only loopback clients are answered (``make run``); with it set, every
client must send ``Authorization: Bearer <token>``.
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import time
from collections.abc import Iterator
from typing import Any

from fastapi import APIRouter, HTTPException, Request, Response, status
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger(__name__)

LOOPBACK = frozenset({"127.0.0.1", "::1", "localhost", "testclient"})

HTTP_REQUESTS = Counter("bbc_http_requests_total", "HTTP requests answered", ["method", "route", "status"])
HTTP_LATENCY = Histogram(
    "bbc_http_request_duration_seconds",
    "HTTP request latency",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
CHAT_TURNS = Counter("bbc_chat_turns_total", "Chat turns by reply kind", ["kind"])
CHAT_LATENCY = Histogram(
    "bbc_chat_turn_duration_seconds",
    "Chat turn latency by reply kind",
    ["kind"],
    buckets=(0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1.0, 2.0, 5.0, 10.0),
)
SCHEDULER_RUNS = Counter("bbc_scheduler_runs_total", "Deadline scheduler rounds by outcome", ["outcome"])
SCHEDULER_NOTIFICATIONS = Counter(
    "bbc_scheduler_notifications_total", "Deadline notifications enqueued by kind", ["kind"]
)


def observe_turn(kind: str, latency_s: float) -> None:
    CHAT_TURNS.labels(kind=kind).inc()
    CHAT_LATENCY.labels(kind=kind).observe(latency_s)


class OperationsCollector(Collector):
    """Figures read from the database at scrape time (outbox backlog and failures, calendar coverage)."""

    def describe(self) -> list[Any]:
        return []  # registering must not touch the database

    def collect(self) -> Iterator[Any]:
        from sqlalchemy import func, select

        from bot.db import get_sessionmaker
        from bot.tickets.calendar_store import coverage, get_calendar
        from bot.tickets.clock import local_today
        from bot.tickets.models import OutboxMessage

        now = dt.datetime.now(dt.UTC)
        outbox = GaugeMetricFamily("bbc_outbox_messages", "Outbox messages by status", labels=["status"])
        oldest = GaugeMetricFamily("bbc_outbox_oldest_pending_seconds", "Age of the oldest pending outbox message")
        try:
            with get_sessionmaker()() as db:
                counts = dict(
                    db.execute(select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)).all()
                )
                first = db.scalar(select(func.min(OutboxMessage.created_at)).where(OutboxMessage.status == "pending"))
        except Exception as exc:
            logger.warning("metrics: outbox figures unavailable (%s)", type(exc).__name__)
            return
        for state in ("pending", "delivered", "failed"):
            outbox.add_metric([state], float(counts.get(state, 0)))
        if first is not None and first.tzinfo is None:
            first = first.replace(tzinfo=dt.UTC)
        oldest.add_metric([], (now - first).total_seconds() if first is not None else 0.0)
        yield outbox
        yield oldest
        covered = GaugeMetricFamily("bbc_calendar_covered", "1 if the holiday calendar covers the next 90 days")
        covered.add_metric([], 1.0 if coverage(get_calendar(), local_today(now)).ok else 0.0)
        yield covered


_collector_registered = False


def register_collector() -> None:
    global _collector_registered
    if not _collector_registered:
        REGISTRY.register(OperationsCollector())
        _collector_registered = True


class MetricsMiddleware:
    """Counts and times every HTTP request by its route template (``/api/desk/tickets/{number}``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status_code = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status_code
            if message["type"] == "http.response.start":
                status_code = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            route = scope.get("route")
            template = getattr(route, "path", None) or "unmatched"
            method = scope.get("method", "GET")
            HTTP_REQUESTS.labels(method=method, route=template, status=str(status_code)).inc()
            HTTP_LATENCY.labels(method=method, route=template).observe(time.perf_counter() - started)


router = APIRouter(tags=["metrics"])


def _allowed(request: Request) -> bool:
    from bot.tickets.operations_config import get_operations_settings

    token = get_operations_settings().metrics_token
    if token is None:
        return (request.client.host if request.client else "") in LOOPBACK
    auth = request.headers.get("authorization", "")
    given = auth[7:].strip() if auth.lower().startswith("bearer ") else ""
    return bool(given) and secrets.compare_digest(given.encode(), token.get_secret_value().encode())


@router.get("/metrics", include_in_schema=False)
def metrics(request: Request) -> Response:
    if not _allowed(request):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "metrics: loopback only, or METRICS_TOKEN")
    return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})
