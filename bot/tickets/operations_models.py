"""Tables of the running service: the holiday calendar, the scheduler's lease, reminders sent."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime
from bot.tickets.models import Ticket, TicketEvent


class CalendarYear(Base):
    """A year of the holiday calendar maintained by an admin (overrides the shipped file's year)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    source: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    updated_by: Mapped[str] = mapped_column(String(64))


class CalendarDay(Base):
    """A public holiday (放假) or a 调休 make-up working day (上班) of a maintained year."""

    __tablename__ = "calendar_days"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    year: Mapped[int] = mapped_column(ForeignKey("calendar_years.year", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(8))  # holiday / workday
    name: Mapped[str] = mapped_column(String(64), default="")


class SchedulerLease(Base):
    """Who may run a periodic job until when: one row per job, taken with a conditional update."""

    __tablename__ = "scheduler_leases"

    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    holder: Mapped[str] = mapped_column(String(64))
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_run_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class TicketReminder(Base):
    """A deadline notification sent once per (ticket, kind, deadline): the unique key makes it exactly once."""

    __tablename__ = "ticket_reminders"
    __table_args__ = (UniqueConstraint("ticket_id", "kind", "due"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    due: Mapped[dt.date] = mapped_column(Date)
    sent_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    outbox_id: Mapped[str | None] = mapped_column(String(32), nullable=True)


# Covering indexes of the dashboard's period queries (bot/dashboard/ticket_figures.py; migration 0009, which
# replaced 0006's single-column ones): each query reads its index only, never the wide ticket rows.
Index("ix_tickets_received", Ticket.created_at, Ticket.office, Ticket.item_name)
Index("ix_tickets_closed", Ticket.status, Ticket.closed_at, Ticket.office, Ticket.created_at, Ticket.resolve_due)
Index("ix_tickets_open", Ticket.status, Ticket.office, Ticket.paused_at, Ticket.resolve_due, Ticket.ack_due)
Index("ix_tickets_rated", Ticket.rated_at, Ticket.office, Ticket.rating, Ticket.contact_masked)
Index("ix_ticket_events_kind_at", TicketEvent.kind, TicketEvent.at)
