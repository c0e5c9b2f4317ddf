"""Finding tickets: by number, the queue's filters, and the overdue / due-soon flags."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.orm import Session, selectinload

from bot.tickets.clock import Clockwork
from bot.tickets.enums import OPEN_STATUSES, RectificationStatus, TicketStatus
from bot.tickets.errors import NotFoundError
from bot.tickets.models import Rectification, Ticket
from bot.tickets.numbers import normalise_number


def get_ticket(db: Session, number: str) -> Ticket:
    ticket = db.scalar(select(Ticket).where(Ticket.number == normalise_number(number)))
    if ticket is None:
        raise NotFoundError("ticket not found")
    return ticket


def get_ticket_full(db: Session, number: str) -> Ticket:
    ticket = db.scalar(
        select(Ticket)
        .where(Ticket.number == normalise_number(number))
        .options(selectinload(Ticket.events), selectinload(Ticket.rectification))
        .execution_options(populate_existing=True)
    )
    if ticket is None:
        raise NotFoundError("ticket not found")
    return ticket


def is_overdue(ticket: Ticket, today: dt.date) -> bool:
    if ticket.status == TicketStatus.closed:
        return False
    if today > ticket.resolve_due:
        return True
    return ticket.status == TicketStatus.submitted and today > ticket.ack_due


def is_due_soon(ticket: Ticket, today: dt.date, *, soon_limit: dt.date) -> bool:
    if ticket.status == TicketStatus.closed or is_overdue(ticket, today):
        return False
    return ticket.resolve_due <= soon_limit


def due_soon_limit(today: dt.date, clock: Clockwork) -> dt.date:
    return clock.calendar.add_working_days(today, clock.deadlines.due_soon)


def _overdue_clause(today: dt.date):  # type: ignore[no-untyped-def]
    return and_(
        Ticket.status != TicketStatus.closed.value,
        or_(
            Ticket.resolve_due < today,
            and_(Ticket.status == TicketStatus.submitted.value, Ticket.ack_due < today),
        ),
    )


@dataclass(frozen=True)
class TicketFilter:
    office: str | None = None
    status: TicketStatus | None = None
    overdue: bool | None = None
    due_soon: bool | None = None
    rectification: bool | None = None  # only tickets with an open 整改
    assignee: str | None = None
    q: str | None = None
    created_from: dt.datetime | None = None
    created_before: dt.datetime | None = None


def ticket_query(f: TicketFilter, *, today: dt.date, soon_limit: dt.date) -> Select[Ticket]:
    stmt = select(Ticket)
    if f.office:
        stmt = stmt.where(Ticket.office == f.office)
    if f.status:
        stmt = stmt.where(Ticket.status == f.status.value)
    if f.assignee:
        stmt = stmt.where(Ticket.assignee == f.assignee)
    if f.created_from:
        stmt = stmt.where(Ticket.created_at >= f.created_from)
    if f.created_before:
        stmt = stmt.where(Ticket.created_at < f.created_before)
    if f.overdue is True:
        stmt = stmt.where(_overdue_clause(today))
    elif f.overdue is False:
        stmt = stmt.where(~_overdue_clause(today))
    if f.due_soon:
        stmt = stmt.where(
            Ticket.status != TicketStatus.closed.value,
            ~_overdue_clause(today),
            Ticket.resolve_due <= soon_limit,
        )
    if f.rectification:
        stmt = stmt.where(
            Ticket.id.in_(select(Rectification.ticket_id).where(Rectification.status == RectificationStatus.open.value))
        )
    if f.q:
        like = f"%{f.q.strip()}%"
        stmt = stmt.where(or_(Ticket.number.ilike(like), Ticket.item_name.ilike(like), Ticket.description.ilike(like)))
    return stmt


def list_tickets(
    db: Session, f: TicketFilter, *, today: dt.date, soon_limit: dt.date, limit: int = 50, offset: int = 0
) -> tuple[int, Sequence[Ticket]]:
    base = ticket_query(f, today=today, soon_limit=soon_limit)
    total = int(db.scalar(select(func.count()).select_from(base.subquery())) or 0)
    rows = db.scalars(
        base.options(selectinload(Ticket.rectification))
        .order_by(Ticket.resolve_due.asc(), Ticket.id.asc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, rows


def open_statuses() -> list[TicketStatus]:
    return sorted(OPEN_STATUSES, key=list(TicketStatus).index)
