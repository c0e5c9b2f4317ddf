"""Retention beyond tickets: masked chat texts, answer votes, unanswered questions and the audit trail are
removed after their settings' days, on the service's own database; what the dashboard counts stays."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
from pydantic import ValidationError
from sqlalchemy import func, select

from bot import retention
from bot.analytics.models import ChatTurn
from bot.console.unanswered.models import UnansweredGroup, UnansweredQuestion
from bot.db import session_scope
from bot.feedback.models import AnswerFeedback
from bot.tickets.staff_models import AuditEntry

T0 = dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC)


def _seed(at: dt.datetime, tag: str) -> None:
    """One of each kept text at ``at``: a turn, a vote, an open question, a resolved group with a member."""
    with session_scope() as db:
        db.add(
            ChatTurn(
                at=at,
                day=at.date(),
                channel="web",
                session_hash=f"s-{tag}",
                kind="answer",
                question_masked=f"问题{tag}",
                turn_id=f"t-{tag}",
            )
        )
        db.add(
            AnswerFeedback(
                turn_id=f"t-{tag}",
                at=at,
                day=at.date(),
                session_hash=f"s-{tag}",
                vote="down",
                reason="other",
                comment_masked=f"评论{tag}",
                question_masked=f"问题{tag}",
                kind="answer",
            )
        )
        group = UnansweredGroup(
            created_at=at,
            last_seen_at=at,
            representative=f"代表{tag}",
            questions=1,
            embedder="fake",
            centroid=np.zeros(4, dtype=np.float32).tobytes(),
            office="triage",
            status="linked",
            resolved_by="curator",
            resolved_at=at,
        )
        db.add(group)
        db.flush()
        for group_id in (None, group.id):
            db.add(
                UnansweredQuestion(
                    at=at,
                    day=at.date(),
                    session_hash=f"s-{tag}",
                    source="no_answer",
                    question_masked=f"没答上{tag}",
                    state="grouped" if group_id else "open",
                    group_id=group_id,
                )
            )
        db.add(AuditEntry(at=at, actor="admin", action=f"login {tag}"))
        db.commit()


def test_masked_texts_go_after_their_days_and_counts_stay(tickets_env: str) -> None:
    _seed(T0, "old")
    _seed(T0 + dt.timedelta(days=60), "new")
    with session_scope() as db:
        assert retention.remove_expired_texts(db, now=T0 + dt.timedelta(days=89), days=90).total == 0
        assert retention.remove_expired_texts(db, now=T0 + dt.timedelta(days=91), days=0).total == 0
        done = retention.remove_expired_texts(db, now=T0 + dt.timedelta(days=91), days=90)
        assert done == retention.RetentionPass(chat_turns=1, feedback=1, unanswered=2, groups=1)
        assert retention.remove_expired_texts(db, now=T0 + dt.timedelta(days=91), days=90).total == 0  # idempotent

    with session_scope() as db:
        turns = {t.session_hash: t for t in db.scalars(select(ChatTurn))}
        assert turns["s-old"].question_masked is None and turns["s-new"].question_masked == "问题new"
        assert turns["s-old"].kind == "answer"  # the row stays for the dashboard
        votes = {v.session_hash: v for v in db.scalars(select(AnswerFeedback))}
        assert (votes["s-old"].comment_masked, votes["s-old"].question_masked) == (None, None)
        assert votes["s-old"].vote == "down" and votes["s-new"].comment_masked == "评论new"
        questions = db.scalars(select(UnansweredQuestion.question_masked)).all()
        assert sorted(questions) == ["没答上new", "没答上new"]
        groups = {g.representative: g for g in db.scalars(select(UnansweredGroup))}
        assert set(groups) == {retention.REMOVED, "代表new"}
        assert groups[retention.REMOVED].questions == 1 and groups[retention.REMOVED].status == "linked"


def test_audit_is_kept_its_days_and_not_less_than_six_months(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(T0, "old")
    _seed(T0 + dt.timedelta(days=300), "new")
    with session_scope() as db:
        assert retention.remove_expired_audit(db, now=T0 + dt.timedelta(days=366), days=0) == 0
        assert retention.remove_expired_audit(db, now=T0 + dt.timedelta(days=366), days=365) == 1
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(AuditEntry)) == 1

    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "30")
    retention.get_retention_settings.cache_clear()
    with pytest.raises(ValidationError, match="at least 180"):
        retention.get_retention_settings()


def test_one_pass_reads_the_settings(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _seed(T0, "old")
    monkeypatch.setenv("CHAT_TEXT_RETENTION_DAYS", "30")
    monkeypatch.setenv("AUDIT_RETENTION_DAYS", "180")
    retention.get_retention_settings.cache_clear()
    done = retention.run_retention_once(now=T0 + dt.timedelta(days=200))
    assert done == retention.RetentionPass(chat_turns=1, feedback=1, unanswered=2, groups=1, audit=1)
