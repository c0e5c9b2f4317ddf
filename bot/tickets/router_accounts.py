"""Staff accounts and the audit trail, for admins: ``/api/desk/users…`` and ``/api/desk/audit…``.

Included by ``router_desk`` (``router.include_router``), so every route here runs behind the desk router's
origin check and audit dependency; the audit trail's CSV export is itself an audited read.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from sqlalchemy import func, select

from bot.tickets import audit, auth
from bot.tickets.clock import local_day_start
from bot.tickets.config import get_ticket_settings
from bot.tickets.dependencies import SessionDep
from bot.tickets.models import HandlerUser
from bot.tickets.passwords import WeakPasswordError
from bot.tickets.routing import get_routing
from bot.tickets.schemas import AccountOut, AuditEntryOut, AuditPage, HandlerOut, PasswordSet, SessionsEnded, UserCreate
from bot.tickets.staff_models import AuditEntry, DeskSession

router = APIRouter(tags=["desk"])

AUDIT_CSV_MAX = 100_000
AUDIT_CSV_HEADER = ["时间", "操作人", "操作", "对象", "结果状态", "来源地址"]


def _known_office(office: str | None) -> None:
    if office and office not in get_routing().all_offices():
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown office")


@router.post("/api/desk/users", response_model=HandlerOut, status_code=status.HTTP_201_CREATED)
def create_user(body: UserCreate, admin: auth.CurrentAdmin, db: SessionDep) -> HandlerOut:
    _known_office(body.office)
    try:
        user = auth.create_user(
            db, body.username, body.password, role=body.role, display_name=body.display_name, office=body.office
        )
    except ValueError:
        raise HTTPException(status.HTTP_409_CONFLICT, "user exists") from None
    except WeakPasswordError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    return HandlerOut.model_validate(user)


def _last_logins(db: SessionDep) -> dict[int, dt.datetime]:
    """Each account's last login: its newest desk session (every login creates one)."""
    rows = db.execute(select(DeskSession.user_id, func.max(DeskSession.created_at)).group_by(DeskSession.user_id))
    return {uid: at for uid, at in rows if at is not None}


def _out(user: HandlerUser, last: dict[int, dt.datetime]) -> AccountOut:
    return AccountOut.model_validate(user).model_copy(update={"last_login": last.get(user.id)})


@router.get("/api/desk/users", response_model=list[AccountOut])
def list_users(admin: auth.CurrentAdmin, db: SessionDep) -> list[AccountOut]:
    last = _last_logins(db)
    return [_out(u, last) for u in db.scalars(select(HandlerUser).order_by(HandlerUser.username))]


def _account(db: SessionDep, username: str) -> HandlerUser:
    user = db.scalar(select(HandlerUser).where(HandlerUser.username == username))
    if user is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such user")
    return user


@router.post("/api/desk/users/{username}/deactivate", response_model=AccountOut)
def deactivate_user(username: str, admin: auth.CurrentAdmin, db: SessionDep) -> AccountOut:
    """The account can no longer log in and every session it has ends now."""
    user = _account(db, username)
    if user.id == admin.id:
        raise HTTPException(status.HTTP_409_CONFLICT, "cannot deactivate yourself")
    user.active = False
    db.commit()
    auth.revoke_user_sessions(db, user.id)
    return _out(user, _last_logins(db))


@router.post("/api/desk/users/{username}/activate", response_model=AccountOut)
def activate_user(username: str, admin: auth.CurrentAdmin, db: SessionDep) -> AccountOut:
    user = _account(db, username)
    user.active = True
    db.commit()
    return _out(user, _last_logins(db))


@router.post("/api/desk/users/{username}/end-sessions", response_model=SessionsEnded)
def end_sessions(username: str, admin: auth.CurrentAdmin, db: SessionDep) -> SessionsEnded:
    user = _account(db, username)
    return SessionsEnded(username=user.username, ended=auth.revoke_user_sessions(db, user.id))


@router.post("/api/desk/users/{username}/password", response_model=AccountOut)
def reset_password(
    username: str, body: PasswordSet, admin: auth.CurrentAdmin, db: SessionDep, request: Request, response: Response
) -> AccountOut:
    """Set a new password (same policy as everywhere); every session of the account ends. An admin resetting
    their own password gets a fresh session in the response cookie instead of being logged out."""
    user = _account(db, username)
    try:
        auth.set_password(db, user.username, body.password)
    except WeakPasswordError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    if user.id == admin.id:
        token = auth.issue_session(db, user, client=audit.client_of(request))
        auth.set_session_cookie(response, token)
    return _out(user, _last_logins(db))


# ---- the audit trail ----


def _audit_scope(actor: str | None, action: str | None, start: dt.date | None, end: dt.date | None) -> list[Any]:
    where: list[Any] = []
    if actor:
        where.append(AuditEntry.actor == actor)
    if action:
        where.append(AuditEntry.action.contains(action, autoescape=True))
    if start:
        where.append(AuditEntry.at >= local_day_start(start))
    if end:
        where.append(AuditEntry.at < local_day_start(end + dt.timedelta(days=1)))
    return where


ActorQ = Annotated[str | None, Query(max_length=64)]
ActionQ = Annotated[str | None, Query(max_length=96)]
FromQ = Annotated[dt.date | None, Query(alias="from")]
ToQ = Annotated[dt.date | None, Query(alias="to")]


@router.get("/api/desk/audit", response_model=AuditPage)
def audit_trail(
    admin: auth.CurrentAdmin,
    db: SessionDep,
    actor: ActorQ = None,
    action: ActionQ = None,
    start: FromQ = None,
    end: ToQ = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> AuditPage:
    """Newest first; ``action`` matches a part of the action (``login`` finds failed and throttled logins too)."""
    where = _audit_scope(actor, action, start, end)
    total = int(db.scalar(select(func.count()).select_from(AuditEntry).where(*where)) or 0)
    rows = db.scalars(
        select(AuditEntry)
        .where(*where)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return AuditPage(total=total, limit=limit, offset=offset, items=[AuditEntryOut.model_validate(r) for r in rows])


@router.get("/api/desk/audit/actors", response_model=list[str])
def audit_actors(admin: auth.CurrentAdmin, db: SessionDep) -> list[str]:
    return [a for a in db.scalars(select(AuditEntry.actor).distinct().order_by(AuditEntry.actor)) if a]


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text  # no formula injection


@router.get("/api/desk/audit.csv")
def audit_export(
    admin: auth.CurrentAdmin,
    db: SessionDep,
    actor: ActorQ = None,
    action: ActionQ = None,
    start: FromQ = None,
    end: ToQ = None,
) -> Response:
    """Every matching entry (at most 100,000), newest first, UTF-8 with BOM; the export itself is audited."""
    where = _audit_scope(actor, action, start, end)
    rows = db.scalars(
        select(AuditEntry).where(*where).order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(AUDIT_CSV_MAX)
    )
    tz = ZoneInfo(get_ticket_settings().timezone)
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(AUDIT_CSV_HEADER)
    for r in rows:
        at = r.at.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")
        writer.writerow([_csv_cell(x) for x in (at, r.actor, r.action, r.target, r.status, r.client)])
    return Response(
        content=buf.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="audit.csv"', "Cache-Control": "no-store"},
    )
