"""Re-test resolved groups against the published version: their representative questions are asked to the
live engine; a group is "now answered" when every one gets an answer (for another department's group: a
referral), with the item most of them were answered from."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bot.console.unanswered.models import UnansweredGroup, UnansweredQuestion

logger = logging.getLogger(__name__)

RESOLVED = ("linked", "other_department", "dismissed")


@dataclass(frozen=True)
class Outcome:
    kind: str  # answer / clarify / no_answer
    item_code: str | None
    referral: bool = False


Ask = Callable[[str], Outcome]


def engine_ask(question: str) -> Outcome:
    from knowledge.service import get_engine

    answer = get_engine().ask(question)
    return Outcome(answer.kind, answer.item.code if answer.item else None, answer.rule == "referral")


def representative_questions(db: Session, group: UnansweredGroup, limit: int) -> list[str]:
    """The group's first question, then its most frequent other ones."""
    rows = db.execute(
        select(UnansweredQuestion.question_masked)
        .where(UnansweredQuestion.group_id == group.id)
        .order_by(UnansweredQuestion.id)
        .limit(200)
    ).scalars()
    counts = Counter(rows)
    others = [q for q, _ in counts.most_common() if q != group.representative]
    return [group.representative, *others][:limit]


def judge(status: str, outcomes: list[Outcome]) -> tuple[bool, str | None]:
    if status == "other_department":
        return all(o.referral for o in outcomes), None
    answered = all(o.kind == "answer" for o in outcomes)
    items = Counter(o.item_code for o in outcomes if o.kind == "answer" and o.item_code)
    return answered, (items.most_common(1)[0][0] if items else None)


def retest_resolved(
    db: Session, ask: Ask, version: int, *, now: dt.datetime, batch: int = 50, per_group: int = 3
) -> int:
    """Re-test up to ``batch`` resolved groups not yet tested against ``version``; returns how many. The engine
    is asked outside any transaction (SQLite's write lock is never held while it thinks). Commits."""
    groups = list(
        db.scalars(
            select(UnansweredGroup)
            .where(
                UnansweredGroup.status.in_(RESOLVED),
                or_(UnansweredGroup.retest_version.is_(None), UnansweredGroup.retest_version != version),
            )
            .order_by(UnansweredGroup.id)
            .limit(batch)
        )
    )
    plans = [(g.id, g.status, representative_questions(db, g, per_group)) for g in groups]
    db.commit()
    verdicts = [(gid, judge(status, [ask(q) for q in questions])) for gid, status, questions in plans]
    for gid, (answered, item) in verdicts:
        group = db.get(UnansweredGroup, gid)
        if group is None:
            continue
        group.retest_version, group.retest_at = version, now
        group.retest_answered, group.retest_item = answered, item
    db.commit()
    if plans:
        logger.info("unanswered: %d resolved group(s) re-tested against version %d", len(plans), version)
    return len(plans)
