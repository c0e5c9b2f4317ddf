"""ops-admin: the dashboard's covering indexes and the item-less daily rollup of chat turns

Revision ID: 0009
Revises: 0006
Create Date: 2026-11-30 09:45:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"  # chained after 0007 (knowledge store) and 0008 (feedback)
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# (name, table, columns): covering indexes of the dashboard's period queries (bot/dashboard/ticket_figures.py).
COVERING = (
    ("ix_tickets_received", "tickets", ["created_at", "office", "item_name"]),
    ("ix_tickets_closed", "tickets", ["status", "closed_at", "office", "created_at", "resolve_due"]),
    ("ix_tickets_open", "tickets", ["status", "office", "paused_at", "resolve_due", "ack_due"]),
    ("ix_tickets_rated", "tickets", ["rated_at", "office", "rating", "contact_masked"]),
    ("ix_chat_turns_no_answers", "chat_turns", ["kind", "day", "item_code", "question_masked"]),
    ("ix_chat_turn_rollup_answers", "chat_turn_rollup", ["kind", "day", "item_code", "turns"]),
    (
        "ix_chat_turn_rollup_cover",
        "chat_turn_rollup",
        ["day", "kind", "answer_source", "no_answer_reason", "item_code", "turns", "sessions"],
    ),
)
# Replaced by the covering indexes above (each is a prefix of one of them).
REPLACED = (
    ("ix_tickets_created_at", "tickets", ["created_at"]),
    ("ix_tickets_closed_at", "tickets", ["closed_at"]),
    ("ix_tickets_rated_at", "tickets", ["rated_at"]),
    ("ix_chat_turns_kind_day", "chat_turns", ["kind", "day", "question_masked"]),
)


def upgrade() -> None:
    op.create_table(
        "chat_turn_daily",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("answer_source", sa.String(length=16), nullable=False),
        sa.Column("no_answer_reason", sa.String(length=16), nullable=False),
        sa.Column("turns", sa.Integer(), nullable=False),
        sa.Column("sessions", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "kind", "answer_source", "no_answer_reason", name=op.f("pk_chat_turn_daily")),
    )
    op.execute(
        "INSERT INTO chat_turn_daily (day, kind, answer_source, no_answer_reason, turns, sessions) "
        "SELECT day, kind, answer_source, no_answer_reason, SUM(turns), SUM(sessions) FROM chat_turn_rollup "
        "GROUP BY day, kind, answer_source, no_answer_reason"
    )
    for name, table, columns in COVERING:
        op.create_index(name, table, columns, unique=False)
    for name, table, _ in REPLACED:
        op.drop_index(name, table_name=table)


def downgrade() -> None:
    for name, table, columns in REPLACED:
        op.create_index(name, table, columns, unique=False)
    for name, table, _ in reversed(COVERING):
        op.drop_index(name, table_name=table)
    op.drop_table("chat_turn_daily")
