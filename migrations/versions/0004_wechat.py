"""wechat channel: inbound dedupe, citizens' quota and choices, shared access token

Revision ID: 0004
Revises: 0001
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "wechat_inbound",
        sa.Column("key", sa.String(length=160), nullable=False),
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("reply_text", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_wechat_inbound")),
    )
    with op.batch_alter_table("wechat_inbound", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_wechat_inbound_created_at"), ["created_at"], unique=False)
    op.create_table(
        "wechat_users",
        sa.Column("openid", sa.String(length=64), nullable=False),
        sa.Column("kf_remaining", sa.Integer(), nullable=False),
        sa.Column("kf_valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("choices", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("openid", name=op.f("pk_wechat_users")),
    )
    op.create_table(
        "wechat_tokens",
        sa.Column("app_id", sa.String(length=64), nullable=False),
        sa.Column("access_token", sa.String(length=512), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("app_id", name=op.f("pk_wechat_tokens")),
    )


def downgrade() -> None:
    op.drop_table("wechat_tokens")
    op.drop_table("wechat_users")
    with op.batch_alter_table("wechat_inbound", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_wechat_inbound_created_at"))
    op.drop_table("wechat_inbound")
