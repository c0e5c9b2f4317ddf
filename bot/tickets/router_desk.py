"""Handler desk: the page at ``/desk``, login and the desk's metadata; its API under ``/api/desk`` (login required)
gathers the queue (``router_desk_queue``), one ticket's detail and actions (``router_desk_actions``) and the
admins' accounts (``router_accounts``), all behind this router's same-origin check and audit."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Depends, HTTPException, Request, Response, status
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import select

from bot.core.security import staff_page_headers
from bot.tickets import audit, auth, outbox, router_accounts, router_desk_actions, router_desk_queue, texts
from bot.tickets.config import get_ticket_settings
from bot.tickets.dependencies import SessionDep
from bot.tickets.enums import Role, TicketStatus
from bot.tickets.models import HandlerUser
from bot.tickets.routing import get_routing
from bot.tickets.schemas import DeskMeta, HandlerOut, LoginIn, LoginOut

DESK_DIR = Path(__file__).resolve().parent.parent / "web" / "desk"
DESK_ASSETS = {"desk.js": "text/javascript", "desk-admin.js": "text/javascript", "desk.css": "text/css"}

router = APIRouter(tags=["desk"], dependencies=[Depends(auth.require_same_origin), Depends(audit.audit_desk_action)])


# ---- page ----


@router.get("/desk", include_in_schema=False)
def desk_page() -> FileResponse:
    return FileResponse(DESK_DIR / "index.html", media_type="text/html", headers=staff_page_headers())


@router.get("/desk/", include_in_schema=False)
def desk_page_slash() -> RedirectResponse:
    return RedirectResponse("/desk")


@router.get("/desk/{asset}", include_in_schema=False)
def desk_asset(asset: str) -> FileResponse:
    if asset not in DESK_ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(DESK_DIR / asset, media_type=DESK_ASSETS[asset], headers=staff_page_headers())


# ---- session ----


@router.post("/api/desk/login", response_model=LoginOut)
def login(body: LoginIn, request: Request, db: SessionDep, response: Response) -> LoginOut:
    settings = get_ticket_settings()
    throttle = auth.get_login_throttle()
    client = audit.client_of(request)
    account_key, address_key = f"user:{body.username.lower()}", f"addr:{client}"
    wait = max(
        throttle.retry_after(account_key, settings.desk_login_free_per_account),
        throttle.retry_after(address_key, settings.desk_login_free_per_address),
    )
    if wait > 0:  # refused before any password work
        seconds = max(1, int(wait + 0.999))
        audit.record(db, "login_throttled", actor=body.username, status=429, client=client)
        raise HTTPException(
            status.HTTP_429_TOO_MANY_REQUESTS,
            texts.LOGIN_THROTTLED.format(s=seconds),
            headers={"Retry-After": str(seconds)},
        )
    user = auth.authenticate(db, body.username, body.password)
    if user is None:
        throttle.failure(account_key)
        throttle.failure(address_key)
        audit.record(db, "login_failed", actor=body.username, status=401, client=client)
        raise HTTPException(status.HTTP_401_UNAUTHORIZED, texts.LOGIN_FAILED)
    throttle.success(account_key)
    token = auth.issue_session(db, user, client=client)
    audit.record(db, "login", actor=user.username, status=200, client=client)
    auth.set_session_cookie(response, token)
    return LoginOut(username=user.username, display_name=user.display_name, role=Role(user.role), office=user.office)


@router.post("/api/desk/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(request: Request, db: SessionDep, response: Response) -> Response:
    """Revokes the session on the server (the cookie alone would keep working until it expires)."""
    token = request.cookies.get(auth.COOKIE_NAME)
    user = auth.revoke_session(db, token) if token else None
    if user is not None:
        audit.record(db, "logout", actor=user.username, status=204, client=audit.client_of(request))
    response.delete_cookie(auth.COOKIE_NAME, path="/", httponly=True, samesite="strict")
    response.status_code = status.HTTP_204_NO_CONTENT
    return response


@router.get("/api/desk/me", response_model=HandlerOut)
def me(user: auth.CurrentHandler) -> HandlerOut:
    return HandlerOut.model_validate(user)


@router.get("/api/desk/meta", response_model=DeskMeta)
def meta(user: auth.CurrentDeskUser, db: SessionDep) -> DeskMeta:
    handlers = db.scalars(select(HandlerUser).where(HandlerUser.active.is_(True)).order_by(HandlerUser.username))
    return DeskMeta(
        offices=get_routing().all_offices(),
        statuses=list(TicketStatus),
        handlers=[HandlerOut.model_validate(h) for h in handlers],
        hotline_configured=bool(get_ticket_settings().hotline_12345_url),
        failed_deliveries=outbox.failed_count(db),
    )


# The queue before the single ticket: /api/desk/tickets/export.csv must match before /api/desk/tickets/{number}.
router.include_router(router_desk_queue.router)
router.include_router(router_desk_actions.router)
router.include_router(router_accounts.router)  # admins: accounts and the audit trail, behind this router's dependencies
