"""Transactional outbox: 12345 forwarding, handler notifications and non-web channel deliveries.

A message is inserted in the same transaction as the ticket change, so nothing is sent for a change
that did not commit and nothing committed is lost. A worker then claims due messages with a lease,
delivers them (HTTP with ``Idempotency-Key`` = message id), and records the outcome: delivered, or
retried with exponential backoff and jitter, or ``failed`` after ``OUTBOX_MAX_ATTEMPTS`` (shown on the
desk). A process that dies mid-delivery leaves a lease that expires; the message is then retried with
the same idempotency key, so the receiver can drop the duplicate.

Runs as an asyncio task in the app (``start_outbox_worker``) or once from the shell:
``python -m bot.tickets.outbox``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import random
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import OutgoingMessage, get_adapter
from bot.db import get_sessionmaker
from bot.tickets import texts
from bot.tickets.config import TicketSettings, get_ticket_settings
from bot.tickets.enums import EventKind, OutboxKind, OutboxStatus
from bot.tickets.models import OutboxMessage, TicketEvent

logger = logging.getLogger(__name__)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def enqueue(
    db: Session, *, kind: OutboxKind, ticket_id: int | None, payload: dict[str, Any], now: dt.datetime | None = None
) -> OutboxMessage:
    """Add a message in the caller's transaction (it is sent only if that transaction commits)."""
    now = now or _utcnow()
    msg = OutboxMessage(
        kind=kind.value,
        ticket_id=ticket_id,
        payload=payload,
        status=OutboxStatus.pending.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.add(msg)
    return msg


class NotConfiguredError(Exception):
    """The target of this message kind is not configured; the message waits."""


class PermanentError(Exception):
    """The receiver refused the message for good (4xx other than 408/429)."""


def target_configured(kind: str, settings: TicketSettings) -> bool:
    if kind == OutboxKind.hotline_12345:
        return bool(settings.hotline_12345_url)
    if kind == OutboxKind.notify:
        return bool(settings.notify_webhook_url)
    return True


def backoff_seconds(attempts: int, settings: TicketSettings, rng: random.Random | None = None) -> float:
    """Exponential backoff with jitter: base·2^(n-1), capped, then scaled by a random factor in [0.5, 1]."""
    rng = rng or random.Random()
    raw = min(settings.outbox_backoff_max_s, settings.outbox_backoff_base_s * 2 ** max(attempts - 1, 0))
    return raw * rng.uniform(0.5, 1.0)


def _post(client: httpx.Client, url: str, msg: OutboxMessage, token: str | None) -> None:
    headers = {"Idempotency-Key": msg.id}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    resp = client.post(url, json=msg.payload, headers=headers)
    if resp.is_success:
        return
    if 400 <= resp.status_code < 500 and resp.status_code not in (408, 429):
        raise PermanentError(f"HTTP {resp.status_code}")
    raise RuntimeError(f"HTTP {resp.status_code}")


def deliver(msg: OutboxMessage, *, settings: TicketSettings, client: httpx.Client) -> None:
    """One delivery attempt; raises on failure."""
    if msg.kind == OutboxKind.hotline_12345:
        if not settings.hotline_12345_url:
            raise NotConfiguredError("HOTLINE_12345_URL")
        token = settings.hotline_12345_token.get_secret_value() if settings.hotline_12345_token else None
        _post(client, settings.hotline_12345_url, msg, token)
    elif msg.kind == OutboxKind.notify:
        if not settings.notify_webhook_url:
            raise NotConfiguredError("TICKETS_NOTIFY_URL")
        _post(client, settings.notify_webhook_url, msg, None)
    elif msg.kind == OutboxKind.channel:
        adapter = get_adapter(str(msg.payload["channel"]))
        adapter.deliver(str(msg.payload["session_id"]), OutgoingMessage.model_validate(msg.payload["message"]))
    else:
        raise PermanentError(f"unknown outbox kind {msg.kind}")


@dataclass
class RunStats:
    claimed: int = 0
    delivered: int = 0
    retried: int = 0
    failed: int = 0


def _claim(db: Session, *, now: dt.datetime, settings: TicketSettings) -> list[OutboxMessage]:
    candidates = db.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.status == OutboxStatus.pending.value,
            OutboxMessage.next_attempt_at <= now,
            or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
        )
        .order_by(OutboxMessage.next_attempt_at)
        .limit(settings.outbox_batch * 5)
    ).all()
    lease = now + dt.timedelta(seconds=settings.outbox_lease_s)
    claimed: list[OutboxMessage] = []
    for msg in candidates:
        if len(claimed) >= settings.outbox_batch:
            break
        if not target_configured(msg.kind, settings):
            continue
        res = db.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id == msg.id,
                OutboxMessage.status == OutboxStatus.pending.value,
                or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
            )
            .values(locked_until=lease)
            .execution_options(synchronize_session=False)
        )
        if getattr(res, "rowcount", 0) == 1:
            claimed.append(msg)
    db.commit()
    return claimed


