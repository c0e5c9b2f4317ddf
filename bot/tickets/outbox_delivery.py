"""Outbox delivery: lease each due message, send it, record the outcome (retry with backoff, or give up).

- each message is leased on its own, just before it is sent, for ``OUTBOX_LEASE_S`` (checked to be
  at least 4 × the HTTP timeout, so no attempt outlives its lease), with a fresh lease token;
- the outcome is recorded only by the holder of that token (compare-and-set): a stalled worker
  whose lease was taken over records nothing;
- the message's ``dedup_key`` (else its id) is the ``Idempotency-Key`` the receiver sees on every attempt;
- failures are retried with exponential backoff and jitter capped at ``OUTBOX_BACKOFF_MAX_S`` (an
  hour) for ``OUTBOX_RETRY_WINDOW_S`` (a working day) from the first attempt, then ``failed``: the
  ticket gets a ``delivery_failed`` event and the desk an alert until a handler re-queues it.

The app runs ``outbox_job()`` every ``OUTBOX_POLL_INTERVAL_S`` (``bot/jobs.py``); the shell runs one
round with ``python -m bot.tickets.outbox``.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import OutgoingMessage, get_adapter
from bot.db import get_sessionmaker
from bot.jobs import PeriodicJob
from bot.tickets import texts
from bot.tickets.clock import utcnow
from bot.tickets.config import TicketSettings, get_ticket_settings
from bot.tickets.enums import EventKind, OutboxKind, OutboxStatus
from bot.tickets.models import OutboxMessage, TicketEvent

logger = logging.getLogger(__name__)


def _new_token() -> str:
    return uuid.uuid4().hex


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
    now: Callable[[], dt.datetime] = utcnow,
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


def _deliver_round() -> None:
    stats = run_once()
    if stats.claimed:
        logger.info(
            "outbox: %s claimed, %s delivered, %s retried, %s failed",
            stats.claimed,
            stats.delivered,
            stats.retried,
            stats.failed,
        )


def outbox_job() -> PeriodicJob:
    """The app's delivery loop: a round every ``OUTBOX_POLL_INTERVAL_S``."""
    return PeriodicJob("tickets-outbox", get_ticket_settings().outbox_poll_interval_s, _deliver_round)
