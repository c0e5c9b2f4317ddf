"""Retention of what the service keeps beyond tickets: the masked texts of chat turns, answer feedback and
unanswered questions, and the staff audit trail. (Closed tickets have their own retention:
``bot.tickets.privacy.remove_expired_personal_data``.)

Settings, read from the environment:

- ``CHAT_TEXT_RETENTION_DAYS`` (default 90; 0 keeps them): after that many days the masked question of a
  chat turn and the masked question and comment of an answer vote are removed (the counts stay for the
  dashboard); unanswered questions never grouped are deleted; the questions of a group resolved that long
  ago are deleted and its representative replaced (the group's counts and resolution stay).
- ``AUDIT_RETENTION_DAYS`` (default 365; 0 keeps it; otherwise at least 180, the six months China's
  Cybersecurity Law asks network logs to be kept): older audit entries are deleted.
- ``RETENTION_INTERVAL_S`` (default 3600): how often a pass runs. A pass is idempotent, so replicas may
  run it side by side.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from bot.analytics.models import ChatTurn
from bot.console.unanswered.models import UnansweredGroup, UnansweredQuestion
from bot.db import session_scope
from bot.feedback.models import AnswerFeedback
from bot.jobs import PeriodicJob
from bot.tickets.staff_models import AuditEntry

logger = logging.getLogger(__name__)

AUDIT_MINIMUM_DAYS = 180
REMOVED = "（已超过保存期限，原文已删除）"


class RetentionSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore", case_sensitive=False)

    chat_text_retention_days: int = Field(default=90, ge=0)
    audit_retention_days: int = Field(default=365, ge=0)
    retention_interval_s: float = Field(default=3600.0, gt=0)

    @field_validator("audit_retention_days")
    @classmethod
    def _at_least_six_months(cls, days: int) -> int:
        if 0 < days < AUDIT_MINIMUM_DAYS:
            raise ValueError(f"AUDIT_RETENTION_DAYS must be 0 (keep) or at least {AUDIT_MINIMUM_DAYS}")
        return days


@lru_cache(maxsize=1)
def get_retention_settings() -> RetentionSettings:
    return RetentionSettings()


@dataclass(frozen=True)
class RetentionPass:
    """What one pass removed."""

    chat_turns: int = 0
    feedback: int = 0
    unanswered: int = 0
    groups: int = 0
    audit: int = 0

    @property
    def total(self) -> int:
        return self.chat_turns + self.feedback + self.unanswered + self.groups + self.audit


def _changed(db: Session, statement: Any) -> int:
    """How many rows an UPDATE or DELETE changed."""
    return int(getattr(db.execute(statement), "rowcount", 0) or 0)


def remove_expired_texts(db: Session, *, now: dt.datetime, days: int) -> RetentionPass:
    """Remove the masked texts older than ``days`` (see the module's docstring); 0 days keeps them."""
    if days <= 0:
        return RetentionPass()
    cutoff = now - dt.timedelta(days=days)
    turns = _changed(
        db,
        update(ChatTurn)
        .where(ChatTurn.at < cutoff, ChatTurn.question_masked.is_not(None))
        .values(question_masked=None),
    )
    votes = _changed(
        db,
        update(AnswerFeedback)
        .where(
            AnswerFeedback.at < cutoff,
            (AnswerFeedback.question_masked.is_not(None)) | (AnswerFeedback.comment_masked.is_not(None)),
        )
        .values(question_masked=None, comment_masked=None),
    )
    ungrouped = _changed(
        db, delete(UnansweredQuestion).where(UnansweredQuestion.at < cutoff, UnansweredQuestion.group_id.is_(None))
    )
    resolved = select(UnansweredGroup.id).where(
        UnansweredGroup.resolved_at.is_not(None), UnansweredGroup.resolved_at < cutoff
    )
    grouped = _changed(
        db, delete(UnansweredQuestion).where(UnansweredQuestion.group_id.in_(resolved.scalar_subquery()))
    )
    groups = _changed(
        db,
        update(UnansweredGroup)
        .where(
            UnansweredGroup.resolved_at.is_not(None),
            UnansweredGroup.resolved_at < cutoff,
            UnansweredGroup.representative != REMOVED,
        )
        .values(representative=REMOVED),
    )
    db.commit()
    return RetentionPass(chat_turns=turns, feedback=votes, unanswered=ungrouped + grouped, groups=groups)


def remove_expired_audit(db: Session, *, now: dt.datetime, days: int) -> int:
    """Delete audit entries older than ``days``; 0 days keeps them."""
    if days <= 0:
        return 0
    removed = _changed(db, delete(AuditEntry).where(AuditEntry.at < now - dt.timedelta(days=days)))
    db.commit()
    return removed


def run_retention_once(now: dt.datetime | None = None) -> RetentionPass:
    settings = get_retention_settings()
    now = now or dt.datetime.now(dt.UTC)
    with session_scope() as db:
        texts = remove_expired_texts(db, now=now, days=settings.chat_text_retention_days)
    with session_scope() as db:
        audit = remove_expired_audit(db, now=now, days=settings.audit_retention_days)
    done = RetentionPass(
        chat_turns=texts.chat_turns,
        feedback=texts.feedback,
        unanswered=texts.unanswered,
        groups=texts.groups,
        audit=audit,
    )
    if done.total:
        logger.info("retention: %s", done)
    return done


def retention_job() -> PeriodicJob:
    """Remove expired chat texts and audit entries every ``RETENTION_INTERVAL_S`` (the app factory lists it)."""
    return PeriodicJob("retention", get_retention_settings().retention_interval_s, run_retention_once, traceback=False)
