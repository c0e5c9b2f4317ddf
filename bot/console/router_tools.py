"""Console tools API: the hit test (命中测试) and the review list (复核清单).

    POST /api/console/hit-test     {question, region?} → the published engine's and the draft's trace
    GET  /api/console/review-list  ?office=&reason=    → stale, due, weak, empty, pending, other-region rows

Any console user (editor, reviewer, admin) may use both; handlers get 403 (bot/console/deps.py).
The spreadsheet import lives in router_import.py.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, status
from pydantic import ValidationError
from sqlalchemy.orm import Session

from bot.console import errors, roles, versions
from bot.console.deps import CONSOLE_DEPENDENCIES, ConsoleUser
from bot.console.documents import KnowledgeSnapshot
from bot.console.tools import texts
from bot.console.tools.config import get_tools_settings
from bot.console.tools.draft_engine import draft_engines
from bot.console.tools.hit_test import HitTestResult, run_side
from bot.console.tools.review_rules import PendingDraft, ReviewContext, review_list
from bot.console.tools.schemas import HitTestIn, ReviewListOut, ReviewRowOut
from bot.db import get_session
from knowledge import service
from knowledge.config import get_settings as knowledge_settings
from knowledge.validate import DEFAULT_MAX_AGE_DAYS

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/console", tags=["console-tools"], dependencies=CONSOLE_DEPENDENCIES)
SessionDep = Annotated[Session, Depends(get_session)]


def today() -> dt.date:
    """The review list's reference day (tests override this dependency; nothing else reads the clock)."""
    return dt.date.today()


Today = Annotated[dt.date, Depends(today)]


def store_snapshot(read: Callable[[Session], KnowledgeSnapshot], db: Session) -> KnowledgeSnapshot:
    """A snapshot of the store; before the first import (or any store error) a clear HTTP error."""
    try:
        return read(db)
    except errors.StoreError as exc:
        raise HTTPException(exc.status_code, exc.message) from exc


def edit_url(kind: str, key: str) -> str:
    return f"/console#{kind}/{key}"


@router.post("/hit-test", response_model=HitTestResult)
def hit_test(body: HitTestIn, user: ConsoleUser, db: SessionDep) -> HitTestResult:
    top = get_tools_settings().hit_test_top
    username = user.username
    snapshot = store_snapshot(versions.draft_snapshot, db)
    db.rollback()  # read-only: end the transaction before the engines are (possibly) built
    live = service.current()
    question = body.question.strip()
    published = run_side(
        live.engine, question, body.region, label=texts.HIT_TEST_PUBLISHED.format(version=live.version), top=top
    )
    differs = snapshot.content_hash != live.content_hash
    try:
        engine = draft_engines().get(snapshot.to_catalog()) if differs else live.engine
    except ValidationError as exc:  # an open draft the schema refuses (saved before a schema change)
        raise HTTPException(
            status.HTTP_409_CONFLICT, texts.HIT_TEST_DRAFT_BROKEN.format(error=exc.errors()[0]["msg"])
        ) from exc
    draft = run_side(engine, question, body.region, label=texts.HIT_TEST_DRAFT, top=top)
    logger.info("hit test by %s: published %s, draft %s", username, published.decision.rule, draft.decision.rule)
    return HitTestResult(question=question, region=body.region, published=published, draft=draft, draft_differs=differs)


@router.get("/review-list", response_model=ReviewListOut)
def get_review_list(
    user: ConsoleUser,
    db: SessionDep,
    day: Today,
    office: Annotated[str | None, Query(max_length=64)] = None,
    reason: Annotated[str | None, Query(max_length=32)] = None,
) -> ReviewListOut:
    snapshot = store_snapshot(versions.published_snapshot, db)
    drafts = [
        PendingDraft(d.id, d.key, d.author, d.status, d.updated_at.isoformat())
        for d in versions.open_drafts(db)
        if d.kind == "item" and d.status in ("submitted", "approved")
    ]
    items: dict[str, dict[str, Any]] = dict(snapshot.items)
    offices = {code: roles.document_office(doc) for code, doc in items.items()}
    for d in versions.open_drafts(db):  # a new item exists only as a draft: its owner is the draft's office
        if d.kind == "item" and d.key not in offices:
            offices[d.key] = d.office
    region = knowledge_settings().region
    ctx = ReviewContext(today=day, region=region, max_age_days=DEFAULT_MAX_AGE_DAYS)
    rows = review_list(items, drafts, offices, ctx, policies=dict(snapshot.policies))
    if office:
        rows = [r for r in rows if r.office == office]
    counts = Counter(r.reason for r in rows)
    if reason:
        rows = [r for r in rows if r.reason == reason]
    return ReviewListOut(
        today=day.isoformat(),
        region=region,
        max_age_days=DEFAULT_MAX_AGE_DAYS,
        total=len(rows),
        counts=dict(counts),
        rows=[
            ReviewRowOut(
                item_code=r.item_code,
                item_name=r.item_name,
                office=r.office,
                guide_id=r.guide_id,
                reason=r.reason,
                reason_label=texts.REVIEW_REASON.get(r.reason, r.reason),
                message=r.message,
                draft_id=r.draft_id,
                edit_url=edit_url(r.kind, r.item_code),
            )
            for r in rows
        ],
    )
