"""The knowledge store: published versions, drafts, review, publish, diff and rollback.

Functions take a SQLAlchemy `Session` first and commit what they change together with its audit entry
(``bot/tickets/audit.py``): a refused change (conflict, invalid document, wrong role) leaves nothing.
Validation uses the rules of ``make validate`` (``knowledge.validate.validate_documents``).
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console.documents import Document, KnowledgeSnapshot, body_hash, where_of
from bot.console.models import (
    KIND_ITEM,
    OPEN_STATUSES,
    KbDocBody,
    KbDraft,
    KbPointer,
    KbVersion,
    KbVersionDoc,
)
from bot.tickets import audit
from bot.tickets.models import utcnow
from knowledge.validate import Level, ValidationReport, validate_documents

logger = logging.getLogger(__name__)

POINTER_ID = 1
EDIT_ROLES = frozenset({"editor", "reviewer", "admin"})
REVIEW_ROLES = frozenset({"reviewer", "admin"})


# ---- errors ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldError:
    path: str  # dotted path inside the document ("guides.0.fee"); "" for the document as a whole
    message: str


class StoreError(Exception):
    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DraftInvalid(StoreError):  # noqa: N818  (the name the other console parts use)
    status_code = 422

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(f"{e.path or '(文档)'}: {e.message}" for e in errors))
        self.errors = errors


class DraftConflict(StoreError):  # noqa: N818
    status_code = 409


class NotFoundError(StoreError):
    status_code = 404


class ForbiddenError(StoreError):
    status_code = 403


class BadStateError(StoreError):
    status_code = 409


class Staff(Protocol):
    """What the store needs of a staff user (``HandlerUser`` fits)."""

    username: str
    role: str
    office: str | None


# ---- roles -----------------------------------------------------------------------------------------


def document_office(document: Any) -> str | None:
    return document.get("office") if isinstance(document, dict) else None


def can_edit(user: Staff, document: Any, kind: str = KIND_ITEM) -> bool:
    """Reviewers and admins edit everything; an editor edits the items of their own office only."""
    if user.role in REVIEW_ROLES:
        return True
    if user.role != "editor" or kind != KIND_ITEM:
        return False
    office = document_office(document)
    return office is not None and office == user.office


def can_review(user: Staff) -> bool:
    return user.role in REVIEW_ROLES


# ---- published versions ----------------------------------------------------------------------------


def current_version(session: Session) -> int | None:
    """The published version (the pointer), or None before the first import."""
    return session.scalar(select(KbPointer.version).where(KbPointer.id == POINTER_ID))


def snapshot_of(session: Session, version: int) -> KnowledgeSnapshot:
    rows = session.execute(
        select(KbVersionDoc.kind, KbVersionDoc.key, KbDocBody.body)
        .join(KbDocBody, KbDocBody.id == KbVersionDoc.body_id)
        .where(KbVersionDoc.version == version)
    ).all()
    if not rows and session.get(KbVersion, version) is None:
        raise NotFoundError(f"版本 {version} 不存在")
    snapshot = KnowledgeSnapshot(version=version)
    for kind, key, body in rows:
        snapshot.put(kind, key, body)
    return snapshot


def published_snapshot(session: Session) -> KnowledgeSnapshot:
    """The live published version."""
    version = current_version(session)
    if version is None:
        raise NotFoundError("知识库尚未导入")
    return snapshot_of(session, version)


def open_drafts(session: Session) -> list[KbDraft]:
    return list(session.scalars(select(KbDraft).where(KbDraft.status.in_(OPEN_STATUSES)).order_by(KbDraft.id)))


def open_draft(session: Session, kind: str, key: str) -> KbDraft | None:
    return session.scalar(
        select(KbDraft).where(KbDraft.kind == kind, KbDraft.key == key, KbDraft.status.in_(OPEN_STATUSES))
    )


def draft_snapshot(session: Session) -> KnowledgeSnapshot:
    """Published plus every open draft applied (version = the published one)."""
    snapshot = published_snapshot(session)
    for draft in open_drafts(session):
        snapshot.put(draft.kind, draft.key, draft.body)
    return snapshot


def document(session: Session, kind: str, key: str) -> tuple[Any, KbDraft | None]:
    """The latest body of a document: its open draft's if any, else the published one (None: unknown)."""
    draft = open_draft(session, kind, key)
    if draft is not None:
        return draft.body, draft
    return published_snapshot(session).document(kind, key), None


def item_document(session: Session, code: str) -> tuple[Document, int | None]:
    """The item's latest document and the open draft's revision (None when it is the published one)."""
    body, draft = document(session, KIND_ITEM, code)
    if body is None:
        raise NotFoundError(f"事项 {code} 不存在")
    return body, draft.revision if draft is not None else None


def _body_id(session: Session, body: Any) -> int:
    digest = body_hash(body)
    found = session.scalar(select(KbDocBody.id).where(KbDocBody.sha256 == digest))
    if found is not None:
        return found
    row = KbDocBody(sha256=digest, body=body)
    session.add(row)
    session.flush()
    return row.id


