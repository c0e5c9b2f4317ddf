"""What is kept as unanswered (masked, as the chat turn recorded it): no-answers (not in the knowledge base or
another department's), answers below the confidence setting, clarifications the citizen did not follow with a
choice, hand-offs to a human (with the question the session last asked) and 👎 votes.

``capture_turn`` is a listener of the analytics recorder (same transaction as the ``chat_turns`` row);
``capture_thumbs_down`` one of the feedback service. A clarification stays ``pending`` until the session's next
turn settles it (an answer or another clarification means a choice was made) or until
``settle_abandoned`` finds it older than the abandonment setting.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import cast

from sqlalchemy import Table, delete, select, update
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn
from bot.chat.contracts import TurnRecord
from bot.console.unanswered.config import UnansweredSettings, get_unanswered_settings
from bot.console.unanswered.models import UnansweredQuestion
from bot.feedback.models import AnswerFeedback

logger = logging.getLogger(__name__)

MAX_CHARS = 200
HANDOFF_KINDS = frozenset({"handoff", "escalate"})
CHOICE_KINDS = frozenset({"answer", "clarify"})


def source_of(row: ChatTurn, confidence: float | None, settings: UnansweredSettings) -> str | None:
    """Why this turn is kept (``clarify`` is kept pending), or None."""
    if row.kind == "no_answer":
        return "other_department" if row.no_answer_reason == "other_dept" else "no_answer"
    if row.kind == "answer" and confidence is not None and confidence < settings.unanswered_low_confidence:
        return "low_confidence"
    if row.kind == "clarify":
        return "clarify"
    if row.kind in HANDOFF_KINDS:
        return "handoff"
    return None


def _last_question(db: Session, session_hash: str) -> str | None:
    return db.scalar(
        select(ChatTurn.question_masked)
        .where(ChatTurn.session_hash == session_hash, ChatTurn.question_masked.is_not(None))
        .order_by(ChatTurn.id.desc())
        .limit(1)
    )


def capture_turn(db: Session, row: ChatTurn, record: TurnRecord, *, settings: UnansweredSettings | None = None) -> None:
    settings = settings or get_unanswered_settings()
    # On every chat turn: plain statements on the table through the turn's connection (the ORM's bulk
    # delete/update took milliseconds of CPU per turn to prepare; nothing of this table is loaded here).
    table = cast(Table, UnansweredQuestion.__table__)
    pending = [table.c.session_hash == row.session_hash, table.c.state == "pending"]
    if row.kind in CHOICE_KINDS:  # the citizen chose (or asked again and was answered)
        db.connection().execute(delete(table).where(*pending))
    else:
        db.connection().execute(update(table).where(*pending).values(state="open"))
    source = source_of(row, record.meta.confidence, settings)
    if source is None:
        return
    question = row.question_masked
    if source == "handoff":
        question = _last_question(db, row.session_hash) or (record.masked_text or None)
    if not question or not question.strip():
        return
    db.add(
        UnansweredQuestion(
            at=row.at,
            day=row.day,
            session_hash=row.session_hash,
            source="clarify_abandoned" if source == "clarify" else source,
            question_masked=question.strip()[:MAX_CHARS],
            item_code=row.item_code,
            turn_id=row.turn_id,
            state="pending" if source == "clarify" else "open",
        )
    )


def capture_thumbs_down(db: Session, feedback: AnswerFeedback) -> None:
    if not feedback.question_masked:
        return
    db.add(
        UnansweredQuestion(
            at=feedback.at,
            day=feedback.day,
            session_hash=feedback.session_hash,
            source="thumbs_down",
            question_masked=feedback.question_masked[:MAX_CHARS],
            item_code=feedback.item_code,
            turn_id=feedback.turn_id,
            state="open",
        )
    )


def settle_abandoned(db: Session, *, now: dt.datetime, settings: UnansweredSettings | None = None) -> int:
    """Pending clarifications older than the abandonment setting become open unanswered questions."""
    settings = settings or get_unanswered_settings()
    cutoff = now - dt.timedelta(minutes=settings.unanswered_clarify_abandon_minutes)
    result = db.execute(
        update(UnansweredQuestion)
        .where(UnansweredQuestion.state == "pending", UnansweredQuestion.at < cutoff)
        .values(state="open")
    )
    return int(getattr(result, "rowcount", 0) or 0)
