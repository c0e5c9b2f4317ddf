"""Console dependencies: the desk's login (same cookie), console roles, origin check and audit trail.

Every console router (``bot/console/router_*.py``) is built with ``CONSOLE_DEPENDENCIES``: state-changing
requests must come from the console's own origin, and each one by a logged-in staff user is recorded in
``audit_log`` (route, target path, outcome) besides any detailed entry the store writes.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.orm import Session

from bot.db import get_session
from bot.tickets import audit, auth
from bot.tickets.models import HandlerUser

logger = logging.getLogger(__name__)

CONSOLE_API = "/api/console/"
CONSOLE_ROLES = frozenset({"editor", "reviewer", "admin"})


def console_user(user: auth.CurrentHandler) -> HandlerUser:
    """A logged-in editor, reviewer or admin (handlers get 403)."""
    if user.role not in CONSOLE_ROLES:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "知识库控制台仅限编辑、审核人和管理员")
    return user


def reviewer_user(user: Annotated[HandlerUser, Depends(console_user)]) -> HandlerUser:
    if user.role not in ("reviewer", "admin"):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "仅限审核人和管理员")
    return user


ConsoleUser = Annotated[HandlerUser, Depends(console_user)]
ReviewerUser = Annotated[HandlerUser, Depends(reviewer_user)]


def audit_console_action(request: Request, db: Annotated[Session, Depends(get_session)]) -> Iterator[None]:
    """After each state-changing console request by a logged-in user: one audit entry (its outcome too)."""
    try:
        yield
    except HTTPException as exc:
        db.rollback()
        _after(request, db, exc.status_code)
        raise
    else:
        route = request.scope.get("route")
        _after(request, db, getattr(route, "status_code", None) or 200)


def _after(request: Request, db: Session, code: int) -> None:
    actor = getattr(request.state, "desk_user", None)
    if actor is None or request.method not in ("POST", "PUT", "PATCH", "DELETE"):
        return
    if not request.url.path.startswith(CONSOLE_API):
        return
    route: Any = request.scope.get("route")
    try:
        audit.record(
            db,
            f"{request.method} {getattr(route, 'path', request.url.path)}",
            actor=actor,
            target=request.url.path,
            status=code,
            client=audit.client_of(request),
        )
    except Exception:  # the audit write must not turn a done action into an error response
        logger.exception("could not write the audit entry for %s %s", request.method, request.url.path)


CONSOLE_DEPENDENCIES = [Depends(auth.require_same_origin), Depends(audit_console_action)]
