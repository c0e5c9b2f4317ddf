"""``unanswered_questions`` (each kept question, masked) and ``unanswered_groups`` (similar questions together).

A question is ``pending`` while it waits to be known unanswered (a clarification the citizen may still answer),
``open`` until the grouping has placed it, then ``grouped``.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class UnansweredGroup(Base):
    __tablename__ = "unanswered_groups"
    __table_args__ = (Index("ix_unanswered_groups_status_office", "status", "office"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    representative: Mapped[str] = mapped_column(Text)  # the first question (masked)
    questions: Mapped[int] = mapped_column(Integer, default=0)
    embedder: Mapped[str] = mapped_column(String(64))  # centroids of different models are never compared
    centroid: Mapped[bytes] = mapped_column(LargeBinary)  # float32, L2-normalised mean of the members
    office: Mapped[str] = mapped_column(String(64))  # the owning office, or the triage queue
    item_code: Mapped[str | None] = mapped_column(String(128), nullable=True)  # the nearest item, if any
    status: Mapped[str] = mapped_column(String(24), default="open")  # open / linked / other_department / dismissed
    resolved_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    resolution: Mapped[str | None] = mapped_column(String(16), nullable=True)  # alias / faq
    linked_item: Mapped[str | None] = mapped_column(String(128), nullable=True)
    department: Mapped[str | None] = mapped_column(String(64), nullable=True)
    draft_id: Mapped[int | None] = mapped_column(Integer, nullable=True)
    note: Mapped[str | None] = mapped_column(Text, nullable=True)
    # Re-test of a resolved group against the published version it was last asked to.
    retest_version: Mapped[int | None] = mapped_column(Integer, nullable=True)
    retest_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    retest_answered: Mapped[bool | None] = mapped_column(Boolean, nullable=True)
    retest_item: Mapped[str | None] = mapped_column(String(128), nullable=True)


class UnansweredQuestion(Base):
    __tablename__ = "unanswered_questions"
    __table_args__ = (
        Index("ix_unanswered_questions_state", "state", "id"),
        Index("ix_unanswered_questions_session_state", "session_hash", "state"),
        Index("ix_unanswered_questions_group", "group_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    day: Mapped[dt.date] = mapped_column(Date)
    session_hash: Mapped[str] = mapped_column(String(32))
    # no_answer / other_department / low_confidence / clarify_abandoned / handoff / thumbs_down
    source: Mapped[str] = mapped_column(String(24))
    question_masked: Mapped[str] = mapped_column(Text)
    item_code: Mapped[str | None] = mapped_column(String(128), nullable=True)  # the turn's item, if it had one
    turn_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    state: Mapped[str] = mapped_column(String(16), default="open")  # pending / open / grouped
    group_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("unanswered_groups.id", ondelete="SET NULL"), nullable=True
    )
