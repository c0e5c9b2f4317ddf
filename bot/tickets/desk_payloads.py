"""What the handler desk shows of a ticket: its row in the queue and its detail with history and deliveries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from fastapi import HTTPException, status
from sqlalchemy import select

from bot.tickets import errors, outbox, privacy, queries, texts
from bot.tickets.clock import Clockwork, local_today
from bot.tickets.config import get_ticket_settings
from bot.tickets.dependencies import SessionDep
from bot.tickets.enums import OutboxKind, TicketStatus
from bot.tickets.models import HandlerUser, OutboxMessage, Ticket
from bot.tickets.schemas import DeliveryOut, EventOut, ExcerptTurn, RectificationOut, TicketDetail, TicketSummary


def http_error(exc: errors.TicketError) -> HTTPException:
    return HTTPException(exc.status_code, str(exc))


def hotline_labels(db: SessionDep, tickets: Sequence[Ticket]) -> dict[int, str]:
    ids = [t.id for t in tickets]
    if not ids:
        return {}
    settings = get_ticket_settings()
    rows = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.ticket_id.in_(ids), OutboxMessage.kind == OutboxKind.hotline_12345.value)
        .order_by(OutboxMessage.created_at)
    )
    return {m.ticket_id: outbox.delivery_label(m, settings) for m in rows if m.ticket_id is not None}


def summary_of(t: Ticket, *, today: dt.date, soon: dt.date, hotline: str | None) -> TicketSummary:
    return TicketSummary(
        number=t.number,
        item_name=t.item_name,
        office=t.office,
        status=TicketStatus(t.status),
        assignee=t.assignee,
        created_at=t.created_at,
        ack_due=t.ack_due,
        resolve_due=t.resolve_due,
        overdue=queries.is_overdue(t, today),
        due_soon=queries.is_due_soon(t, today, soon_limit=soon),
        contact_masked=t.contact_masked,
        rating=t.rating,
        rectification_status=t.rectification.status if t.rectification else None,
        hotline=hotline,
        paused=t.paused_at is not None,
        paused_days_left=t.paused_days_left,
    )


def detail_of(
    db: SessionDep,
    number: str,
    *,
    user: HandlerUser,
    now: dt.datetime,
    clock: Clockwork,
    reveal_contact: bool = False,
) -> TicketDetail:
    """The ticket for a handler of its office (or an admin); the raw contact only when ``reveal_contact``
    (the detail view), and each such view is recorded as a ``contact_viewed`` event."""
    try:
        t = queries.get_ticket_full(db, number)
    except errors.TicketError as exc:
        raise http_error(exc) from None
    if not privacy.may_see(user, t):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
    contact = privacy.reveal_contact(db, t, user, now=now) if reveal_contact else None
    if contact is not None:
        t = queries.get_ticket_full(db, number)  # reload: the view event is part of the history shown
    settings = get_ticket_settings()
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    deliveries = db.scalars(
        select(OutboxMessage).where(OutboxMessage.ticket_id == t.id).order_by(OutboxMessage.created_at)
    ).all()
    hotline = next(
        (outbox.delivery_label(m, settings) for m in reversed(deliveries) if m.kind == OutboxKind.hotline_12345),
        None,
    )
    base = summary_of(t, today=today, soon=soon, hotline=hotline)
    rect = None
    if t.rectification is not None:
        rect = RectificationOut.model_validate(t.rectification)
        rect.overdue = t.rectification.status == "open" and today > t.rectification.due
    current = TicketStatus(t.status)
    from bot.tickets.enums import TRANSITIONS

    return TicketDetail(
        **base.model_dump(),
        item_code=t.item_code,
        category=t.category,
        routed_by=t.routed_by,
        description=t.description,
        place=t.place,
        contact=contact or t.contact_masked,
        channel=t.channel,
        session_id=t.session_id,
        excerpt=[ExcerptTurn.model_validate(x) for x in (t.excerpt or [])],
        reply_text=t.reply_text,
        rating_comment=t.rating_comment,
        events=[
            EventOut.model_validate(e).model_copy(update={"kind_label": texts.EVENT_KIND.get(e.kind, e.kind)})
            for e in t.events
        ],
        deliveries=[
            DeliveryOut(
                id=m.id,
                kind=m.kind,
                status=m.status,
                status_label=outbox.delivery_label(m, settings),
                attempts=m.attempts,
                last_error=m.last_error,
                next_attempt_at=m.next_attempt_at if m.status == "pending" else None,
                delivered_at=m.delivered_at,
            )
            for m in deliveries
        ],
        rectification=rect,
        allowed_statuses=sorted(TRANSITIONS.get(current, frozenset()), key=list(TicketStatus).index),
    )


def ticket_view(db: SessionDep, number: str, *, user: HandlerUser, now: dt.datetime, clock: Clockwork) -> TicketDetail:
    """The ticket as an action's answer shows it (masked contact), for routers outside this module (挂起)."""
    return detail_of(db, number, user=user, now=now, clock=clock)
