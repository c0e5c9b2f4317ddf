"""The console's store API under ``/api/console/``: items, policies, referrals, drafts, review, publish,
versions (diff, rollback) and the audit trail. Desk login (same cookie); editors, reviewers, admins."""

from __future__ import annotations

from typing import Any, NoReturn

from fastapi import APIRouter, HTTPException, Query, Response, status
from sqlalchemy import or_, select

from bot.console import diff, drafts, errors, review, roles
from bot.console.deps import CONSOLE_DEPENDENCIES, ConsoleUser
from bot.console.documents import Document
from bot.console.models import KIND_ITEM, KIND_POLICY, KIND_REFERRALS, OPEN_STATUSES, REFERRALS_KEY, KbDraft
from bot.console.schemas import (
    AuditOut,
    ConsoleMe,
    DocumentDiffOut,
    DocumentOut,
    DraftDetail,
    DraftIn,
    DraftOut,
    FieldChangeOut,
    ItemSummary,
    NoteIn,
    PublishIn,
    VersionList,
    VersionOut,
)
from bot.console.versions import (
    current_version,
    document,
    draft_snapshot,
    list_versions,
    live_version,
    open_drafts,
    published_snapshot,
)
from bot.tickets.dependencies import SessionDep
from bot.tickets.routing import get_routing
from bot.tickets.staff_models import AuditEntry

router = APIRouter(prefix="/api/console", tags=["console"], dependencies=CONSOLE_DEPENDENCIES)


def _fail(exc: errors.StoreError) -> NoReturn:
    if isinstance(exc, errors.DraftInvalid):
        detail: Any = {
            "message": "校验未通过，未保存任何修改",
            "errors": [{"path": e.path, "message": e.message} for e in exc.errors],
        }
    else:
        detail = exc.message
    raise HTTPException(exc.status_code, detail) from exc


def _draft_out(draft: KbDraft | None) -> DraftOut | None:
    return DraftOut.model_validate(draft) if draft is not None else None


@router.get("/me", response_model=ConsoleMe)
def me(user: ConsoleUser) -> ConsoleMe:
    return ConsoleMe(
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        office=user.office,
        offices=[o for o in get_routing().all_offices()],
    )


# ---- items ----


@router.get("/items", response_model=list[ItemSummary])
def list_items(
    user: ConsoleUser,
    db: SessionDep,
    response: Response,
    q: str = Query(default="", max_length=100),
    offset: int = Query(default=0, ge=0),
    limit: int = Query(default=200, ge=1, le=1000),
) -> list[ItemSummary]:
    """Items (published, or new as drafts) matching ``q`` by name, alias or code, in code order, a page at a
    time; ``X-Total-Count`` says how many match."""
    try:
        snapshot = published_snapshot(db)
    except errors.StoreError as exc:
        _fail(exc)
    drafts = {d.key: d for d in open_drafts(db) if d.kind == KIND_ITEM}
    docs: dict[str, Document] = dict(snapshot.items)
    docs.update({key: d.body for key, d in drafts.items()})  # new items exist only as drafts
    needle = q.strip().casefold()
    matching = []
    for code in sorted(docs):
        doc = docs[code] if isinstance(docs[code], dict) else {}
        names = [str(doc.get("name") or ""), *[str(a) for a in doc.get("aliases") or []], code]
        if not needle or any(needle in n.casefold() for n in names):
            matching.append((code, doc))
    response.headers["X-Total-Count"] = str(len(matching))
    out = []
    for code, doc in matching[offset : offset + limit]:
        out.append(
            ItemSummary(
                code=code,
                name=str(doc.get("name") or code),
                category=doc.get("category"),
                office=doc.get("office"),
                aliases=[str(a) for a in doc.get("aliases") or []],
                guides=len(doc.get("guides") or []),
                review_due=str(doc["review_due"]) if doc.get("review_due") else None,
                draft=_draft_out(drafts.get(code)),
                can_edit=roles.can_edit(user, doc),
            )
        )
    return out


