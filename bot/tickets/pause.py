"""挂起: while a ticket waits for the citizen its resolve clock stops; on resume the deadline is set again
from the working days that were left when it was paused."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from bot.tickets.clock import Clockwork, local_today
from bot.tickets.enums import EventKind, TicketStatus
from bot.tickets.errors import ConflictError
from bot.tickets.history import record_event
from bot.tickets.models import Ticket


def pause(db: Session, ticket: Ticket, *, actor: str, now: dt.datetime, clock: Clockwork, note: str | None) -> Ticket:
    if ticket.status == TicketStatus.closed.value:
        raise ConflictError("ticket is closed")
    if ticket.paused_at is not None:
        raise ConflictError("ticket is already paused")
    today = local_today(now)
    left = max(0, clock.calendar.working_days_between(today, ticket.resolve_due))
    ticket.paused_at = now
    ticket.paused_days_left = left
    ticket.updated_at = now
    text = f"挂起（等待群众）：剩余 {left} 个工作日" + (f"；{note}" if note else "")
    record_event(db, ticket, actor=actor, kind=EventKind.pause, now=now, note=text)
    db.commit()
    return ticket


def resume(db: Session, ticket: Ticket, *, actor: str, now: dt.datetime, clock: Clockwork) -> Ticket:
    if ticket.paused_at is None:
        raise ConflictError("ticket is not paused")
    left = ticket.paused_days_left or 0
    ticket.resolve_due = clock.calendar.add_working_days(local_today(now), left)
    ticket.paused_at = None
    ticket.paused_days_left = None
    ticket.updated_at = now
    note = f"恢复计时：剩余 {left} 个工作日，办结期限 {ticket.resolve_due.isoformat()}"
    record_event(db, ticket, actor=actor, kind=EventKind.pause, now=now, note=note)
    db.commit()
    return ticket
