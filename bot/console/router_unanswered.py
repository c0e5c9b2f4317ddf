"""``/api/console/unanswered``: the unanswered-questions list and its resolutions (console roles editor,
reviewer, admin; an editor sees its office's groups and the triage queue). Built with the console's
dependencies: state-changing requests pass the desk's origin check and go to the audit trail.

The app factory puts an ``UnansweredLoop`` on ``app.state.unanswered``.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Depends, HTTPException, Query, Request, status
from pydantic import BaseModel, ConfigDict, Field

from bot.console.deps import CONSOLE_DEPENDENCIES, ConsoleUser
from bot.console.unanswered import resolve, service, texts
from bot.console.unanswered.loop import UnansweredLoop
from bot.db import session_scope
from bot.tickets.dependencies import NowDep, SessionDep
from bot.tickets.models import HandlerUser

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/api/console/unanswered", tags=["console"], dependencies=CONSOLE_DEPENDENCIES)


def get_loop(request: Request) -> UnansweredLoop:
    loop: UnansweredLoop | None = getattr(request.app.state, "unanswered", None)
    if loop is None:
        raise HTTPException(status.HTTP_503_SERVICE_UNAVAILABLE, "unanswered-questions loop not wired")
    return loop


LoopDep = Annotated[UnansweredLoop, Depends(get_loop)]


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    item_code: str = Field(min_length=1, max_length=128)
    as_: Literal["alias", "faq"] = Field(alias="as")
    text: str = Field(min_length=1, max_length=200)  # the alias, or the FAQ question
    guide_id: str | None = Field(default=None, max_length=128)
    answer: str | None = Field(default=None, max_length=4000)


class OtherDepartmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    department: str | None = Field(default=None, max_length=64)
    keyword: str | None = Field(default=None, max_length=32)


class DismissIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    note: str | None = Field(default=None, max_length=500)


def _retest_in_background(loop: UnansweredLoop, now: Any) -> None:
    try:
        with session_scope() as db:
            loop.retest(db, now=now)
    except Exception:
        logger.exception("re-test of resolved unanswered groups failed")


@router.get("")
def list_unanswered(
    user: ConsoleUser,
    db: SessionDep,
    now: NowDep,
    loop: LoopDep,
    background: BackgroundTasks,
    status_: Annotated[str | None, Query(alias="status", max_length=24)] = "open",
    office: Annotated[str | None, Query(max_length=64)] = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    if status_ and status_ not in service.STATUSES and status_ != "all":
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown status")
    loop.refresh(db, now=now)
    if loop.needs_retest(db):
        background.add_task(_retest_in_background, loop, now)
    db.commit()  # SQLite: no transaction (a write lock) may outlive the reads below into the background task
    scope = service.scope_of(user, loop.triage)
    out = service.list_groups(
        db, scope, status=None if status_ == "all" else status_, office=office, q=q, limit=limit, offset=offset
    )
    out["version"] = loop.version()
    out["triage"] = loop.triage
    out["labels"] = {"sources": texts.SOURCES, "statuses": texts.STATUSES}
    out["user"] = {"username": user.username, "role": user.role, "office": user.office}
    db.commit()
    return out


def _group(db: SessionDep, group_id: int, user: HandlerUser, loop: UnansweredLoop) -> Any:
    group = service.get_group(db, group_id, service.scope_of(user, loop.triage))
    if group is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, texts.NOT_FOUND)
    return group


def _refused(exc: resolve.ResolveError) -> HTTPException:
    detail: Any = {"message": exc.message, "errors": exc.errors} if exc.errors else exc.message
    return HTTPException(exc.status, detail)


@router.post("/{group_id}/link")
def link_group(
    group_id: int, body: LinkIn, user: ConsoleUser, db: SessionDep, now: NowDep, loop: LoopDep
) -> dict[str, Any]:
    group = _group(db, group_id, user, loop)
    try:
        draft = resolve.link(
            db,
            group,
            user,
            item_code=body.item_code,
            as_=body.as_,
            text=body.text.strip(),
            guide_id=body.guide_id,
            answer=body.answer,
            now=now,
        )
    except resolve.ResolveError as exc:
        raise _refused(exc) from None
    return {"id": group_id, "status": "linked", "draft_id": draft}


@router.post("/{group_id}/other-department")
def other_department(
    group_id: int,
    body: OtherDepartmentIn,
    user: ConsoleUser,
    db: SessionDep,
    now: NowDep,
    loop: LoopDep,
) -> dict[str, Any]:
    group = _group(db, group_id, user, loop)
    department = body.department.strip() if body.department and body.department.strip() else None
    keyword = body.keyword.strip() if body.keyword and body.keyword.strip() else None
    try:
        draft = resolve.other_department(db, group, user, department=department, keyword=keyword, now=now)
    except resolve.ResolveError as exc:
        raise _refused(exc) from None
    return {"id": group_id, "status": "other_department", "draft_id": draft}


@router.post("/{group_id}/dismiss")
def dismiss_group(
    group_id: int, body: DismissIn, user: ConsoleUser, db: SessionDep, now: NowDep, loop: LoopDep
) -> dict[str, Any]:
    group = _group(db, group_id, user, loop)
    try:
        resolve.dismiss(db, group, user, note=body.note, now=now)
    except resolve.ResolveError as exc:
        raise _refused(exc) from None
    return {"id": group_id, "status": "dismissed"}


@router.post("/{group_id}/reopen")
def reopen_group(group_id: int, user: ConsoleUser, db: SessionDep, loop: LoopDep) -> dict[str, Any]:
    group = _group(db, group_id, user, loop)
    try:
        resolve.reopen(db, group)
    except resolve.ResolveError as exc:
        raise _refused(exc) from None
    return {"id": group_id, "status": "open"}


@router.post("/retest")
def retest_now(user: ConsoleUser, db: SessionDep, now: NowDep, loop: LoopDep) -> dict[str, Any]:
    """Re-test the resolved groups against the live version now (the list also does it after a publish)."""
    return {"retested": loop.retest(db, now=now), "version": loop.version()}
