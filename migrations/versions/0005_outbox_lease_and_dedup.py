"""outbox: a lease token per claim and a deduplication key per business event

Revision ID: 0005
Revises: 0001
Create Date: 2026-11-30 06:30:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.add_column(sa.Column("lease_token", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("dedup_key", sa.String(length=160), nullable=True))
        batch_op.add_column(sa.Column("retry_since", sa.DateTime(timezone=True), nullable=True))
        batch_op.create_index(batch_op.f("ix_outbox_messages_dedup_key"), ["dedup_key"], unique=True)


def downgrade() -> None:
    with op.batch_alter_table("outbox_messages", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_outbox_messages_dedup_key"))
        batch_op.drop_column("retry_since")
        batch_op.drop_column("dedup_key")
        batch_op.drop_column("lease_token")
