"""The handler's workflow moves: status, assignment, notes, 退回/改派, reply, 办结 and reopening.

Every function commits its own transaction and appends a ``TicketEvent`` for each change; messages to the
citizen are written in the same transaction (web inbox) or through the outbox.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.orm import Session

from bot.channels.base import OutgoingMessage
from bot.tickets import texts
from bot.tickets.clock import utcnow
from bot.tickets.enums import EventKind, TicketStatus, can_transition
from bot.tickets.errors import ConflictError, InvalidError
from bot.tickets.history import record_event, set_status
from bot.tickets.messages import push_to_citizen, rating_message
from bot.tickets.models import Ticket
from bot.tickets.routing import get_routing

logger = logging.getLogger(__name__)


def change_status(
    db: Session,
    ticket: Ticket,
    target: TicketStatus,
    *,
    actor: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Plain workflow moves (受理, 办理中, 退回/改派); reply/forward/close/reopen have their own functions."""
    if target in (TicketStatus.answered, TicketStatus.forwarded, TicketStatus.closed):
        raise InvalidError("use reply / forward / close for this status")
    now = now or utcnow()
    if TicketStatus(ticket.status) is TicketStatus.closed:
        raise ConflictError("ticket is closed; reopen it first")
    set_status(db, ticket, target, actor=actor, now=now, note=note)
    db.commit()
    return ticket


def assign(db: Session, ticket: Ticket, assignee: str | None, *, actor: str, now: dt.datetime | None = None) -> Ticket:
    now = now or utcnow()
    previous = ticket.assignee
    ticket.assignee = assignee
    ticket.updated_at = now
    record_event(db, ticket, actor=actor, kind=EventKind.assign, now=now, note=f"{previous or '-'} → {assignee or '-'}")
    db.commit()
    return ticket


def add_note(db: Session, ticket: Ticket, note: str, *, actor: str, now: dt.datetime | None = None) -> Ticket:
    now = now or utcnow()
    record_event(db, ticket, actor=actor, kind=EventKind.note, now=now, note=note)
    ticket.updated_at = now
    db.commit()
    return ticket


def reroute(
    db: Session,
    ticket: Ticket,
    office: str,
    *,
    actor: str,
    note: str | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """退回/改派: move the ticket to another office (or back to triage)."""
    now = now or utcnow()
    if TicketStatus(ticket.status) is TicketStatus.closed:
        raise ConflictError("ticket is closed")
    if office not in get_routing().all_offices():
        raise InvalidError("unknown office")
    previous = ticket.office
    ticket.office = office
    ticket.routed_by = "manual"
    ticket.assignee = None
    record_event(db, ticket, actor=actor, kind=EventKind.reroute, now=now, note=f"{previous} → {office}：{note or ''}")
    set_status(db, ticket, TicketStatus.returned, actor=actor, now=now, note=note)
    ticket.updated_at = now
    db.commit()
    return ticket


def reply(db: Session, ticket: Ticket, text: str, *, actor: str, now: dt.datetime | None = None) -> Ticket:
    """Answer the citizen: the text reaches their chat and the ticket becomes 已答复."""
    now = now or utcnow()
    if TicketStatus(ticket.status) is TicketStatus.closed:
        raise ConflictError("ticket is closed; reopen it first")
    set_status(db, ticket, TicketStatus.answered, actor=actor, now=now, note=None)
    ticket.reply_text = text
    ticket.replied_at = now
    ticket.updated_at = now
    record_event(db, ticket, actor=actor, kind=EventKind.reply, now=now, note=text)
    message = OutgoingMessage(
        text=texts.REPLY_TO_CITIZEN.format(number=ticket.number, office=ticket.office, text=text),
        meta={"kind": "ticket_reply", "ticket": {"number": ticket.number, "status": ticket.status}},
    )
    push_to_citizen(db, ticket, message, now=now)
    db.commit()
    logger.info("ticket %s answered by %s", ticket.number, actor)
    return ticket


def close(
    db: Session, ticket: Ticket, *, actor: str, note: str | None = None, now: dt.datetime | None = None
) -> Ticket:
    """办结: needs an answer first (or a 12345 forward); the citizen is asked to rate."""
    now = now or utcnow()
    current = TicketStatus(ticket.status)
    if current is TicketStatus.closed:
        return ticket
    if not can_transition(current, TicketStatus.closed):
        raise ConflictError("reply to the citizen before closing")
    set_status(db, ticket, TicketStatus.closed, actor=actor, now=now, note=note)
    push_to_citizen(db, ticket, OutgoingMessage(text=texts.CLOSED_NOTICE.format(number=ticket.number)), now=now)
    push_to_citizen(db, ticket, rating_message(ticket.number), now=now)
    db.commit()
    return ticket


def reopen(
    db: Session, ticket: Ticket, *, actor: str, note: str | None = None, now: dt.datetime | None = None
) -> Ticket:
    now = now or utcnow()
    if TicketStatus(ticket.status) is not TicketStatus.closed:
        raise ConflictError("only a closed ticket can be reopened")
    set_status(db, ticket, TicketStatus.in_progress, actor=actor, now=now, note=note or "重新办理")
    ticket.closed_at = None
    db.commit()
    return ticket
