"""Intake: a citizen's complaint becomes a ticket, routed to an office with its deadlines (idempotent per turn)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.channels.base import channel_for_session
from bot.pii import mask_text
from bot.tickets import contact_vault, outbox, pii_crypto, texts
from bot.tickets.clock import Clockwork, local_today, utcnow
from bot.tickets.config import get_ticket_settings
from bot.tickets.enums import EventKind, OutboxKind, TicketStatus
from bot.tickets.history import record_event
from bot.tickets.messages import public_payload
from bot.tickets.models import Ticket
from bot.tickets.numbers import next_number
from bot.tickets.routing import get_item_categories, get_routing, route
from bot.tickets.schemas import TicketCreate, TicketCreated
from bot.tickets.working_days import ticket_deadlines

logger = logging.getLogger(__name__)


def _find_existing(db: Session, session_id: str, key: str) -> Ticket | None:
    return db.scalar(select(Ticket).where(Ticket.session_id == session_id, Ticket.idempotency_key == key))


def create_ticket(
    db: Session, data: TicketCreate, *, now: dt.datetime | None = None, clock: Clockwork | None = None
) -> tuple[Ticket, bool]:
    """Create a ticket, or return the one this (session, idempotency key) already created."""
    now = now or utcnow()
    clock = clock or Clockwork.default()
    settings = get_ticket_settings()
    existing = _find_existing(db, data.session_id, data.idempotency_key)
    if existing is not None:
        db.commit()
        return existing, False
    rt = route(
        data.item_code,
        data.item_name,
        table=get_routing(),
        item_categories=get_item_categories(),
        category=data.category,
    )
    today = local_today(now, settings)
    due = ticket_deadlines(today, rt.category, calendar=clock.calendar, config=clock.deadlines)
    raw_contact = contact_vault.take(db, data.session_id, data.contact_masked, now=now) if data.contact_masked else None
    ticket = Ticket(
        number=next_number(db, today, prefix=settings.ticket_prefix),
        session_id=data.session_id,
        idempotency_key=data.idempotency_key,
        channel=channel_for_session(data.session_id, data.channel),
        item_code=data.item_code,
        item_name=data.item_name,
        category=rt.category,
        office=rt.office,
        routed_by=rt.routed_by,
        description=mask_text(data.description).text,
        place=mask_text(data.place).text if data.place else data.place,
        contact_masked=data.contact_masked,
        contact_encrypted=pii_crypto.encrypt(raw_contact) if raw_contact else None,
        excerpt=[{**t.model_dump(), "text": mask_text(t.text).text} for t in data.excerpt],
        status=TicketStatus.submitted.value,
        created_at=now,
        updated_at=now,
        ack_due=due.ack_due,
        resolve_due=due.resolve_due,
    )
    db.add(ticket)
    try:
        db.flush()
        record_event(
            db,
            ticket,
            actor=texts.ACTOR_CITIZEN,
            kind=EventKind.created,
            now=now,
            to_status=TicketStatus.submitted.value,
            note=f"{rt.office}（{texts.ROUTED_BY.get(rt.routed_by, rt.routed_by)}）",
        )
        if settings.notify_webhook_url:
            outbox.enqueue(
                db,
                kind=OutboxKind.notify,
                ticket_id=ticket.id,
                payload={"event": "ticket_created", **public_payload(ticket)},
                now=now,
            )
        db.commit()
    except IntegrityError:
        db.rollback()
        again = _find_existing(db, data.session_id, data.idempotency_key)
        if again is None:
            raise
        return again, False
    logger.info("ticket %s created for office %s", ticket.number, ticket.office)
    return ticket, True


def created_view(ticket: Ticket) -> TicketCreated:
    return TicketCreated(
        number=ticket.number,
        status=TicketStatus(ticket.status),
        office=ticket.office,
        ack_due=ticket.ack_due,
        resolve_due=ticket.resolve_due,
    )
