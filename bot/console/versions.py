"""Published versions of the knowledge store: read a version, the drafts on top of it, write a new one.

A version is immutable; the pointer names the published one. Bodies are stored once per content hash."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bot.console.checks import raise_invalid, validate_snapshot
from bot.console.documents import Document, KnowledgeSnapshot, body_hash
from bot.console.errors import NotFoundError
from bot.console.models import KIND_ITEM, OPEN_STATUSES, KbDocBody, KbDraft, KbPointer, KbVersion, KbVersionDoc
from bot.tickets import audit
from bot.tickets.clock import utcnow

POINTER_ID = 1


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


def write_version(
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
    raise_invalid(validate_snapshot(snapshot), where=None)
    version = write_version(session, snapshot, actor=actor, action="import", note=note)
    audit.record(session, "knowledge.import", actor=actor, target=f"version/{version.number}", detail={"note": note})
    return version


def ensure_imported(session: Session, snapshot: KnowledgeSnapshot) -> int | None:
    """Import `snapshot` as version 1 when the store is empty (call under the start-up lock).
    Returns the new version, or None when the store already holds one."""
    if current_version(session) is not None:
        return None
    return import_snapshot(session, snapshot, actor="system", note="从 YAML 首次导入").number


def list_versions(session: Session) -> list[KbVersion]:
    return list(session.scalars(select(KbVersion).order_by(KbVersion.number.desc())))


def live_version() -> int | None:
    """The knowledge version this process serves (no database call)."""
    from knowledge.service import live_version as served

    return served()
