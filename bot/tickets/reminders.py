"""What the deadline scheduler sends on a working day, each notification once per (ticket, kind, deadline):

- ``due_soon``: the resolve deadline is within ``due_soon`` working days → the assignee, else the office;
- ``overdue``: the resolve deadline has passed → escalation to the office's supervisor and the triage admin;
- ``rectification_due_soon`` / ``rectification_overdue``: the 整改 (with its call-back) is due or late →
  the office, and when late also the supervisor.

Each one is a ``notify`` outbox message, a ``ticket_reminders`` row (its unique key makes a second send
impossible) and a ``reminder`` event on the ticket, all in one transaction. Paused (挂起) tickets are skipped.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bot.tickets import outbox
from bot.tickets.clock import Clockwork
from bot.tickets.enums import EventKind, OutboxKind, RectificationStatus, TicketStatus
from bot.tickets.models import Rectification, Ticket, TicketEvent
from bot.tickets.operations_config import OperationsSettings
from bot.tickets.operations_models import TicketReminder

logger = logging.getLogger(__name__)

LABELS = {
    "due_soon": "即将到期提醒",
    "overdue": "超期督办",
    "rectification_due_soon": "整改及回访到期提醒",
    "rectification_overdue": "整改及回访超期督办",
}


def _recipients(kind: str, ticket: Ticket, settings: OperationsSettings) -> list[dict[str, str]]:
    handler = {"role": "handler", "username": ticket.assignee} if ticket.assignee else {"role": "office"}
    handler["office"] = ticket.office
    supervisor = {"role": "supervisor", "office": ticket.office}
    triage = {"role": "triage_admin", "name": settings.triage_admin}
    if kind == "due_soon":
        return [handler]
    if kind == "overdue":
        return [supervisor, triage]
    if kind == "rectification_due_soon":
        return [handler]
    return [handler, supervisor]


def _send(
    db: Session, ticket: Ticket, kind: str, due: dt.date, *, now: dt.datetime, settings: OperationsSettings
) -> bool:
    """One notification in a savepoint; False when it was already sent (the unique key refused it)."""
    payload: dict[str, Any] = {
        "event": f"deadline_{kind}",
        "label": LABELS[kind],
        "number": ticket.number,
        "item_name": ticket.item_name,
        "office": ticket.office,
        "status": ticket.status,
        "due": due.isoformat(),
        "to": _recipients(kind, ticket, settings),
    }
    try:
        with db.begin_nested():
            reminder = TicketReminder(ticket_id=ticket.id, kind=kind, due=due, sent_at=now)
            db.add(reminder)
            db.flush()
            msg = outbox.enqueue(db, kind=OutboxKind.notify, ticket_id=ticket.id, payload=payload, now=now)
            db.flush()
            reminder.outbox_id = msg.id
            who = "、".join(r.get("username") or r.get("name") or f"{r['office']}{r['role']}" for r in payload["to"])
            db.add(
                TicketEvent(
                    ticket_id=ticket.id,
                    at=now,
                    actor="系统",
                    kind=EventKind.reminder.value,
                    note=f"{LABELS[kind]}（期限 {due.isoformat()}）→ {who}",
                )
            )
    except IntegrityError:
        return False
    return True


def send_due_notifications(
    db: Session, *, today: dt.date, now: dt.datetime, clock: Clockwork, settings: OperationsSettings
) -> Counter[str]:
    sent: Counter[str] = Counter()
    soon_limit = clock.calendar.add_working_days(today, clock.deadlines.due_soon)
    tickets = db.scalars(
        select(Ticket).where(
            Ticket.status != TicketStatus.closed.value, Ticket.paused_at.is_(None), Ticket.resolve_due <= soon_limit
        )
    ).all()
    for ticket in tickets:
        kind = "overdue" if today > ticket.resolve_due else "due_soon"
        if _send(db, ticket, kind, ticket.resolve_due, now=now, settings=settings):
            sent[kind] += 1
    rect_limit = clock.calendar.add_working_days(today, settings.rectification_due_soon_days)
    rows = db.execute(
        select(Rectification, Ticket)
        .join(Ticket, Ticket.id == Rectification.ticket_id)
        .where(Rectification.status == RectificationStatus.open.value, Rectification.due <= rect_limit)
    ).all()
    for rect, ticket in rows:
        kind = "rectification_overdue" if today > rect.due else "rectification_due_soon"
        if _send(db, ticket, kind, rect.due, now=now, settings=settings):
            sent[kind] += 1
    db.commit()
    return sent
