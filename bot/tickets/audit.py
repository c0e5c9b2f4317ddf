"""The staff audit trail: every desk action, login attempt and account change, in ``audit_log``.

``record`` writes one entry (login attempts and logout are recorded this way by the router).
``audit_desk_action``, a dependency of the whole desk router, records every other desk request made
by a logged-in handler: each state-changing request (account changes included) and each read of a
ticket's details or the export, with the route, the target path, the outcome status and the
client address, in the request's own database session.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Annotated, Any

from fastapi import Depends, HTTPException, Request
from sqlalchemy.orm import Session

from bot.db import get_session
from bot.tickets.staff_models import AuditEntry

logger = logging.getLogger(__name__)

DESK_PREFIX = "/api/desk/"
# Recorded explicitly by the router with their own detail.
EXPLICIT = frozenset({"/api/desk/login", "/api/desk/logout"})
# Reads that show personal data are staff actions too.
AUDITED_READS = ("/api/desk/tickets/", "/api/desk/audit.csv")  # ticket details, the exports


def client_of(request: Request) -> str | None:
    return request.client.host[:64] if request.client else None


def record(
    db: Session,
    action: str,
    *,
    actor: str | None,
    target: str | None = None,
    status: int | None = None,
    client: str | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    db.add(
        AuditEntry(
            action=action[:96],
            actor=actor[:64] if actor else None,
            target=target[:160] if target else None,
            status=status,
            client=client,
            detail=detail,
        )
    )
    db.commit()


def _audited(request: Request) -> bool:
    path = request.url.path
    if not path.startswith(DESK_PREFIX) or path in EXPLICIT:
        return False
    if request.method in ("POST", "PUT", "PATCH", "DELETE"):
        return True
    return request.method == "GET" and path.startswith(AUDITED_READS)


def audit_desk_action(request: Request, db: Annotated[Session, Depends(get_session)]) -> Iterator[None]:
    """Router dependency: after each desk request by a logged-in handler, one entry in the same session."""
    try:
        yield
    except HTTPException as exc:
        db.rollback()  # nothing half-done of the refused action may ride along with the audit entry
        _after(request, db, exc.status_code)
        raise
    else:
        route = request.scope.get("route")
        _after(request, db, getattr(route, "status_code", None) or 200)


def _after(request: Request, db: Session, status: int) -> None:
    actor = getattr(request.state, "desk_user", None)
    if actor is None or not _audited(request):
        return
    route = request.scope.get("route")
    try:
        record(
            db,
            f"{request.method} {getattr(route, 'path', request.url.path)}",
            actor=actor,
            target=request.url.path,
            status=status,
            client=client_of(request),
        )
    except Exception:  # the audit write must not turn a done action into an error response
        logger.exception("could not write the audit entry for %s %s", request.method, request.url.path)
