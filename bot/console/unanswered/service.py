"""The unanswered-questions list: who sees which groups, the list itself, and the bookkeeping of a resolution
(the drafts a link or a referral creates are made by ``resolve``)."""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from bot.console.unanswered import texts
from bot.console.unanswered.models import UnansweredGroup, UnansweredQuestion
from bot.tickets.enums import Role
from bot.tickets.models import HandlerUser

logger = logging.getLogger(__name__)

STATUSES = frozenset(texts.STATUSES)
SAMPLES = 5


@dataclass(frozen=True)
class Scope:
    """None: every office; else these offices only (an editor: its own and the triage queue)."""

    offices: frozenset[str] | None


def scope_of(user: HandlerUser, triage: str) -> Scope:
    if user.role == Role.editor.value:
        return Scope(frozenset({triage, *([user.office] if user.office else [])}))
    return Scope(None)


def _in_scope(scope: Scope) -> list[Any]:
    return [] if scope.offices is None else [UnansweredGroup.office.in_(sorted(scope.offices))]


def get_group(db: Session, group_id: int, scope: Scope) -> UnansweredGroup | None:
    group = db.get(UnansweredGroup, group_id)
    if group is None or (scope.offices is not None and group.office not in scope.offices):
        return None
    return group


def list_groups(
    db: Session,
    scope: Scope,
    *,
    status: str | None = "open",
    office: str | None = None,
    q: str | None = None,
    limit: int = 50,
    offset: int = 0,
) -> dict[str, Any]:
    where = _in_scope(scope)
    if status:
        where.append(UnansweredGroup.status == status)
    if office:
        where.append(UnansweredGroup.office == office)
    if q:
        like = f"%{q}%"
        member = select(UnansweredQuestion.group_id).where(UnansweredQuestion.question_masked.like(like))
        where.append(or_(UnansweredGroup.representative.like(like), UnansweredGroup.id.in_(member)))
    total = int(db.scalar(select(func.count()).select_from(UnansweredGroup).where(*where)) or 0)
    groups = list(
        db.scalars(
            select(UnansweredGroup)
            .where(*where)
            .order_by(UnansweredGroup.questions.desc(), UnansweredGroup.last_seen_at.desc(), UnansweredGroup.id)
            .limit(limit)
            .offset(offset)
        )
    )
    ids = [g.id for g in groups]
    by_source: dict[int, Counter[str]] = {i: Counter() for i in ids}
    samples: dict[int, list[str]] = {i: [] for i in ids}
    if ids:
        for gid, source, n in db.execute(
            select(UnansweredQuestion.group_id, UnansweredQuestion.source, func.count())
            .where(UnansweredQuestion.group_id.in_(ids))
            .group_by(UnansweredQuestion.group_id, UnansweredQuestion.source)
        ):
            by_source[int(gid or 0)][source] += int(n)
        for gid, question, _n in db.execute(
            select(UnansweredQuestion.group_id, UnansweredQuestion.question_masked, func.count())
            .where(UnansweredQuestion.group_id.in_(ids))
            .group_by(UnansweredQuestion.group_id, UnansweredQuestion.question_masked)
            .order_by(func.count().desc(), UnansweredQuestion.question_masked)
        ):
            kept = samples[int(gid or 0)]
            if len(kept) < SAMPLES:
                kept.append(question)
    return {
        "total": total,
        "groups": [group_view(g, by_source[g.id], samples[g.id]) for g in groups],
    }


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def group_view(group: UnansweredGroup, sources: Counter[str], samples: list[str]) -> dict[str, Any]:
    return {
        "id": group.id,
        "representative": group.representative,
        "questions": group.questions,
        "samples": samples,
        "sources": {k: sources[k] for k in texts.SOURCES if sources[k]},
        "office": group.office,
        "item_code": group.item_code,
        "status": group.status,
        "first_seen": _iso(group.created_at),
        "last_seen": _iso(group.last_seen_at),
        "resolution": None
        if group.status == "open"
        else {
            "by": group.resolved_by,
            "at": _iso(group.resolved_at),
            "as": group.resolution,
            "item_code": group.linked_item,
            "department": group.department,
            "draft_id": group.draft_id,
            "note": group.note,
        },
        "retest": None
        if group.retest_version is None
        else {
            "version": group.retest_version,
            "at": _iso(group.retest_at),
            "answered": group.retest_answered,
            "item_code": group.retest_item,
        },
    }


def mark_resolved(
    group: UnansweredGroup,
    status: str,
    *,
    by: str,
    now: dt.datetime,
    resolution: str | None = None,
    item_code: str | None = None,
    department: str | None = None,
    draft_id: int | None = None,
    note: str | None = None,
) -> None:
    group.status = status
    group.resolved_by, group.resolved_at = by[:64], now
    group.resolution, group.linked_item, group.department = resolution, item_code, department
    group.draft_id, group.note = draft_id, note
    group.retest_version = group.retest_at = group.retest_answered = group.retest_item = None