def _record(
    db: Session,
    msg_id: str,
    *,
    error: Exception | None,
    now: dt.datetime,
    settings: TicketSettings,
    rng: random.Random | None,
) -> str:
    msg = db.get(OutboxMessage, msg_id)
    if msg is None or msg.status != OutboxStatus.pending.value:
        db.commit()
        return "gone"
    msg.attempts += 1
    msg.locked_until = None
    outcome: str
    if error is None:
        msg.status = OutboxStatus.delivered.value
        msg.delivered_at = now
        msg.last_error = None
        outcome = "delivered"
        if msg.ticket_id is not None and msg.kind == OutboxKind.hotline_12345:
            db.add(
                TicketEvent(
                    ticket_id=msg.ticket_id,
                    at=now,
                    actor=texts.ACTOR_SYSTEM,
                    kind=EventKind.delivered.value,
                    note="12345",
                )
            )
    else:
        msg.last_error = str(error)[:500] or type(error).__name__
        if isinstance(error, PermanentError) or msg.attempts >= settings.outbox_max_attempts:
            msg.status = OutboxStatus.failed.value
            outcome = "failed"
            if msg.ticket_id is not None:
                db.add(
                    TicketEvent(
                        ticket_id=msg.ticket_id,
                        at=now,
                        actor=texts.ACTOR_SYSTEM,
                        kind=EventKind.delivery_failed.value,
                        note=f"{msg.kind}: {msg.last_error}（{msg.attempts}次）",
                    )
                )
        else:
            msg.next_attempt_at = now + dt.timedelta(seconds=backoff_seconds(msg.attempts, settings, rng))
            outcome = "retried"
    db.commit()
    return outcome


def run_once(
    *,
    settings: TicketSettings | None = None,
    session_factory: sessionmaker[Session] | None = None,
    client: httpx.Client | None = None,
    now: Callable[[], dt.datetime] = _utcnow,
    rng: random.Random | None = None,
) -> RunStats:
    """Claim the due messages and try each once. Safe to run from several processes at once."""
    settings = settings or get_ticket_settings()
    factory = session_factory or get_sessionmaker()
    stats = RunStats()
    with factory() as db:
        claimed = _claim(db, now=now(), settings=settings)
    stats.claimed = len(claimed)
    if not claimed:
        return stats
    own_client = client is None
    http = client or httpx.Client(timeout=settings.http_timeout_s)
    try:
        for msg in claimed:
            error: Exception | None = None
            try:
                deliver(msg, settings=settings, client=http)
            except Exception as exc:  # any failure is recorded and retried
                error = exc
                logger.warning("outbox %s (%s) attempt failed: %s", msg.id, msg.kind, type(exc).__name__)
            with factory() as db:
                outcome = _record(db, msg.id, error=error, now=now(), settings=settings, rng=rng)
            if outcome == "delivered":
                stats.delivered += 1
            elif outcome == "retried":
                stats.retried += 1
            elif outcome == "failed":
                stats.failed += 1
                logger.error("outbox %s (%s) failed for good", msg.id, msg.kind)
    finally:
        if own_client:
            http.close()
    return stats


def retry_failed(db: Session, msg_id: str, *, actor: str, now: dt.datetime | None = None) -> OutboxMessage:
    """A handler puts a failed (or waiting) delivery back in the queue with a fresh attempt budget."""
    now = now or _utcnow()
    msg = db.get(OutboxMessage, msg_id)
    if msg is None:
        raise LookupError(msg_id)
    msg.status = OutboxStatus.pending.value
    msg.attempts = 0
    msg.next_attempt_at = now
    msg.locked_until = None
    if msg.ticket_id is not None:
        db.add(
            TicketEvent(
                ticket_id=msg.ticket_id, at=now, actor=actor, kind=EventKind.note.value, note=f"重新投递 {msg.kind}"
            )
        )
    db.commit()
    return msg


def delivery_label(msg: OutboxMessage, settings: TicketSettings) -> str:
    if msg.status == OutboxStatus.pending.value and not target_configured(msg.kind, settings):
        return texts.HOTLINE_UNCONFIGURED
    return texts.DELIVERY_STATUS.get(msg.status, msg.status)


# ---- background worker ----


async def _worker_loop(stop: asyncio.Event) -> None:
    interval = get_ticket_settings().outbox_poll_interval_s
    logger.info("outbox worker started (every %.1fs)", interval)
    while not stop.is_set():
        try:
            stats = await asyncio.to_thread(run_once)
            if stats.claimed:
                logger.info(
                    "outbox: %s claimed, %s delivered, %s retried, %s failed",
                    stats.claimed,
                    stats.delivered,
                    stats.retried,
                    stats.failed,
                )
        except Exception:
            logger.exception("outbox worker round failed")
        with suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), timeout=interval)
    logger.info("outbox worker stopped")


async def start_outbox_worker(app: Any) -> None:
    """Start the delivery loop as a background task stored on ``app.state``."""
    if getattr(app.state, "outbox_task", None) is not None:
        return
    stop = asyncio.Event()
    app.state.outbox_stop = stop
    app.state.outbox_task = asyncio.create_task(_worker_loop(stop), name="tickets-outbox")


async def stop_outbox_worker(app: Any) -> None:
    task: asyncio.Task[None] | None = getattr(app.state, "outbox_task", None)
    if task is None:
        return
    app.state.outbox_stop.set()
    try:
        await asyncio.wait_for(task, timeout=10)
    except TimeoutError:
        task.cancel()
    app.state.outbox_task = None


@asynccontextmanager
async def outbox_worker(app: Any) -> AsyncIterator[None]:
    await start_outbox_worker(app)
    try:
        yield
    finally:
        await stop_outbox_worker(app)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deliver due outbox messages once.")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stats = run_once()
    print(f"claimed={stats.claimed} delivered={stats.delivered} retried={stats.retried} failed={stats.failed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
