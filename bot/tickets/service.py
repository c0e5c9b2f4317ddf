"""The ticket workflow: creation, status changes, replies, 12345 forwarding, closure, rating, 整改.

Every mutating function commits its own transaction and appends a ``TicketEvent`` for each change.
Messages to the citizen are written in the same transaction (web inbox) or through the outbox.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import secrets
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from bot.channels import web_inbox
from bot.channels.base import Button, OutgoingMessage, channel_for_session
from bot.pii import mask_text
from bot.tickets import contact_vault, outbox, pii_crypto, texts
from bot.tickets.config import TicketSettings, get_ticket_settings
from bot.tickets.enums import (
    BAD_RATINGS,
    OPEN_STATUSES,
    EventKind,
    OutboxKind,
    Rating,
    RectificationStatus,
    TicketStatus,
    can_transition,
)
from bot.tickets.models import OutboxMessage, Rectification, Ticket, TicketCounter, TicketEvent
from bot.tickets.routing import get_item_categories, get_routing, route
from bot.tickets.schemas import RatingIn, RatingOut, TicketCreate, TicketCreated
from bot.tickets.working_days import (
    DeadlineConfig,
    WorkCalendar,
    get_calendar,
    get_deadline_config,
    ticket_deadlines,
)
from knowledge import ticket_numbers

logger = logging.getLogger(__name__)


class TicketError(Exception):
    """Base of the errors a router turns into an HTTP status."""

    status_code = 400


class NotFoundError(TicketError):
    status_code = 404


class ConflictError(TicketError):
    status_code = 409


class ForbiddenError(TicketError):
    status_code = 403


class InvalidError(TicketError):
    status_code = 422


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def local_today(now: dt.datetime, settings: TicketSettings | None = None) -> dt.date:
    settings = settings or get_ticket_settings()
    return now.astimezone(ZoneInfo(settings.timezone)).date()


# BBC-20261122-0007-KXQRT: prefix, local day, daily sequence, random check code (cannot be guessed).
_NUMBER_NOISE_RE = re.compile(r"[\s\-_‐‑‒–—―－·.]+")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I/O: never mistaken for 1/0
CODE_LENGTH = 5


def normalise_number(raw: str) -> str:
    """Accept ``BBC-20261122-0007-KXQRT``, ``bbc 20261122 0007 kxqrt``, ``BBC202611220007KXQRT`` (and
    full-width forms, any dashes: knowledge/ticket_numbers.py); return the canonical form, or the text without
    separators when it holds no number. Numbers issued before the check code keep working."""
    found = ticket_numbers.find_number(raw or "")
    if found is not None:
        return found
    return _NUMBER_NOISE_RE.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def new_check_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _bump_counter(db: Session, day: str) -> int:
    """Atomic per-day sequence: INSERT … ON CONFLICT DO UPDATE … RETURNING (row-locked on both databases)."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = (
        insert(TicketCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=[TicketCounter.day], set_={"last": TicketCounter.last + 1})
        .returning(TicketCounter.last)
    )
    return int(db.execute(stmt).scalar_one())


def next_number(db: Session, today: dt.date, *, prefix: str) -> str:
    day = today.strftime("%Y%m%d")
    seq = _bump_counter(db, day)
    return f"{prefix}-{day}-{seq:04d}-{new_check_code()}"


