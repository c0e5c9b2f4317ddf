"""Transactional outbox: 12345 forwarding, handler notifications and non-web channel deliveries.

A message is inserted in the same transaction as the ticket change, so nothing is sent for a change
that did not commit and nothing committed is lost. Exactly one delivery per business event:

- each message is leased on its own, just before it is sent, for ``OUTBOX_LEASE_S`` (checked to be
  at least 4 × the HTTP timeout, so no attempt outlives its lease), with a fresh lease token;
- the outcome is recorded only by the holder of that token (compare-and-set): a stalled worker
  whose lease was taken over records nothing;
- a message may carry a ``dedup_key`` naming the business event ("forward ticket N to 12345,
  round r"); enqueueing the same event twice is one message, and the key is the ``Idempotency-Key``
  the receiver sees on every attempt;
- failures are retried with exponential backoff and jitter capped at ``OUTBOX_BACKOFF_MAX_S`` (an
  hour) for ``OUTBOX_RETRY_WINDOW_S`` (a working day) from the first attempt, then ``failed``: the
  ticket gets a ``delivery_failed`` event and the desk an alert until a handler re-queues it.

Runs as an asyncio task in the app (``start_outbox_worker``) or once from the shell:
``python -m bot.tickets.outbox``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import logging
import random
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
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


def _new_token() -> str:
    return uuid.uuid4().hex


def enqueue(
    db: Session,
    *,
    kind: OutboxKind,
    ticket_id: int | None,
    payload: dict[str, Any],
    now: dt.datetime | None = None,
    dedup_key: str | None = None,
) -> OutboxMessage:
    """Add a message in the caller's transaction (it is sent only if that transaction commits).

    ``dedup_key`` names the business event ("forward ticket 7 to 12345, round 0"): a second enqueue of
    the same event returns the message already queued (or sent) instead of adding another one.
    """
    now = now or _utcnow()
    if dedup_key is not None:
        existing = db.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if existing is not None:
            return existing
    msg = OutboxMessage(
        kind=kind.value,
        ticket_id=ticket_id,
        payload=payload,
        status=OutboxStatus.pending.value,
        attempts=0,
        next_attempt_at=now,
        created_at=now,
        dedup_key=dedup_key,
    )
    if dedup_key is None:
        db.add(msg)
        return msg
    try:
        with db.begin_nested():
            db.add(msg)
    except IntegrityError:  # another process queued the same event meanwhile
        existing = db.scalar(select(OutboxMessage).where(OutboxMessage.dedup_key == dedup_key))
        if existing is None:
            raise
        return existing
    return msg


def idempotency_key(msg: OutboxMessage) -> str:
    """The key the receiver deduplicates on: the business event's, else the message's own id."""
    return msg.dedup_key or msg.id


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
    raw = min(settings.outbox_backoff_max_s, settings.outbox_backoff_base_s * 2 ** min(max(attempts - 1, 0), 40))
    return raw * rng.uniform(0.5, 1.0)


def _post(client: httpx.Client, url: str, msg: OutboxMessage, token: str | None) -> None:
    headers = {"Idempotency-Key": idempotency_key(msg)}
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
    lost: int = 0


@dataclass(frozen=True)
class Claim:
    """One message held by one worker until ``until``; ``token`` proves it when recording the outcome."""

    msg: OutboxMessage
    token: str
    until: dt.datetime


def _due(now: dt.datetime) -> Any:
    return (
        OutboxMessage.status == OutboxStatus.pending.value,
        OutboxMessage.next_attempt_at <= now,
        or_(OutboxMessage.locked_until.is_(None), OutboxMessage.locked_until < now),
    )


def claim_one(db: Session, *, now: dt.datetime, settings: TicketSettings, skip: set[str] | None = None) -> Claim | None:
    """Lease the next due message whose target is configured (compare-and-set; one winner per message)."""
    skip = skip or set()
    candidates = db.scalars(
        select(OutboxMessage).where(*_due(now)).order_by(OutboxMessage.next_attempt_at).limit(settings.outbox_batch * 5)
    ).all()
    until = now + dt.timedelta(seconds=settings.outbox_lease_s)
    for msg in candidates:
        if msg.id in skip or not target_configured(msg.kind, settings):
            continue
        token = _new_token()
        res = db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == msg.id, *_due(now))
            .values(locked_until=until, lease_token=token, retry_since=func.coalesce(OutboxMessage.retry_since, now))
            .execution_options(synchronize_session=False)
        )
        if getattr(res, "rowcount", 0) == 1:
            db.commit()
            db.refresh(msg)
            return Claim(msg=msg, token=token, until=until)
    db.commit()
    return None


def _claim(db: Session, *, now: dt.datetime, settings: TicketSettings) -> list[Claim]:
    """Lease up to a batch of messages at once (for tests and tools; the worker leases one at a time)."""
    claims: list[Claim] = []
    while len(claims) < settings.outbox_batch:
        claim = claim_one(db, now=now, settings=settings, skip={c.msg.id for c in claims})
        if claim is None:
            break
        claims.append(claim)
    return claims


def _gives_up(msg: OutboxMessage, *, next_at: dt.datetime, settings: TicketSettings) -> bool:
    if settings.outbox_max_attempts is not None and msg.attempts >= settings.outbox_max_attempts:
        return True
    window_start = msg.retry_since or msg.created_at  # set at the first attempt
    return next_at > window_start + dt.timedelta(seconds=settings.outbox_retry_window_s)


def _record(
    db: Session,
    claim: Claim,
    *,
    error: Exception | None,
    now: dt.datetime,
    settings: TicketSettings,
    rng: random.Random | None,
) -> str:
    """Record one attempt's outcome, only if this claim still holds the message's lease.

    A worker whose lease ran out (and was re-claimed by another) records nothing: ``lost``. The row is
    locked (PostgreSQL ``FOR UPDATE``; SQLite's write lock) so a re-claim cannot slip in between.
    """
    msg = db.scalar(
        select(OutboxMessage)
        .where(
            OutboxMessage.id == claim.msg.id,
            OutboxMessage.lease_token == claim.token,
            OutboxMessage.status == OutboxStatus.pending.value,
        )
        .with_for_update()
    )
    if msg is None:
        db.commit()
        return "lost"
    msg.attempts += 1
    msg.locked_until = None
    msg.lease_token = None
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
        next_at = now + dt.timedelta(seconds=backoff_seconds(msg.attempts, settings, rng))
        if isinstance(error, PermanentError) or _gives_up(msg, next_at=next_at, settings=settings):
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
            msg.next_attempt_at = next_at
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
    """Deliver up to a batch of due messages, leasing each one just before sending it.

    Safe to run from several processes at once: each message is leased by one worker for
    ``OUTBOX_LEASE_S`` (longer than any attempt can take), and only that lease's holder records the result.
    """
    settings = settings or get_ticket_settings()
    factory = session_factory or get_sessionmaker()
    stats = RunStats()
    # The client is made only when there is something to send: this runs every OUTBOX_POLL_INTERVAL_S, and a
    # new httpx.Client builds an SSL context (tens of milliseconds of CPU) even for a round with nothing due.
    http = client
    seen: set[str] = set()
    try:
        while stats.claimed < settings.outbox_batch:
            with factory() as db:
                claim = claim_one(db, now=now(), settings=settings, skip=seen)
            if claim is None:
                break
            seen.add(claim.msg.id)
            stats.claimed += 1
            msg = claim.msg
            error: Exception | None = None
            try:
                http = http or httpx.Client(timeout=settings.http_timeout_s)
                deliver(msg, settings=settings, client=http)
            except Exception as exc:  # any failure is recorded and retried
                error = exc
                logger.warning("outbox %s (%s) attempt failed: %s", msg.id, msg.kind, type(exc).__name__)
            with factory() as db:
                outcome = _record(db, claim, error=error, now=now(), settings=settings, rng=rng)
            if outcome == "delivered":
                stats.delivered += 1
            elif outcome == "retried":
                stats.retried += 1
            elif outcome == "failed":
                stats.failed += 1
                logger.error("outbox %s (%s) failed for good", msg.id, msg.kind)
            else:
                stats.lost += 1
                logger.warning("outbox %s: lease lost before the outcome was recorded", msg.id)
    finally:
        if client is None and http is not None:
            http.close()
    return stats


def failed_count(db: Session) -> int:
    """Deliveries failed for good and waiting for a handler (the desk's alert)."""
    return int(
        db.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == OutboxStatus.failed.value)
        )
        or 0
    )


def retry_failed(db: Session, msg_id: str, *, actor: str, now: dt.datetime | None = None) -> OutboxMessage:
    """A handler puts a failed (or waiting) delivery back in the queue with a fresh attempt budget."""
    now = now or _utcnow()
    msg = db.get(OutboxMessage, msg_id)
    if msg is None:
        raise LookupError(msg_id)
    msg.status = OutboxStatus.pending.value
    msg.attempts = 0
    msg.next_attempt_at = now
    msg.retry_since = now
    msg.locked_until = None
    msg.lease_token = None
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
