"""operations: chat-turn analytics, holiday calendar, scheduler lease, ticket reminders, 挂起 columns

Revision ID: 0006
Revises: 0001
Create Date: 2026-11-30 06:40:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "chat_turns",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("channel", sa.String(length=32), nullable=False),
        sa.Column("session_hash", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("answer_source", sa.String(length=16), nullable=True),
        sa.Column("no_answer_reason", sa.String(length=16), nullable=True),
        sa.Column("item_code", sa.String(length=128), nullable=True),
        sa.Column("aspect", sa.String(length=32), nullable=True),
        sa.Column("handoff", sa.Boolean(), nullable=False),
        sa.Column("question_masked", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_chat_turns")),
    )
    op.create_index("ix_chat_turns_day_kind", "chat_turns", ["day", "kind"], unique=False)
    op.create_index("ix_chat_turns_kind_day", "chat_turns", ["kind", "day", "question_masked"], unique=False)
    op.create_index("ix_chat_turns_session_hash", "chat_turns", ["session_hash"], unique=False)
    op.create_table(
        "chat_turn_rollup",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("answer_source", sa.String(length=16), nullable=False),
        sa.Column("no_answer_reason", sa.String(length=16), nullable=False),
        sa.Column("item_code", sa.String(length=128), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "day", "kind", "answer_source", "no_answer_reason", "item_code", name=op.f("pk_chat_turn_rollup")
        ),
    )

    op.create_table(
        "calendar_years",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_calendar_years")),
    )
    op.create_table(
        "calendar_days",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=8), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["year"],
            ["calendar_years.year"],
            name=op.f("fk_calendar_days_year_calendar_years"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("day", name=op.f("pk_calendar_days")),
    )
    op.create_index(op.f("ix_calendar_days_year"), "calendar_days", ["year"], unique=False)

    op.create_table(
        "scheduler_leases",
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("holder", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_run_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_scheduler_leases")),
    )
    op.create_table(
        "ticket_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ticket_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("due", sa.Date(), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("outbox_id", sa.String(length=32), nullable=True),
        sa.ForeignKeyConstraint(["ticket_id"], ["tickets.id"], name=op.f("fk_ticket_reminders_ticket_id_tickets")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ticket_reminders")),
        sa.UniqueConstraint("ticket_id", "kind", "due", name=op.f("uq_ticket_reminders_ticket_id_kind_due")),
    )
    op.create_index(op.f("ix_ticket_reminders_ticket_id"), "ticket_reminders", ["ticket_id"], unique=False)

    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("paused_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("paused_days_left", sa.Integer(), nullable=True))
    op.create_index("ix_tickets_created_at", "tickets", ["created_at"], unique=False)
    op.create_index("ix_tickets_closed_at", "tickets", ["closed_at"], unique=False)
    op.create_index("ix_tickets_rated_at", "tickets", ["rated_at"], unique=False)
    op.create_index("ix_ticket_events_kind_at", "ticket_events", ["kind", "at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_ticket_events_kind_at", table_name="ticket_events")
    op.drop_index("ix_tickets_rated_at", table_name="tickets")
    op.drop_index("ix_tickets_closed_at", table_name="tickets")
    op.drop_index("ix_tickets_created_at", table_name="tickets")
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("paused_days_left")
        batch_op.drop_column("paused_at")
    op.drop_index(op.f("ix_ticket_reminders_ticket_id"), table_name="ticket_reminders")
    op.drop_table("ticket_reminders")
    op.drop_table("scheduler_leases")
    op.drop_index(op.f("ix_calendar_days_year"), table_name="calendar_days")
    op.drop_table("calendar_days")
    op.drop_table("calendar_years")
    op.drop_table("chat_turn_rollup")
    op.drop_index("ix_chat_turns_session_hash", table_name="chat_turns")
    op.drop_index("ix_chat_turns_kind_day", table_name="chat_turns")
    op.drop_index("ix_chat_turns_day_kind", table_name="chat_turns")
    op.drop_table("chat_turns")
