"""privacy: encrypted contacts, retention marker, rate-limit hits, offered button payloads

Revision ID: 0003
Revises: 0001
Create Date: 2026-11-30 06:50:00

``tickets.contact_raw`` (plain text) becomes ``tickets.contact_encrypted`` (a Fernet token under
``PII_ENCRYPTION_KEY``). Existing raw contacts are encrypted when the key is set; without the key an
upgrade of a database holding raw contacts stops with a clear error. The contact vault is short-lived:
its plain entries are dropped.
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _encrypt_existing_contacts() -> None:
    conn = op.get_bind()
    rows = conn.execute(sa.text("SELECT id, contact_raw FROM tickets WHERE contact_raw IS NOT NULL")).fetchall()
    if not rows:
        return
    keys = [k.strip() for k in os.environ.get("PII_ENCRYPTION_KEY", "").split(",") if k.strip()]
    if not keys:
        raise RuntimeError("PII_ENCRYPTION_KEY must be set to encrypt the contact numbers already stored")
    from cryptography.fernet import Fernet

    fernet = Fernet(keys[0].encode("ascii"))
    for row_id, raw in rows:
        token = fernet.encrypt(str(raw).encode("utf-8")).decode("ascii")
        conn.execute(sa.text("UPDATE tickets SET contact_encrypted = :t WHERE id = :i"), {"t": token, "i": row_id})


def upgrade() -> None:
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_encrypted", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("personal_data_removed_at", sa.DateTime(timezone=True), nullable=True))
    _encrypt_existing_contacts()
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.drop_column("contact_raw")

    op.execute("DELETE FROM contact_vault")
    with op.batch_alter_table("contact_vault", schema=None) as batch_op:
        batch_op.drop_column("raw")
        batch_op.add_column(sa.Column("raw_encrypted", sa.Text(), nullable=False))

    op.create_table(
        "rate_limit_hits",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hits")),
    )
    with op.batch_alter_table("rate_limit_hits", schema=None) as batch_op:
        batch_op.create_index("ix_rate_limit_hits_key_at", ["key", "at"], unique=False)
        batch_op.create_index(batch_op.f("ix_rate_limit_hits_at"), ["at"], unique=False)

    op.create_table(
        "offered_payloads",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.String(length=128), nullable=False),
        sa.Column("payload", sa.String(length=1000), nullable=False),
        sa.Column("offered_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_offered_payloads")),
    )
    with op.batch_alter_table("offered_payloads", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_offered_payloads_session_id"), ["session_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_offered_payloads_offered_at"), ["offered_at"], unique=False)


def downgrade() -> None:
    op.drop_table("offered_payloads")
    op.drop_table("rate_limit_hits")
    op.execute("DELETE FROM contact_vault")
    with op.batch_alter_table("contact_vault", schema=None) as batch_op:
        batch_op.drop_column("raw_encrypted")
        batch_op.add_column(sa.Column("raw", sa.String(length=32), nullable=False))
    with op.batch_alter_table("tickets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_raw", sa.String(length=32), nullable=True))
        batch_op.drop_column("personal_data_removed_at")
        batch_op.drop_column("contact_encrypted")
