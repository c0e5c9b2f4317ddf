"""knowledge store: published versions (per-document rows), document bodies, drafts, the published pointer

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 09:50:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "kb_doc_bodies",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_doc_bodies")),
        sa.UniqueConstraint("sha256", name=op.f("uq_kb_doc_bodies_sha256")),
    )
    op.create_table(
        "kb_versions",
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("restores", sa.Integer(), nullable=True),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("number", name=op.f("pk_kb_versions")),
    )
    op.create_table(
        "kb_version_docs",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("body_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version"], ["kb_versions.number"], name=op.f("fk_kb_version_docs_version_kb_versions")
        ),
        sa.ForeignKeyConstraint(
            ["body_id"], ["kb_doc_bodies.id"], name=op.f("fk_kb_version_docs_body_id_kb_doc_bodies")
        ),
        sa.PrimaryKeyConstraint("version", "kind", "key", name=op.f("pk_kb_version_docs")),
    )
    op.create_table(
        "kb_pointer",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["version"], ["kb_versions.number"], name=op.f("fk_kb_pointer_version_kb_versions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_pointer")),
    )
    op.create_table(
        "kb_drafts",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=True),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("editors", sa.JSON(), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reviewed_by", sa.String(length=64), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=False),
        sa.Column("published_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kb_drafts")),
    )
    op.create_index("ix_kb_drafts_kind_key_status", "kb_drafts", ["kind", "key", "status"], unique=False)
    op.create_index(op.f("ix_kb_drafts_status"), "kb_drafts", ["status"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_kb_drafts_status"), table_name="kb_drafts")
    op.drop_index("ix_kb_drafts_kind_key_status", table_name="kb_drafts")
    op.drop_table("kb_drafts")
    op.drop_table("kb_pointer")
    op.drop_table("kb_version_docs")
    op.drop_table("kb_versions")
    op.drop_table("kb_doc_bodies")
