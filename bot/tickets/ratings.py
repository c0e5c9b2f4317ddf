"""好差评 and 整改: the citizen's rating of a closed ticket; a bad rating opens a rectification with a deadline."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.pii import mask_text
from bot.tickets import texts
from bot.tickets.clock import Clockwork, local_today, utcnow
from bot.tickets.enums import BAD_RATINGS, EventKind, Rating, RectificationStatus, TicketStatus
from bot.tickets.errors import ConflictError, ForbiddenError, InvalidError, NotFoundError
from bot.tickets.history import record_event
from bot.tickets.models import Rectification, Ticket
from bot.tickets.schemas import RatingIn, RatingOut

logger = logging.getLogger(__name__)


def rate(
    db: Session, ticket: Ticket, data: RatingIn, *, now: dt.datetime | None = None, clock: Clockwork | None = None
) -> RatingOut:
    """好差评 by the citizen who filed the ticket; a bad rating opens a 整改 record with its deadline."""
    now = now or utcnow()
    if data.session_id != ticket.session_id:
        raise ForbiddenError("only the conversation that filed the ticket can rate it")
    if TicketStatus(ticket.status) is not TicketStatus.closed:
        raise ConflictError("the ticket is not closed yet")
    rect = db.scalar(select(Rectification).where(Rectification.ticket_id == ticket.id))
    if ticket.rating is not None:
        if ticket.rating != data.rating.value:
            raise ConflictError("the ticket is already rated")
        return _rating_out(ticket, rect)
    clock = clock or Clockwork.default()
    ticket.rating = data.rating.value
    ticket.rating_comment = mask_text(data.comment).text if data.comment else None
    ticket.rated_at = now
    record_event(db, ticket, actor=texts.ACTOR_CITIZEN, kind=EventKind.rating, now=now, note=data.rating.value)
    if data.rating in BAD_RATINGS and rect is None:
        due = clock.calendar.add_working_days(local_today(now), clock.deadlines.rectification)
        rect = Rectification(
            ticket_id=ticket.id,
            opened_at=now,
            due=due,
            status=RectificationStatus.open.value,
            reason=f"{data.rating.value}：{ticket.rating_comment or ''}",
        )
        db.add(rect)
        record_event(
            db,
            ticket,
            actor=texts.ACTOR_SYSTEM,
            kind=EventKind.rectification_opened,
            now=now,
            note=f"整改期限 {due.isoformat()}",
        )
    db.commit()
    logger.info("ticket %s rated %s", ticket.number, data.rating.value)
    return _rating_out(ticket, rect)


def _rating_out(ticket: Ticket, rect: Rectification | None) -> RatingOut:
    if rect is not None:
        msg = texts.RATING_THANKS + texts.RATING_BAD_FOLLOWUP.format(due=rect.due.isoformat())
    else:
        msg = texts.RATING_THANKS
    return RatingOut(
        number=ticket.number,
        rating=Rating(ticket.rating or ""),
        rectification_due=rect.due if rect else None,
        message=msg,
    )


def _open_rectification(db: Session, ticket: Ticket) -> Rectification:
    rect = db.scalar(select(Rectification).where(Rectification.ticket_id == ticket.id))
    if rect is None:
        raise NotFoundError("no rectification for this ticket")
    if rect.status == RectificationStatus.closed.value:
        raise ConflictError("rectification already closed")
    return rect


def save_rectification_note(
    db: Session,
    ticket: Ticket,
    *,
    actor: str,
    callback_note: str | None,
    measures: str | None,
    now: dt.datetime | None = None,
) -> Rectification:
    now = now or utcnow()
    rect = _open_rectification(db, ticket)
    if callback_note:
        rect.callback_note = callback_note.strip()
    if measures:
        rect.measures = measures.strip()
    record_event(
        db,
        ticket,
        actor=actor,
        kind=EventKind.rectification_note,
        now=now,
        note="；".join(x for x in (callback_note, measures) if x),
    )
    db.commit()
    return rect


def close_rectification(
    db: Session,
    ticket: Ticket,
    *,
    actor: str,
    callback_note: str | None = None,
    measures: str | None = None,
    now: dt.datetime | None = None,
) -> Rectification:
    """Close the 整改 record: a call-back note (回访记录) is required."""
    now = now or utcnow()
    rect = _open_rectification(db, ticket)
    if callback_note and callback_note.strip():
        rect.callback_note = callback_note.strip()
    if measures and measures.strip():
        rect.measures = measures.strip()
    if not (rect.callback_note and rect.callback_note.strip()):
        raise InvalidError("a call-back note is required before closing the rectification")
    rect.status = RectificationStatus.closed.value
    rect.closed_at = now
    rect.closed_by = actor
    record_event(db, ticket, actor=actor, kind=EventKind.rectification_closed, now=now, note=rect.callback_note)
    db.commit()
    return rect


# ---- flags and queries ----
