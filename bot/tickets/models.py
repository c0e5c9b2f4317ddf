"""SQLAlchemy models of the tickets domain. The schema itself is owned by the Alembic migrations."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from bot.db import Base, UTCDateTime
from bot.tickets.clock import utcnow


def new_id() -> str:
    return uuid.uuid4().hex


class HandlerUser(Base):
    __tablename__ = "handler_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(64), default="")
    password_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(16), default="handler")
    office: Mapped[str | None] = mapped_column(String(64), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class TicketCounter(Base):
    """Per-day sequence behind readable ticket numbers (incremented with an atomic upsert)."""

    __tablename__ = "ticket_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("session_id", "idempotency_key"),
        Index("ix_tickets_office_status", "office", "status"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    number: Mapped[str] = mapped_column(String(32), unique=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    idempotency_key: Mapped[str] = mapped_column(String(128))
    channel: Mapped[str] = mapped_column(String(32), default="web")
    item_code: Mapped[str | None] = mapped_column(String(128), nullable=True)
    item_name: Mapped[str] = mapped_column(String(200))
    category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    office: Mapped[str] = mapped_column(String(64))
    routed_by: Mapped[str] = mapped_column(String(16), default="item")  # item / category / triage / manual
    description: Mapped[str] = mapped_column(Text)
    place: Mapped[str | None] = mapped_column(String(200), nullable=True)
    contact_masked: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # Fernet token of the raw phone (bot.tickets.pii_crypto); decrypted only for the office's handlers.
    contact_encrypted: Mapped[str | None] = mapped_column(Text, nullable=True)
    excerpt: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(16), index=True)
    assignee: Mapped[str | None] = mapped_column(String(64), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    ack_due: Mapped[dt.date] = mapped_column(Date)
    resolve_due: Mapped[dt.date] = mapped_column(Date, index=True)
    acknowledged_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    replied_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    reply_text: Mapped[str | None] = mapped_column(Text, nullable=True)
    rating: Mapped[str | None] = mapped_column(String(16), nullable=True)
    rating_comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    rated_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # Set when the retention job removed the personal data of this closed ticket.
    personal_data_removed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # 挂起 (waiting for the citizen): the resolve clock stops; the working days left are kept for resume.
    paused_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    paused_days_left: Mapped[int | None] = mapped_column(Integer, nullable=True)

    events: Mapped[list[TicketEvent]] = relationship(back_populates="ticket", order_by="TicketEvent.id", viewonly=True)
    rectification: Mapped[Rectification | None] = relationship(back_populates="ticket", uselist=False)


class TicketEvent(Base):
    """Append-only history: rows are never updated or deleted (enforced below)."""

    __tablename__ = "ticket_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    actor: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    to_status: Mapped[str | None] = mapped_column(String(16), nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)

    ticket: Mapped[Ticket] = relationship(back_populates="events")


@event.listens_for(TicketEvent, "before_update")
def _events_are_append_only(_mapper: Mapper[Any], _conn: Any, target: TicketEvent) -> None:
    raise RuntimeError("ticket events are append-only")


@event.listens_for(TicketEvent, "before_delete")
def _events_are_never_deleted(_mapper: Mapper[Any], _conn: Any, target: TicketEvent) -> None:
    raise RuntimeError("ticket events are append-only")


class Rectification(Base):
    """整改 record opened by a 不满意/非常不满意 rating; closing it needs a call-back note."""

    __tablename__ = "rectifications"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), unique=True)
    opened_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    due: Mapped[dt.date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    reason: Mapped[str | None] = mapped_column(Text, nullable=True)
    callback_note: Mapped[str | None] = mapped_column(Text, nullable=True)
    measures: Mapped[str | None] = mapped_column(Text, nullable=True)
    closed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    closed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)

    ticket: Mapped[Ticket] = relationship(back_populates="rectification")


class OutboxMessage(Base):
    """A delivery that must happen after the ticket change commits (12345, notifications, channels)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (Index("ix_outbox_messages_due", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(32))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id"), nullable=True, index=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    locked_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    # The current claim: only the worker holding this token may record the outcome.
    lease_token: Mapped[str | None] = mapped_column(String(32), nullable=True)
    # One business event (e.g. "forward ticket 7 to 12345, round 0"): sent under this Idempotency-Key, once.
    dedup_key: Mapped[str | None] = mapped_column(String(160), nullable=True, unique=True, index=True)
    # Start of the retry window: the first attempt; a handler's re-queue starts a new one.
    retry_since: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    last_error: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class ContactVaultEntry(Base):
    """Contact numbers the gateway masked, kept encrypted and briefly until a ticket takes them."""

    __tablename__ = "contact_vault"
    __table_args__ = (UniqueConstraint("session_id", "masked"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(128))
    masked: Mapped[str] = mapped_column(String(32))
    raw_encrypted: Mapped[str] = mapped_column(Text)  # Fernet token (bot.tickets.pii_crypto)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


class RateLimitHit(Base):
    """One counted attempt (a ticket lookup) under a key such as ``session:…`` or ``addr:…``.

    Kept in the database so every replica sees the same counts; rows older than the window are purged.
    """

    __tablename__ = "rate_limit_hits"
    __table_args__ = (Index("ix_rate_limit_hits_key_at", "key", "at"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)
