"""``answer_feedback`` (one row per rated turn: a second vote replaces the first) and ``answer_feedback_rollup``
(daily counts kept in the same transaction, so the dashboard reads a few rows per day)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class AnswerFeedback(Base):
    __tablename__ = "answer_feedback"
    __table_args__ = (
        Index("ix_answer_feedback_turn_id", "turn_id", unique=True),
        Index("ix_answer_feedback_day", "day"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    turn_id: Mapped[str] = mapped_column(String(32))
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())  # of the latest vote
    day: Mapped[dt.date] = mapped_column(Date)  # local calendar day of the latest vote
    session_hash: Mapped[str] = mapped_column(String(32))
    vote: Mapped[str] = mapped_column(String(8))  # up / down
    reason: Mapped[str | None] = mapped_column(String(16), nullable=True)  # off_topic / outdated / unclear / other
    comment_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    # What was rated, copied from the turn (so the row stands alone when turns are purged).
    question_masked: Mapped[str | None] = mapped_column(Text, nullable=True)
    kind: Mapped[str] = mapped_column(String(24))
    item_code: Mapped[str | None] = mapped_column(String(128), nullable=True)
    guide_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    aspect: Mapped[str | None] = mapped_column(String(32), nullable=True)
    knowledge_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class AnswerFeedbackRollup(Base):
    """Votes per local day, item, vote and reason (a replaced vote moves from its old key to its new one)."""

    __tablename__ = "answer_feedback_rollup"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    item_code: Mapped[str] = mapped_column(String(128), primary_key=True, default="")
    vote: Mapped[str] = mapped_column(String(8), primary_key=True)
    reason: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    votes: Mapped[int] = mapped_column(Integer, default=0)