def _write_version(
    session: Session, snapshot: KnowledgeSnapshot, *, actor: str, action: str, note: str, restores: int | None = None
) -> KbVersion:
    number = (session.scalar(select(func.max(KbVersion.number))) or 0) + 1
    version = KbVersion(
        number=number,
        created_at=utcnow(),
        created_by=actor,
        action=action,
        note=note,
        restores=restores,
        content_hash=snapshot.content_hash,
    )
    session.add(version)
    session.flush()
    for kind, key, body in snapshot.documents():
        session.add(KbVersionDoc(version=number, kind=kind, key=key, body_id=_body_id(session, body)))
    pointer = session.get(KbPointer, POINTER_ID)
    if pointer is None:
        session.add(KbPointer(id=POINTER_ID, version=number, updated_at=utcnow()))
    else:
        pointer.version = number
        pointer.updated_at = utcnow()
    session.flush()
    return version


def import_snapshot(session: Session, snapshot: KnowledgeSnapshot, *, actor: str, note: str = "") -> KbVersion:
    """Publish a whole knowledge base as a new version (first start; `cli import --publish`)."""
    _raise_invalid(validate_snapshot(snapshot), where=None)
    version = _write_version(session, snapshot, actor=actor, action="import", note=note)
    audit.record(session, "knowledge.import", actor=actor, target=f"version/{version.number}", detail={"note": note})
    return version


def ensure_imported(session: Session, snapshot: KnowledgeSnapshot) -> int | None:
    """Import `snapshot` as version 1 when the store is empty (call under the start-up lock).
    Returns the new version, or None when the store already holds one."""
    if current_version(session) is not None:
        return None
    return import_snapshot(session, snapshot, actor="system", note="从 YAML 首次导入").number


# ---- validation ------------------------------------------------------------------------------------


def validate_snapshot(snapshot: KnowledgeSnapshot, today: dt.date | None = None) -> ValidationReport:
    return validate_documents(snapshot.raw_documents(), today=today)


def _errors(report: ValidationReport) -> set[tuple[str, str, tuple[tuple[str, str], ...]]]:
    return {(i.where, i.message, i.fields) for i in report.issues if i.level is Level.error}


def _raise_invalid(report: ValidationReport, *, where: str | None, baseline: ValidationReport | None = None) -> None:
    new = _errors(report) - (_errors(baseline) if baseline is not None else set())
    if not new:
        return
    errors: list[FieldError] = []
    ordered = sorted(new, key=lambda e: where is not None and e[0].split("#", 1)[0] != where)  # mine first
    seen: set[str] = set()
    for at, message, fields in ordered:
        mine = where is None or at.split("#", 1)[0] == where
        if not mine and message in seen:
            continue  # the same finding, already shown on this document (a duplicate alias names both items)
        seen.add(message)
        if mine and fields:
            errors += [FieldError(path, msg if msg in message else f"{msg}：{message}") for path, msg in fields]
        else:
            errors.append(FieldError("", message if mine else f"{at}: {message}"))
    raise DraftInvalid(errors)


def check_document(session: Session, kind: str, key: str, body: Any) -> None:
    """Raise `DraftInvalid` when putting `body` into the published knowledge adds validation errors."""
    published = published_snapshot(session)
    candidate = published.copy()
    candidate.put(kind, key, body)
    _raise_invalid(validate_snapshot(candidate), where=where_of(kind, key), baseline=validate_snapshot(published))


# ---- drafts ----------------------------------------------------------------------------------------


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
    _raise_invalid(validate_snapshot(candidate), where=None, baseline=validate_snapshot(published))
    version = _write_version(session, candidate, actor=actor.username, action="publish", note=note)
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
    version = _write_version(
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


def list_versions(session: Session) -> list[KbVersion]:
    return list(session.scalars(select(KbVersion).order_by(KbVersion.number.desc())))


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class DocumentDiff:
    kind: str
    key: str
    change: str  # added / removed / changed
    fields: list[FieldChange]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values: {"guides.0.materials.1.name": "…"}; empty lists and dicts are leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for n, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{n}" if prefix else str(n)))
        return out
    return {prefix: value}


def diff_documents(old: Any, new: Any) -> list[FieldChange]:
    a, b = flatten(old), flatten(new)
    return [FieldChange(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


def diff_snapshots(old: KnowledgeSnapshot, new: KnowledgeSnapshot) -> list[DocumentDiff]:
    before = {(k, key): body for k, key, body in old.documents()}
    after = {(k, key): body for k, key, body in new.documents()}
    diffs = []
    for kind, key in sorted(set(before) | set(after)):
        a, b = before.get((kind, key)), after.get((kind, key))
        if a is not None and b is not None and body_hash(a) == body_hash(b):
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        diffs.append(DocumentDiff(kind, key, change, diff_documents(a or {}, b or {})))
    return diffs


def version_diff(session: Session, number: int) -> list[DocumentDiff]:
    """What version `number` changed against the version before it, field by field."""
    new = snapshot_of(session, number)
    old = snapshot_of(session, number - 1) if number > 1 else KnowledgeSnapshot(version=0)
    return diff_snapshots(old, new)


def live_version() -> int | None:
    """The knowledge version this process serves (no database call)."""
    from knowledge.service import live_version as served

    return served()
