"""The ``chat_turns`` table: one row per chat turn (no raw text: only the masked question of the turns a citizen
can rate, i.e. answers, clarifications and no-answers)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime


class ChatTurn(Base):
    __tablename__ = "chat_turns"
    __table_args__ = (
        Index("ix_chat_turns_day_kind", "day", "kind"),
        # Covers the top unanswered questions, also for one office's items (migration 0009).
        Index("ix_chat_turns_no_answers", "kind", "day", "item_code", "question_masked"),
        Index("ix_chat_turns_session_hash", "session_hash"),
        Index("ix_chat_turns_turn_id", "turn_id", unique=True),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime())
    day: Mapped[dt.date] = mapped_column(Date)  # local calendar day (TICKETS_TIMEZONE)
    channel: Mapped[str] = mapped_column(String(32), default="web")
    session_hash: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    answer_source: Mapped[str | None] = mapped_column(String(16), nullable=True)  # guide / policy
    no_answer_reason: Mapped[str | None] = mapped_column(String(16), nullable=True)  # not_in_kb / other_dept
    item_code: Mapped[str | None] = mapped_column(String(128), nullable=True)
    aspect: Mapped[str | None] = mapped_column(String(32), nullable=True)
    handoff: Mapped[bool] = mapped_column(Boolean, default=False)
    question_masked: Mapped[str | None] = mapped_column(Text, nullable=True)  # answer / clarify / no_answer only
    # The id the response gave the widget (meta.turn_id): answer feedback names the turn by it.
    turn_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    guide_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    knowledge_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


class ChatTurnRollup(Base):
    """Daily counts of ``chat_turns`` per item kept by the recorder (``sessions``: turns that opened a
    conversation): the dashboard's answers by item and its one-office view read these."""

    __tablename__ = "chat_turn_rollup"
    __table_args__ = (
        # Covering indexes (migration 0009): answers by item, and the one-office view's daily counts.
        Index("ix_chat_turn_rollup_answers", "kind", "day", "item_code", "turns"),
        Index(
            "ix_chat_turn_rollup_cover",
            "day",
            "kind",
            "answer_source",
            "no_answer_reason",
            "item_code",
            "turns",
            "sessions",
        ),
    )

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    answer_source: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    no_answer_reason: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    item_code: Mapped[str] = mapped_column(String(128), primary_key=True, default="")
    turns: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)


class ChatTurnDaily(Base):
    """The same daily counts without the item (a few rows per day): the all-office view's totals and daily
    series read a year in a few thousand rows. Kept in the same transaction as ``chat_turn_rollup``."""

    __tablename__ = "chat_turn_daily"

    day: Mapped[dt.date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    answer_source: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    no_answer_reason: Mapped[str] = mapped_column(String(16), primary_key=True, default="")
    turns: Mapped[int] = mapped_column(Integer, default=0)
    sessions: Mapped[int] = mapped_column(Integer, default=0)
