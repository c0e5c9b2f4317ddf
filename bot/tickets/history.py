"""A ticket's history: every change appends a ``TicketEvent``; status moves are checked against the workflow."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.tickets.enums import EventKind, TicketStatus, can_transition
from bot.tickets.errors import ConflictError
from bot.tickets.models import Ticket, TicketEvent


def record_event(
    db: Session,
    ticket: Ticket,
    *,
    actor: str,
    kind: EventKind,
    now: dt.datetime,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
) -> None:
    db.add(
        TicketEvent(
            ticket_id=ticket.id,
            at=now,
            actor=actor,
            kind=kind.value,
            from_status=from_status,
            to_status=to_status,
            note=note,
        )
    )


def set_status(
    db: Session, ticket: Ticket, target: TicketStatus, *, actor: str, now: dt.datetime, note: str | None
) -> None:
    current = TicketStatus(ticket.status)
    if current == target:
        return
    if not can_transition(current, target):
        raise ConflictError(f"cannot go from {current.value} to {target.value}")
    ticket.status = target.value
    ticket.updated_at = now
    if ticket.acknowledged_at is None and current is TicketStatus.submitted:
        ticket.acknowledged_at = now
    if target is TicketStatus.closed:
        ticket.closed_at = now
    record_event(
        db,
        ticket,
        actor=actor,
        kind=EventKind.status,
        now=now,
        from_status=current.value,
        to_status=target.value,
        note=note,
    )
