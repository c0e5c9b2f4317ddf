"""Saving an edit as a draft: key and schema checks, the rules of ``make validate``, conflicts with other edits."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy.orm import Session

from bot.console.checks import raise_invalid, validate_snapshot
from bot.console.documents import Document, body_hash, where_of
from bot.console.errors import DraftConflict, DraftInvalid, FieldError, NotFoundError
from bot.console.models import KIND_ITEM, KIND_POLICY, KIND_REFERRALS, REFERRALS_KEY, KbDraft
from bot.console.roles import document_office
from bot.console.versions import current_version, open_draft, published_snapshot, snapshot_of
from bot.tickets import audit
from bot.tickets.clock import utcnow


def check_document(session: Session, kind: str, key: str, body: Any) -> None:
    """Raise `DraftInvalid` when putting `body` into the published knowledge adds validation errors."""
    published = published_snapshot(session)
    candidate = published.copy()
    candidate.put(kind, key, body)
    raise_invalid(validate_snapshot(candidate), where=where_of(kind, key), baseline=validate_snapshot(published))


def save_document_draft(
    session: Session,
    kind: str,
    key: str,
    body: Any,
    *,
    author: str,
    base_revision: int | None,
    note: str = "",
    base_version: int | None = None,
) -> KbDraft:
    """Save an edit as (a new revision of) the document's open draft.

    ``base_revision`` is the draft revision the editor started from (None: the published document);
    a different current revision raises `DraftConflict`, as does a publish of this document after
    ``base_version`` when no draft is open. An invalid body raises `DraftInvalid`. Nothing changes then.
    """
    _check_key(kind, key, body)
    draft = open_draft(session, kind, key)
    if draft is not None and base_revision != draft.revision:
        raise DraftConflict(
            f"此文档已被 {draft.author} 于 {draft.updated_at:%Y-%m-%d %H:%M} 修改（修订 {draft.revision}），"
            f"您的修改基于{'修订 ' + str(base_revision) if base_revision else '已发布版本'}：请重新打开后再修改。"
        )
    if draft is None and base_revision is not None:
        raise DraftConflict(f"修订 {base_revision} 已发布或撤回：请重新打开此文档后再修改。")
    published = current_version(session)
    if draft is None and base_version is not None and published is not None and base_version != published:
        before = snapshot_of(session, base_version).document(kind, key)
        now = snapshot_of(session, published).document(kind, key)
        if before is not None and body_hash(before) != body_hash(now):
            raise DraftConflict(f"此文档在版本 {base_version} 之后已重新发布：请重新打开后再修改。")
    check_document(session, kind, key, body)
    now_at = utcnow()
    office = document_office(body) if kind == KIND_ITEM else None
    if draft is None:
        draft = KbDraft(
            kind=kind,
            key=key,
            office=office,
            body=body,
            revision=1,
            base_version=published,
            status="editing",
            author=author,
            editors=[author],
            note=note,
            created_at=now_at,
            updated_at=now_at,
            review_note="",
        )
        session.add(draft)
    else:
        draft.body = body
        draft.office = office
        draft.revision += 1
        draft.status = "editing"  # a changed draft needs a new review
        draft.author = author
        draft.editors = sorted({*draft.editors, author})
        draft.note = note or draft.note
        draft.updated_at = now_at
        draft.reviewed_by = None
        draft.reviewed_at = None
    session.flush()
    audit.record(
        session,
        "knowledge.draft.save",
        actor=author,
        target=f"{kind}/{key}",
        detail={"draft": draft.id, "revision": draft.revision, "note": note},
    )
    return draft


_KEY = re.compile(r"^[a-z0-9][a-z0-9-]{0,126}$")


def _check_key(kind: str, key: str, body: Any) -> None:
    """A document is stored under its own code (item) or id (policy); referrals under "referrals"."""
    if kind == KIND_REFERRALS:
        if key != REFERRALS_KEY or not isinstance(body, list):
            raise DraftInvalid([FieldError("", "其他部门事项应为列表")])
        return
    field = "code" if kind == KIND_ITEM else "id"
    if kind not in (KIND_ITEM, KIND_POLICY) or not isinstance(body, dict):
        raise DraftInvalid([FieldError("", "文档应为对象")])
    if not _KEY.match(key) or body.get(field) != key:
        raise DraftInvalid([FieldError(field, f"{field} 须与地址中的 {key!r} 一致，且只含小写字母、数字和连字符")])


def save_draft(
    session: Session,
    code: str,
    document: Document,
    *,
    author: str,
    base_revision: int | None,
    note: str = "",
    base_version: int | None = None,
) -> KbDraft:
    """Save an item's edit as a draft (a new code creates a new item). See `save_document_draft`."""
    return save_document_draft(
        session,
        KIND_ITEM,
        code,
        document,
        author=author,
        base_revision=base_revision,
        note=note,
        base_version=base_version,
    )


def get_draft(session: Session, draft_id: int) -> KbDraft:
    draft = session.get(KbDraft, draft_id)
    if draft is None:
        raise NotFoundError(f"草稿 {draft_id} 不存在")
    return draft
