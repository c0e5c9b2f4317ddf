"""The review of drafts and the versions it makes: submit, approve (not by an editor of the draft), reject,
withdraw; publish the approved drafts; roll back to an earlier version (as a new one). Each step is audited."""

from __future__ import annotations

import logging
from typing import Any

from sqlalchemy.orm import Session

from bot.console.checks import raise_invalid, validate_snapshot
from bot.console.drafts import get_draft
from bot.console.errors import BadStateError, DraftConflict, ForbiddenError
from bot.console.models import OPEN_STATUSES, KbDraft, KbVersion
from bot.console.roles import Staff, can_edit, can_review
from bot.console.versions import current_version, open_drafts, published_snapshot, snapshot_of, write_version
from bot.tickets import audit
from bot.tickets.clock import utcnow

logger = logging.getLogger(__name__)


def _transition(session: Session, draft: KbDraft, action: str, actor: str, **detail: Any) -> KbDraft:
    session.flush()
    audit.record(
        session,
        f"knowledge.draft.{action}",
        actor=actor,
        target=f"{draft.kind}/{draft.key}",
        detail={"draft": draft.id, "revision": draft.revision, **detail},
    )
    return draft


def submit_draft(session: Session, draft_id: int, *, actor: Staff) -> KbDraft:
    draft = get_draft(session, draft_id)
    if draft.status not in ("editing", "rejected"):
        raise BadStateError(f"草稿状态为 {draft.status}，不能提交审核")
    if not can_edit(actor, draft.body, draft.kind):
        raise ForbiddenError("您不能提交此文档")
    draft.status = "submitted"
    return _transition(session, draft, "submit", actor.username)


def approve_draft(session: Session, draft_id: int, *, actor: Staff, revision: int | None = None) -> KbDraft:
    """A reviewer (or admin) who did not edit the draft approves it (the revision they read, if given)."""
    draft = get_draft(session, draft_id)
    if not can_review(actor):
        raise ForbiddenError("只有审核人或管理员可以审核")
    if actor.username in draft.editors:
        raise ForbiddenError("不能审核自己修改的草稿：请由另一位审核人审核")
    if draft.status not in ("submitted", "editing"):
        raise BadStateError(f"草稿状态为 {draft.status}，不能审核通过")
    if revision is not None and revision != draft.revision:
        raise DraftConflict(f"草稿已更新到修订 {draft.revision}：请重新查看后再审核")
    draft.status = "approved"
    draft.reviewed_by = actor.username
    draft.reviewed_at = utcnow()
    return _transition(session, draft, "approve", actor.username)


def reject_draft(session: Session, draft_id: int, *, actor: Staff, note: str = "") -> KbDraft:
    draft = get_draft(session, draft_id)
    if not can_review(actor):
        raise ForbiddenError("只有审核人或管理员可以退回")
    if draft.status not in ("submitted", "approved", "editing"):
        raise BadStateError(f"草稿状态为 {draft.status}，不能退回")
    draft.status = "rejected"
    draft.reviewed_by = actor.username
    draft.reviewed_at = utcnow()
    draft.review_note = note
    return _transition(session, draft, "reject", actor.username, note=note)


def withdraw_draft(session: Session, draft_id: int, *, actor: Staff) -> KbDraft:
    draft = get_draft(session, draft_id)
    if draft.status not in OPEN_STATUSES:
        raise BadStateError(f"草稿状态为 {draft.status}，不能撤回")
    if not (can_review(actor) or (can_edit(actor, draft.body, draft.kind) and actor.username in draft.editors)):
        raise ForbiddenError("您不能撤回此草稿")
    draft.status = "withdrawn"
    return _transition(session, draft, "withdraw", actor.username)


# ---- publish, diff, rollback -----------------------------------------------------------------------


def publish(session: Session, *, actor: Staff, note: str = "", draft_ids: list[int] | None = None) -> KbVersion:
    """Publish the approved drafts (all, or those listed) as a new immutable version."""
    if not can_review(actor):
        raise ForbiddenError("只有审核人或管理员可以发布")
    approved = [d for d in open_drafts(session) if d.status == "approved"]
    if draft_ids is not None:
        wanted = set(draft_ids)
        approved = [d for d in approved if d.id in wanted]
        if len(approved) != len(wanted):
            raise BadStateError("所选草稿中有未审核通过的")
    if not approved:
        raise BadStateError("没有审核通过的草稿可发布")
    published = published_snapshot(session)
    candidate = published.copy()
    for draft in approved:
        candidate.put(draft.kind, draft.key, draft.body)
    raise_invalid(validate_snapshot(candidate), where=None, baseline=validate_snapshot(published))
    version = write_version(session, candidate, actor=actor.username, action="publish", note=note)
    for draft in approved:
        draft.status = "published"
        draft.published_version = version.number
    session.flush()
    audit.record(
        session,
        "knowledge.publish",
        actor=actor.username,
        target=f"version/{version.number}",
        detail={"drafts": [d.id for d in approved], "documents": [f"{d.kind}/{d.key}" for d in approved], "note": note},
    )
    logger.info("knowledge version %d published by %s (%d drafts)", version.number, actor.username, len(approved))
    return version


def rollback(session: Session, number: int, *, actor: Staff, note: str = "") -> KbVersion:
    """Republish version `number`'s documents as a new version (history stays linear and immutable)."""
    if not can_review(actor):
        raise ForbiddenError("只有审核人或管理员可以回滚")
    target = snapshot_of(session, number)
    if current_version(session) == number:
        raise BadStateError(f"版本 {number} 正在使用中")
    version = write_version(
        session, target, actor=actor.username, action="rollback", note=note or f"回滚到版本 {number}", restores=number
    )
    audit.record(
        session,
        "knowledge.rollback",
        actor=actor.username,
        target=f"version/{version.number}",
        detail={"restores": number, "note": note},
    )
    return version