def _event(
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


def _find_existing(db: Session, session_id: str, key: str) -> Ticket | None:
    return db.scalar(select(Ticket).where(Ticket.session_id == session_id, Ticket.idempotency_key == key))


@dataclass(frozen=True)
class Clockwork:
    """The calendar and rules a service call needs (injected in tests)."""

    calendar: WorkCalendar
    deadlines: DeadlineConfig

    @classmethod
    def default(cls) -> Clockwork:
        return cls(get_calendar(), get_deadline_config())


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
        _event(
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
                payload={"event": "ticket_created", **_public_payload(ticket)},
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


def _public_payload(ticket: Ticket) -> dict[str, object]:
    return {
        "number": ticket.number,
        "item_code": ticket.item_code,
        "item_name": ticket.item_name,
        "office": ticket.office,
        "status": ticket.status,
        "resolve_due": ticket.resolve_due.isoformat(),
    }


def _push_to_citizen(db: Session, ticket: Ticket, message: OutgoingMessage, *, now: dt.datetime) -> None:
    if ticket.channel == "web":
        web_inbox.add(db, ticket.session_id, message)
        return
    outbox.enqueue(
        db,
        kind=OutboxKind.channel,
        ticket_id=ticket.id,
        payload={"channel": ticket.channel, "session_id": ticket.session_id, "message": message.model_dump()},
        now=now,
    )


def _set_status(
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
    _event(
        db,
        ticket,
        actor=actor,
        kind=EventKind.status,
        now=now,
        from_status=current.value,
        to_status=target.value,
        note=note,
    )


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
    _set_status(db, ticket, target, actor=actor, now=now, note=note)
    db.commit()
    return ticket


def assign(db: Session, ticket: Ticket, assignee: str | None, *, actor: str, now: dt.datetime | None = None) -> Ticket:
    now = now or utcnow()
    previous = ticket.assignee
    ticket.assignee = assignee
    ticket.updated_at = now
    _event(db, ticket, actor=actor, kind=EventKind.assign, now=now, note=f"{previous or '-'} → {assignee or '-'}")
    db.commit()
    return ticket


def add_note(db: Session, ticket: Ticket, note: str, *, actor: str, now: dt.datetime | None = None) -> Ticket:
    now = now or utcnow()
    _event(db, ticket, actor=actor, kind=EventKind.note, now=now, note=note)
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
    _event(db, ticket, actor=actor, kind=EventKind.reroute, now=now, note=f"{previous} → {office}：{note or ''}")
    _set_status(db, ticket, TicketStatus.returned, actor=actor, now=now, note=note)
    ticket.updated_at = now
    db.commit()
    return ticket


def reply(db: Session, ticket: Ticket, text: str, *, actor: str, now: dt.datetime | None = None) -> Ticket:
    """Answer the citizen: the text reaches their chat and the ticket becomes 已答复."""
    now = now or utcnow()
    if TicketStatus(ticket.status) is TicketStatus.closed:
        raise ConflictError("ticket is closed; reopen it first")
    _set_status(db, ticket, TicketStatus.answered, actor=actor, now=now, note=None)
    ticket.reply_text = text
    ticket.replied_at = now
    ticket.updated_at = now
    _event(db, ticket, actor=actor, kind=EventKind.reply, now=now, note=text)
    message = OutgoingMessage(
        text=texts.REPLY_TO_CITIZEN.format(number=ticket.number, office=ticket.office, text=text),
        meta={"kind": "ticket_reply", "ticket": {"number": ticket.number, "status": ticket.status}},
    )
    _push_to_citizen(db, ticket, message, now=now)
    db.commit()
    logger.info("ticket %s answered by %s", ticket.number, actor)
    return ticket


def hotline_payload(ticket: Ticket, *, note: str | None, settings: TicketSettings) -> dict[str, object]:
    contact = ticket.contact_masked
    if settings.hotline_send_raw_contact and ticket.contact_encrypted:
        contact = pii_crypto.decrypt(ticket.contact_encrypted)
    return {
        **_public_payload(ticket),
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
            _set_status(db, ticket, TicketStatus.forwarded, actor=actor, now=now, note=note)
        db.commit()
        return ticket
    _set_status(db, ticket, TicketStatus.forwarded, actor=actor, now=now, note=note)
    outbox.enqueue(
        db,
        kind=OutboxKind.hotline_12345,
        ticket_id=ticket.id,
        payload=hotline_payload(ticket, note=note, settings=settings),
        now=now,
        dedup_key=key,
    )
    _event(db, ticket, actor=actor, kind=EventKind.forward, now=now, note=note)
    _push_to_citizen(db, ticket, OutgoingMessage(text=texts.FORWARDED_NOTICE.format(number=ticket.number)), now=now)
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


def rating_message(number: str) -> OutgoingMessage:
    return OutgoingMessage(
        text=texts.RATING_REQUEST.format(number=number),
        buttons=[
            Button(
                title=r.value,
                payload="/rate_ticket" + json.dumps({"ticket_number": number, "rating": r.value}, ensure_ascii=False),
            )
            for r in Rating
        ],
        meta={"kind": "rating_request", "ticket": {"number": number}},
    )


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
    _set_status(db, ticket, TicketStatus.closed, actor=actor, now=now, note=note)
    _push_to_citizen(db, ticket, OutgoingMessage(text=texts.CLOSED_NOTICE.format(number=ticket.number)), now=now)
    _push_to_citizen(db, ticket, rating_message(ticket.number), now=now)
    db.commit()
    return ticket


def reopen(
    db: Session, ticket: Ticket, *, actor: str, note: str | None = None, now: dt.datetime | None = None
) -> Ticket:
    now = now or utcnow()
    if TicketStatus(ticket.status) is not TicketStatus.closed:
        raise ConflictError("only a closed ticket can be reopened")
    _set_status(db, ticket, TicketStatus.in_progress, actor=actor, now=now, note=note or "重新办理")
    ticket.closed_at = None
    db.commit()
    return ticket


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
    _event(db, ticket, actor=texts.ACTOR_CITIZEN, kind=EventKind.rating, now=now, note=data.rating.value)
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
        _event(
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
    _event(
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
    _event(db, ticket, actor=actor, kind=EventKind.rectification_closed, now=now, note=rect.callback_note)
    db.commit()
    return rect


# ---- flags and queries ----


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


def local_day_start(day: dt.date) -> dt.datetime:
    """Midnight of a local calendar day, as an aware datetime (for created-at ranges)."""
    return dt.datetime.combine(day, dt.time(0), tzinfo=ZoneInfo(get_ticket_settings().timezone))


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
