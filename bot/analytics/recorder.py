"""The gateway's turn recorder: classifies a finished chat turn and writes one ``chat_turns`` row.

``record_turn`` is injected into ``ChatService`` by the app factory; the service calls it after each turn
and ignores its failures (a turn never breaks because analytics could not be written). It also feeds the
Prometheus turn metrics, before touching the database.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
import logging
from collections.abc import Callable, Sequence
from functools import lru_cache

from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn
from bot.analytics.rollup import add_turn
from bot.chat.contracts import TurnRecord
from bot.db import session_scope
from bot.metrics import observe_turn
from bot.tickets.clock import local_today
from bot.tickets.operations_config import get_operations_settings
from knowledge import texts as knowledge_texts

logger = logging.getLogger(__name__)

HANDOFF_KINDS = frozenset({"handoff", "escalate"})
# Turns whose (masked) question is kept: the ones a citizen can rate and the unanswered loop looks at.
QUESTION_KINDS = frozenset({"answer", "clarify", "no_answer"})
MAX_QUESTION_CHARS = 200
# The fixed part of the engine's referral sentence ("…相关业务一般由{department}办理，不属于…范围。").
REFERRAL_MARKER = knowledge_texts.REFERRAL.rsplit("，", 1)[-1].rstrip("。")


@lru_cache(maxsize=1)
def policy_titles() -> frozenset[str]:
    """Titles of the policy documents: a policy answer cites one of them as its source."""
    from knowledge.loader import load_policies

    try:
        return frozenset(doc.title for doc in load_policies())
    except Exception as exc:  # the recorder must not fail the turn over this
        logger.warning("policy titles unavailable (%s): policy answers count as guide answers", exc)
        return frozenset()


def session_hash(session_id: str) -> str:
    salt = get_operations_settings().analytics_salt
    key = salt.get_secret_value().encode() if salt else b"chat-turns"
    return hmac.new(key, session_id.encode(), hashlib.sha256).hexdigest()[:32]


def classify(record: TurnRecord) -> ChatTurn:
    meta = record.meta
    item_code = meta.item.code if meta.item else None
    answer_source = None
    no_answer_reason = None
    question = None
    if meta.kind == "answer":
        titles = policy_titles()
        is_policy = bool(item_code and item_code.startswith("policy:")) or any(s.title in titles for s in meta.sources)
        answer_source = "policy" if is_policy else "guide"
    elif meta.kind == "no_answer":
        no_answer_reason = "other_dept" if REFERRAL_MARKER in record.reply_text else "not_in_kb"
    if meta.kind in QUESTION_KINDS:
        question = record.masked_text[:MAX_QUESTION_CHARS] or None
    return ChatTurn(
        at=record.at,
        day=local_today(record.at),
        channel=record.channel[:32],
        session_hash=session_hash(record.session_id),
        kind=meta.kind,
        answer_source=answer_source,
        no_answer_reason=no_answer_reason,
        item_code=item_code[:128] if item_code else None,
        aspect=meta.aspect[:32] if meta.aspect else None,
        handoff=meta.kind in HANDOFF_KINDS,
        question_masked=question,
        turn_id=record.turn_id[:32] or None,
        guide_id=meta.guide[:128] if meta.guide else None,
        knowledge_version=meta.knowledge_version,
    )


# Called with the new row in its transaction (the unanswered-questions capture is one).
TurnListener = Callable[[Session, ChatTurn, TurnRecord], None]


class TurnRecorder:
    """The callable the app factory gives ``ChatService``; ``now`` replaces the turn's time (tests seed a month);
    ``listeners`` see each row in the same transaction."""

    def __init__(self, *, now: Callable[[], dt.datetime] | None = None, listeners: Sequence[TurnListener] = ()) -> None:
        self._now = now
        self._listeners = tuple(listeners)

    def __call__(self, record: TurnRecord) -> None:
        """Metrics first (no I/O), then the analytics row in its own transaction."""
        observe_turn(record.meta.kind, record.latency_s)
        if self._now is not None:
            record = dataclasses.replace(record, at=self._now())
        row = classify(record)
        with session_scope() as db:
            add_turn(db, row)
            for listener in self._listeners:
                listener(db, row, record)


record_turn = TurnRecorder()
