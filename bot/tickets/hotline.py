"""转12345: forwarding a ticket to the 12345 hotline through the outbox, one delivery per business event."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.channels.base import OutgoingMessage
from bot.tickets import outbox, pii_crypto, texts
from bot.tickets.clock import utcnow
from bot.tickets.config import TicketSettings, get_ticket_settings
from bot.tickets.enums import EventKind, OutboxKind, TicketStatus
from bot.tickets.errors import ConflictError
from bot.tickets.history import record_event, set_status
from bot.tickets.messages import public_payload, push_to_citizen
from bot.tickets.models import OutboxMessage, Ticket, TicketEvent

logger = logging.getLogger(__name__)


def hotline_payload(ticket: Ticket, *, note: str | None, settings: TicketSettings) -> dict[str, object]:
    contact = ticket.contact_masked
    if settings.hotline_send_raw_contact and ticket.contact_encrypted:
        contact = pii_crypto.decrypt(ticket.contact_encrypted)
    return {
        **public_payload(ticket),
        "description": ticket.description,
        "place": ticket.place,
        "contact": contact,
        "submitted_at": ticket.created_at.isoformat(),
        "note": note,
    }


def forward_12345(
    db: Session, ticket: Ticket, *, actor: str, note: str | None = None, now: dt.datetime | None = None
) -> Ticket:
    """转12345: the status change and the outbox message commit together; delivery follows.

    One delivery per business event: forwarding a ticket already forwarded (with no handler reply since)
    changes nothing and sends nothing; after a reply, forwarding again is a new event and is sent again.
    """
    now = now or utcnow()
    settings = get_ticket_settings()
    if TicketStatus(ticket.status) is TicketStatus.closed:
        raise ConflictError("ticket is closed")
    key = hotline_dedup_key(db, ticket)
    if db.scalar(select(OutboxMessage.id).where(OutboxMessage.dedup_key == key)) is not None:
        logger.info("ticket %s already forwarded to 12345 (%s); nothing sent again", ticket.number, key)
        if TicketStatus(ticket.status) is not TicketStatus.forwarded:
            set_status(db, ticket, TicketStatus.forwarded, actor=actor, now=now, note=note)
        db.commit()
        return ticket
    set_status(db, ticket, TicketStatus.forwarded, actor=actor, now=now, note=note)
    outbox.enqueue(
        db,
        kind=OutboxKind.hotline_12345,
        ticket_id=ticket.id,
        payload=hotline_payload(ticket, note=note, settings=settings),
        now=now,
        dedup_key=key,
    )
    record_event(db, ticket, actor=actor, kind=EventKind.forward, now=now, note=note)
    push_to_citizen(db, ticket, OutgoingMessage(text=texts.FORWARDED_NOTICE.format(number=ticket.number)), now=now)
    db.commit()
    return ticket


def hotline_dedup_key(db: Session, ticket: Ticket) -> str:
    """The business event "forward this ticket to 12345", counted in rounds separated by handler replies."""
    replies = db.scalar(
        select(func.count())
        .select_from(TicketEvent)
        .where(TicketEvent.ticket_id == ticket.id, TicketEvent.kind == EventKind.reply.value)
    )
    return f"hotline_12345:{ticket.number}:{int(replies or 0)}"