def _document_out(db: SessionDep, user: ConsoleUser, kind: str, key: str) -> DocumentOut:
    try:
        published = published_snapshot(db)
        body, draft = document(db, kind, key)
    except errors.StoreError as exc:
        _fail(exc)
    if body is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"{key} 不存在")
    return DocumentOut(
        kind=kind,
        key=key,
        document=body,
        revision=draft.revision if draft is not None else None,
        published=published.document(kind, key),
        version=published.version,
        draft=_draft_out(draft),
        can_edit=roles.can_edit(user, body, kind),
    )


def _save(db: SessionDep, user: ConsoleUser, kind: str, key: str, body: DraftIn) -> DraftOut:
    try:
        current, _ = document(db, kind, key)
    except errors.StoreError as exc:
        _fail(exc)
    # an editor may neither touch another office's item nor move an item out of their office
    if not roles.can_edit(user, body.document, kind) or (
        current is not None and not roles.can_edit(user, current, kind)
    ):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "您只能编辑本科室的事项")
    try:
        draft = drafts.save_document_draft(
            db,
            kind,
            key,
            body.document,
            author=user.username,
            base_revision=body.base_revision,
            base_version=body.base_version,
            note=body.note,
        )
    except errors.StoreError as exc:
        db.rollback()
        _fail(exc)
    return DraftOut.model_validate(draft)


@router.get("/items/{code}", response_model=DocumentOut)
def get_item(code: str, user: ConsoleUser, db: SessionDep) -> DocumentOut:
    return _document_out(db, user, KIND_ITEM, code)


@router.put("/items/{code}/draft", response_model=DraftOut)
def save_item_draft(code: str, body: DraftIn, user: ConsoleUser, db: SessionDep) -> DraftOut:
    return _save(db, user, KIND_ITEM, code, body)


# ---- policies and referrals ----


@router.get("/policies", response_model=list[dict[str, Any]])
def list_policies(user: ConsoleUser, db: SessionDep) -> list[dict[str, Any]]:
    try:
        snapshot = draft_snapshot(db)
    except errors.StoreError as exc:
        _fail(exc)
    return [
        {"id": key, "title": doc.get("title"), "region": doc.get("region"), "points": len(doc.get("points") or [])}
        for key, doc in sorted(snapshot.policies.items())
    ]


@router.get("/policies/{doc_id}", response_model=DocumentOut)
def get_policy(doc_id: str, user: ConsoleUser, db: SessionDep) -> DocumentOut:
    return _document_out(db, user, KIND_POLICY, doc_id)


@router.put("/policies/{doc_id}/draft", response_model=DraftOut)
def save_policy_draft(doc_id: str, body: DraftIn, user: ConsoleUser, db: SessionDep) -> DraftOut:
    return _save(db, user, KIND_POLICY, doc_id, body)


@router.get("/referrals", response_model=DocumentOut)
def get_referrals(user: ConsoleUser, db: SessionDep) -> DocumentOut:
    return _document_out(db, user, KIND_REFERRALS, REFERRALS_KEY)


@router.put("/referrals/draft", response_model=DraftOut)
def save_referrals_draft(body: DraftIn, user: ConsoleUser, db: SessionDep) -> DraftOut:
    return _save(db, user, KIND_REFERRALS, REFERRALS_KEY, body)


# ---- drafts and review ----


@router.get("/drafts", response_model=list[DraftOut])
def list_drafts(user: ConsoleUser, db: SessionDep, state: str = Query(default="open", max_length=16)) -> list[DraftOut]:
    query = select(KbDraft).order_by(KbDraft.updated_at.desc()).limit(200)
    if state == "open":
        query = query.where(KbDraft.status.in_(OPEN_STATUSES))
    elif state != "all":
        query = query.where(KbDraft.status == state)
    return [DraftOut.model_validate(d) for d in db.scalars(query)]


