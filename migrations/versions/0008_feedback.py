"""feedback: answer feedback (👍/👎) and its daily rollup, the turn id on chat turns, unanswered questions

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-30 10:00:00
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"  # "0006" as briefed; chained after 0007 once console-store was merged
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.add_column(sa.Column("turn_id", sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column("guide_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("knowledge_version", sa.Integer(), nullable=True))
        batch_op.create_index("ix_chat_turns_turn_id", ["turn_id"], unique=True)

    op.create_table(
        "answer_feedback",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("turn_id", sa.String(length=32), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("session_hash", sa.String(length=32), nullable=False),
        sa.Column("vote", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=True),
        sa.Column("comment_masked", sa.Text(), nullable=True),
        sa.Column("question_masked", sa.Text(), nullable=True),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("item_code", sa.String(length=128), nullable=True),
        sa.Column("guide_id", sa.String(length=128), nullable=True),
        sa.Column("aspect", sa.String(length=32), nullable=True),
        sa.Column("knowledge_version", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_feedback")),
    )
    op.create_index("ix_answer_feedback_turn_id", "answer_feedback", ["turn_id"], unique=True)
    op.create_index("ix_answer_feedback_day", "answer_feedback", ["day"], unique=False)
    op.create_table(
        "answer_feedback_rollup",
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("item_code", sa.String(length=128), nullable=False),
        sa.Column("vote", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("day", "item_code", "vote", "reason", name=op.f("pk_answer_feedback_rollup")),
    )

    op.create_table(
        "unanswered_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("representative", sa.Text(), nullable=False),
        sa.Column("questions", sa.Integer(), nullable=False),
        sa.Column("embedder", sa.String(length=64), nullable=False),
        sa.Column("centroid", sa.LargeBinary(), nullable=False),
        sa.Column("office", sa.String(length=64), nullable=False),
        sa.Column("item_code", sa.String(length=128), nullable=True),
        sa.Column("status", sa.String(length=24), nullable=False),
        sa.Column("resolved_by", sa.String(length=64), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolution", sa.String(length=16), nullable=True),
        sa.Column("linked_item", sa.String(length=128), nullable=True),
        sa.Column("department", sa.String(length=64), nullable=True),
        sa.Column("draft_id", sa.Integer(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("retest_version", sa.Integer(), nullable=True),
        sa.Column("retest_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retest_answered", sa.Boolean(), nullable=True),
        sa.Column("retest_item", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_groups")),
    )
    op.create_index("ix_unanswered_groups_status_office", "unanswered_groups", ["status", "office"], unique=False)
    op.create_table(
        "unanswered_questions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("session_hash", sa.String(length=32), nullable=False),
        sa.Column("source", sa.String(length=24), nullable=False),
        sa.Column("question_masked", sa.Text(), nullable=False),
        sa.Column("item_code", sa.String(length=128), nullable=True),
        sa.Column("turn_id", sa.String(length=32), nullable=True),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["unanswered_groups.id"],
            name=op.f("fk_unanswered_questions_group_id_unanswered_groups"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unanswered_questions")),
    )
    op.create_index("ix_unanswered_questions_state", "unanswered_questions", ["state", "id"], unique=False)
    op.create_index(
        "ix_unanswered_questions_session_state", "unanswered_questions", ["session_hash", "state"], unique=False
    )
    op.create_index("ix_unanswered_questions_group", "unanswered_questions", ["group_id"], unique=False)


def downgrade() -> None:
    op.drop_table("unanswered_questions")
    op.drop_table("unanswered_groups")
    op.drop_table("answer_feedback_rollup")
    op.drop_table("answer_feedback")
    with op.batch_alter_table("chat_turns", schema=None) as batch_op:
        batch_op.drop_index("ix_chat_turns_turn_id")
        batch_op.drop_column("knowledge_version")
        batch_op.drop_column("guide_id")
        batch_op.drop_column("turn_id")
