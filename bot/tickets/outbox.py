"""Transactional outbox: 12345 forwarding, handler notifications and non-web channel deliveries.

A message is inserted in the same transaction as the ticket change, so nothing is sent for a change
that did not commit and nothing committed is lost. Exactly one delivery per business event: a message
may carry a ``dedup_key`` naming the business event ("forward ticket N to 12345, round r"); enqueueing
the same event twice is one message. Sending, leases and retries: ``bot/tickets/outbox_delivery.py``.

Run one delivery round from the shell: ``python -m bot.tickets.outbox``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.tickets import texts
from bot.tickets.clock import utcnow
from bot.tickets.config import TicketSettings
from bot.tickets.enums import EventKind, OutboxKind, OutboxStatus
from bot.tickets.models import OutboxMessage, TicketEvent
from bot.tickets.outbox_delivery import run_once, target_configured

logger = logging.getLogger(__name__)


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
    now = now or utcnow()
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
    now = now or utcnow()
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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Deliver due outbox messages once.")
    parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    stats = run_once()
    print(f"claimed={stats.claimed} delivered={stats.delivered} retried={stats.retried} failed={stats.failed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
