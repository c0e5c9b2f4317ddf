"""Record a citizen's 👍/👎 on one answer: only for a turn of the same session, once per turn (a second vote
replaces the first), with the comment masked; the daily rollup moves with the vote."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn
from bot.analytics.recorder import session_hash
from bot.feedback.models import AnswerFeedback, AnswerFeedbackRollup
from bot.feedback.schemas import FeedbackIn, FeedbackOut
from bot.pii import mask_text
from bot.tickets.clock import local_today

logger = logging.getLogger(__name__)

RATEABLE_KINDS = frozenset({"answer", "clarify", "no_answer"})
# Called in the vote's transaction after a 👎 is stored (the unanswered-questions loop keeps it).
OnThumbsDown = Callable[[Session, AnswerFeedback], None]


class TurnNotFoundError(LookupError):
    """No rateable turn with this id in this session (the caller answers 404, whichever it was)."""


def _bump(db: Session, day: dt.date, item_code: str | None, vote: str, reason: str | None, delta: int) -> None:
    """Add ``delta`` to one rollup cell, atomically (an upsert, as the chat-turn rollup does)."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    key = {"day": day, "item_code": item_code or "", "vote": vote, "reason": reason or ""}
    stmt = insert(AnswerFeedbackRollup).values(**key, votes=max(delta, 0))
    db.execute(stmt.on_conflict_do_update(index_elements=list(key), set_={"votes": AnswerFeedbackRollup.votes + delta}))


def submit(
    db: Session,
    body: FeedbackIn,
    *,
    now: dt.datetime,
    comment_max_chars: int = 300,
    on_thumbs_down: Sequence[OnThumbsDown] = (),
) -> FeedbackOut:
    """Store (or replace) the vote on ``body.turn_id``; raises ``TurnNotFoundError``. Commits."""
    turn = db.scalar(select(ChatTurn).where(ChatTurn.turn_id == body.turn_id))
    if turn is None or turn.session_hash != session_hash(body.session_id) or turn.kind not in RATEABLE_KINDS:
        raise TurnNotFoundError(body.turn_id)
    reason = body.reason if body.vote == "down" else None
    comment = None
    if reason == "other" and body.comment and body.comment.strip():
        comment = mask_text(body.comment.strip()).text[:comment_max_chars]
    day = local_today(now)
    row = db.scalar(select(AnswerFeedback).where(AnswerFeedback.turn_id == body.turn_id).with_for_update())
    replaced = row is not None
    if row is None:
        row = AnswerFeedback(
            turn_id=body.turn_id,
            session_hash=turn.session_hash,
            question_masked=turn.question_masked,
            kind=turn.kind,
            item_code=turn.item_code,
            guide_id=turn.guide_id,
            aspect=turn.aspect,
            knowledge_version=turn.knowledge_version,
        )
        db.add(row)
    else:
        _bump(db, row.day, row.item_code, row.vote, row.reason, -1)
    first_down = body.vote == "down" and (not replaced or row.vote != "down")
    row.at, row.day, row.vote, row.reason, row.comment_masked = now, day, body.vote, reason, comment
    _bump(db, day, turn.item_code, body.vote, reason, +1)
    db.flush()
    if first_down:
        for listener in on_thumbs_down:
            listener(db, row)
    db.commit()
    logger.info("feedback %s on a %s turn (%s)", body.vote, turn.kind, "replaced" if replaced else "new")
    return FeedbackOut(turn_id=body.turn_id, vote=body.vote, reason=reason, replaced=replaced)
