"""Who may see what of a ticket: the citizen's status lookup, the handler's office scope, the audited view
of the contact number, and the retention of closed tickets' personal data."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.db import session_scope
from bot.tickets import pii_crypto, rate_limit, texts
from bot.tickets.config import TicketSettings, get_ticket_settings
from bot.tickets.enums import EventKind, Role, TicketStatus
from bot.tickets.history import record_event
from bot.tickets.models import HandlerUser, Ticket
from bot.tickets.numbers import normalise_number
from bot.tickets.schemas import CitizenStatus, StatusLookupIn, StatusLookupOut
from knowledge import ticket_numbers

logger = logging.getLogger(__name__)


class RateLimitedError(Exception):
    """Too many lookups from this session or address."""


# ---- the citizen's lookup ----


def _access(
    db: Session, ticket: Ticket, data: StatusLookupIn, *, now: dt.datetime, settings: TicketSettings
) -> str | None:
    """``"owner"`` for the filing conversation, ``"phone"`` for a matching last-four, else None.

    Wrong last-four digits count against the ticket (``phone_checks_per_ticket`` per ``phone_check_window_s``),
    whoever sends them: once spent, the digits are not checked for that ticket, so guessing them from many
    sessions and addresses gets nowhere; the answer looks the same as for any number not shown."""
    if secrets.compare_digest(ticket.session_id.encode(), data.session_id.encode()):
        return "owner"
    if not data.phone_last4 or not ticket.contact_encrypted:
        return None
    key = rate_limit.limit_key("phone-check", ticket.number)
    window = settings.phone_check_window_s
    if rate_limit.count(db, key, window_s=window, now=now) >= settings.phone_checks_per_ticket:
        logger.warning("status lookup: phone checks for a ticket used up")
        return None
    try:
        raw = pii_crypto.decrypt(ticket.contact_encrypted)
    except pii_crypto.PiiDecryptError:
        return None
    if secrets.compare_digest(raw[-4:].encode(), data.phone_last4.encode()):
        return "phone"
    rate_limit.hit(db, key, limit=settings.phone_checks_per_ticket, window_s=window, now=now)
    db.commit()
    return None


def citizen_view(ticket: Ticket, *, with_reply: bool) -> CitizenStatus:
    """Status, office and deadline (nothing of the contact); the handler's reply only for the owner."""
    answered = ticket.status in (TicketStatus.answered, TicketStatus.closed)
    reply = ticket.reply_text if with_reply and answered else None
    return CitizenStatus(
        number=ticket.number,
        status=TicketStatus(ticket.status),
        item_name=ticket.item_name,
        office=ticket.office,
        resolve_due=ticket.resolve_due,
        updated_at=ticket.updated_at,
        reply=reply,
    )


def lookup_status(
    db: Session,
    data: StatusLookupIn,
    *,
    now: dt.datetime,
    settings: TicketSettings | None = None,
) -> StatusLookupOut:
    """The ticket's status for the conversation that filed it, or for someone who also gives the last four
    digits of its contact phone; ``visible=False`` for everyone else and for unknown numbers alike.

    Every lookup counts against the session's limit (``RateLimitedError`` past it), found or not.
    """
    settings = settings or get_ticket_settings()
    allowed = rate_limit.hit(
        db,
        rate_limit.limit_key("lookup-session", data.session_id),
        limit=settings.lookup_limit_per_session,
        window_s=settings.lookup_window_s,
        now=now,
    )
    db.commit()
    if not allowed:
        raise RateLimitedError
    number = normalise_number(data.number)
    ticket = db.scalar(select(Ticket).where(Ticket.number == number))
    shown = ticket is not None and ticket.personal_data_removed_at is None
    access = _access(db, ticket, data, now=now, settings=settings) if ticket is not None and shown else None
    if ticket is None or access is None:
        logger.info("status lookup: nothing shown")
        return StatusLookupOut(visible=False)
    return StatusLookupOut(visible=True, ticket=citizen_view(ticket, with_reply=access == "owner"))


def mentions_ticket_number(text: str) -> bool:
    """True when a chat message holds something shaped like a ticket number (a lookup attempt;
    knowledge/ticket_numbers.py)."""
    return ticket_numbers.mentions_number(text)


def lookup_address_allowed(address: str) -> bool:
    """The chat gateway's per-address limiter (own transaction)."""
    with session_scope() as db:
        return address_allowed(db, address, now=dt.datetime.now(dt.UTC))


def address_allowed(db: Session, address: str, *, now: dt.datetime, settings: TicketSettings | None = None) -> bool:
    """Count one ticket lookup from a client address (the chat gateway calls this); False past the limit."""
    settings = settings or get_ticket_settings()
    ok = rate_limit.hit(
        db,
        rate_limit.limit_key("lookup-addr", address),
        limit=settings.lookup_limit_per_address,
        window_s=settings.lookup_window_s,
        now=now,
    )
    db.commit()
    return ok


# ---- handlers: office scope and the audited contact ----


def is_admin(user: HandlerUser) -> bool:
    return user.role == Role.admin.value


def scoped_office(user: HandlerUser, requested: str | None) -> tuple[bool, str | None]:
    """(allowed, office filter) for a queue/export request: handlers see only their own office."""
    if is_admin(user):
        return True, requested
    if not user.office or (requested and requested != user.office):
        return False, None
    return True, user.office


def may_see(user: HandlerUser, ticket: Ticket) -> bool:
    return is_admin(user) or (bool(user.office) and ticket.office == user.office)


def reveal_contact(db: Session, ticket: Ticket, user: HandlerUser, *, now: dt.datetime) -> str | None:
    """The raw contact phone for a handler of the ticket's office (or an admin); each view is an event."""
    if not ticket.contact_encrypted or not may_see(user, ticket):
        return None
    raw = pii_crypto.decrypt(ticket.contact_encrypted)
    record_event(db, ticket, actor=user.username, kind=EventKind.contact_viewed, now=now)
    db.commit()
    logger.info("ticket %s: contact viewed by %s", ticket.number, user.username)
    return raw


# ---- retention ----


def remove_expired_personal_data(db: Session, *, now: dt.datetime, days: int) -> int:
    """Anonymise closed tickets whose closure is older than ``days``: contact, description, place, excerpt,
    rating comment and the link to the conversation are removed; the case itself (item, office, dates,
    status, reply, rating) stays for statistics. Returns how many tickets were anonymised."""
    if days <= 0:
        return 0
    cutoff = now - dt.timedelta(days=days)
    rows = db.scalars(
        select(Ticket).where(
            Ticket.status == TicketStatus.closed.value,
            Ticket.closed_at.is_not(None),
            Ticket.closed_at < cutoff,
            Ticket.personal_data_removed_at.is_(None),
        )
    ).all()
    for t in rows:
        t.contact_encrypted = None
        t.contact_masked = None
        t.description = texts.PERSONAL_DATA_REMOVED
        t.place = None
        t.excerpt = []
        t.rating_comment = None
        t.session_id = f"anonymised-{t.id}"
        t.personal_data_removed_at = now
        record_event(db, t, actor=texts.ACTOR_SYSTEM, kind=EventKind.personal_data_removed, now=now, note=f"{days}")
    db.commit()
    if rows:
        logger.info("retention: personal data removed from %d closed ticket(s)", len(rows))
    return len(rows)