@router.get("/drafts/{draft_id}", response_model=DraftDetail)
def get_draft(draft_id: int, user: ConsoleUser, db: SessionDep) -> DraftDetail:
    try:
        draft = drafts.get_draft(db, draft_id)
        published = published_snapshot(db).document(draft.kind, draft.key)
    except errors.StoreError as exc:
        _fail(exc)
    changes = diff.diff_documents(published or {}, draft.body)
    return DraftDetail(
        **DraftOut.model_validate(draft).model_dump(),
        document=draft.body,
        changes=[FieldChangeOut(path=c.path, old=c.old, new=c.new) for c in changes],
    )


def _act(db: SessionDep, fn: Any, *args: Any, **kwargs: Any) -> Any:
    try:
        return fn(db, *args, **kwargs)
    except errors.StoreError as exc:
        db.rollback()
        _fail(exc)


@router.post("/drafts/{draft_id}/submit", response_model=DraftOut)
def submit(draft_id: int, user: ConsoleUser, db: SessionDep) -> DraftOut:
    return DraftOut.model_validate(_act(db, review.submit_draft, draft_id, actor=user))


@router.post("/drafts/{draft_id}/approve", response_model=DraftOut)
def approve(draft_id: int, body: NoteIn, user: ConsoleUser, db: SessionDep) -> DraftOut:
    return DraftOut.model_validate(_act(db, review.approve_draft, draft_id, actor=user, revision=body.revision))


@router.post("/drafts/{draft_id}/reject", response_model=DraftOut)
def reject(draft_id: int, body: NoteIn, user: ConsoleUser, db: SessionDep) -> DraftOut:
    return DraftOut.model_validate(_act(db, review.reject_draft, draft_id, actor=user, note=body.note))


@router.post("/drafts/{draft_id}/withdraw", response_model=DraftOut)
def withdraw(draft_id: int, user: ConsoleUser, db: SessionDep) -> DraftOut:
    return DraftOut.model_validate(_act(db, review.withdraw_draft, draft_id, actor=user))


# ---- publish and versions ----


@router.post("/publish", response_model=VersionOut, status_code=status.HTTP_201_CREATED)
def publish(body: PublishIn, user: ConsoleUser, db: SessionDep) -> VersionOut:
    return VersionOut.model_validate(_act(db, review.publish, actor=user, note=body.note, draft_ids=body.draft_ids))


@router.get("/versions", response_model=VersionList)
def versions(user: ConsoleUser, db: SessionDep) -> VersionList:
    return VersionList(
        published=current_version(db),
        live=live_version(),
        versions=[VersionOut.model_validate(v) for v in list_versions(db)],
    )


@router.get("/versions/{number}/diff", response_model=list[DocumentDiffOut])
def version_diff(number: int, user: ConsoleUser, db: SessionDep) -> list[DocumentDiffOut]:
    diffs = _act(db, diff.version_diff, number)
    return [
        DocumentDiffOut(
            kind=d.kind,
            key=d.key,
            change=d.change,
            fields=[FieldChangeOut(path=f.path, old=f.old, new=f.new) for f in d.fields],
        )
        for d in diffs
    ]


@router.post("/versions/{number}/rollback", response_model=VersionOut, status_code=status.HTTP_201_CREATED)
def rollback(number: int, body: NoteIn, user: ConsoleUser, db: SessionDep) -> VersionOut:
    return VersionOut.model_validate(_act(db, review.rollback, number, actor=user, note=body.note))


# ---- audit ----


@router.get("/audit", response_model=list[AuditOut])
def audit_trail(
    user: ConsoleUser,
    db: SessionDep,
    limit: int = Query(default=100, ge=1, le=500),
    actor: str | None = Query(default=None, max_length=64),
    before: int | None = Query(default=None, ge=1),
) -> list[AuditOut]:
    """The console's part of the audit trail: knowledge changes and console requests, newest first; a page
    at a time (``before``: the last id of the previous page)."""
    query = (
        select(AuditEntry)
        .where(or_(AuditEntry.action.like("knowledge.%"), AuditEntry.target.like("/api/console/%")))
        .order_by(AuditEntry.id.desc())
        .limit(limit)
    )
    if before is not None:
        query = query.where(AuditEntry.id < before)
    if actor:
        query = query.where(AuditEntry.actor == actor)
    return [AuditOut.model_validate(e) for e in db.scalars(query)]
