"""Handler desk: the page at ``/desk`` and its API under ``/api/desk`` (login required)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Sequence
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Query, Request, Response, status
from fastapi.responses import FileResponse, RedirectResponse
from sqlalchemy import select

from bot.tickets import (
    audit,
    auth,
    errors,
    outbox,
    privacy,
    queries,
    ratings,
    router_accounts,
    texts,
    workflow,
)
from bot.tickets.clock import Clockwork, local_day_start, local_today
from bot.tickets.config import get_ticket_settings
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep
from bot.tickets.enums import OutboxKind, Role, TicketStatus
from bot.tickets.hotline import forward_12345
from bot.tickets.models import HandlerUser, OutboxMessage, Ticket
from bot.tickets.routing import get_routing
from bot.tickets.schemas import (
    AssignIn,
    DeliveryOut,
    DeskMeta,
    EventOut,
    ExcerptTurn,
    HandlerOut,
    LoginIn,
    LoginOut,
    NoteIn,
    OptionalNoteIn,
    RectificationNoteIn,
    RectificationOut,
    ReplyIn,
    RerouteIn,
    StatusIn,
    TicketDetail,
    TicketList,
    TicketSummary,
)

DESK_DIR = Path(__file__).resolve().parent.parent / "web" / "desk"
DESK_ASSETS = {"desk.js": "text/javascript", "desk-admin.js": "text/javascript", "desk.css": "text/css"}

router = APIRouter(tags=["desk"], dependencies=[Depends(auth.require_same_origin), Depends(audit.audit_desk_action)])


def _http(exc: errors.TicketError) -> HTTPException:
    return HTTPException(exc.status_code, str(exc))


# ---- page ----


@router.get("/desk", include_in_schema=False)
def desk_page() -> FileResponse:
    return FileResponse(DESK_DIR / "index.html", media_type="text/html", headers=_page_headers())


@router.get("/desk/", include_in_schema=False)
def desk_page_slash() -> RedirectResponse:
    return RedirectResponse("/desk")


@router.get("/desk/{asset}", include_in_schema=False)
def desk_asset(asset: str) -> FileResponse:
    if asset not in DESK_ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(DESK_DIR / asset, media_type=DESK_ASSETS[asset], headers=_page_headers())


def _page_headers() -> dict[str, str]:
    return {
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": "default-src 'self'; style-src 'self'; script-src 'self'; frame-ancestors 'none'",
    }


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
    response.set_cookie(
        auth.COOKIE_NAME,
        token,
        max_age=settings.desk_session_max_age_s,
        httponly=True,
        samesite="strict",
        secure=settings.cookie_secure,
        path="/",
    )
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


# ---- queue ----


def _hotline_labels(db: SessionDep, tickets: Sequence[Ticket]) -> dict[int, str]:
    ids = [t.id for t in tickets]
    if not ids:
        return {}
    settings = get_ticket_settings()
    rows = db.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.ticket_id.in_(ids), OutboxMessage.kind == OutboxKind.hotline_12345.value)
        .order_by(OutboxMessage.created_at)
    )
    return {m.ticket_id: outbox.delivery_label(m, settings) for m in rows if m.ticket_id is not None}


def _summary(t: Ticket, *, today: dt.date, soon: dt.date, hotline: str | None) -> TicketSummary:
    return TicketSummary(
        number=t.number,
        item_name=t.item_name,
        office=t.office,
        status=TicketStatus(t.status),
        assignee=t.assignee,
        created_at=t.created_at,
        ack_due=t.ack_due,
        resolve_due=t.resolve_due,
        overdue=queries.is_overdue(t, today),
        due_soon=queries.is_due_soon(t, today, soon_limit=soon),
        contact_masked=t.contact_masked,
        rating=t.rating,
        rectification_status=t.rectification.status if t.rectification else None,
        hotline=hotline,
        paused=t.paused_at is not None,
        paused_days_left=t.paused_days_left,
    )


def _filter(
    office: str | None,
    status_: TicketStatus | None,
    overdue: bool | None,
    due_soon: bool | None,
    rectification: bool | None,
    assignee: str | None,
    q: str | None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> queries.TicketFilter:
    return queries.TicketFilter(
        office=office or None,
        status=status_,
        overdue=overdue,
        due_soon=due_soon,
        rectification=rectification,
        assignee=assignee or None,
        q=q or None,
        created_from=local_day_start(created_from) if created_from else None,
        created_before=local_day_start(created_to + dt.timedelta(days=1)) if created_to else None,
    )


@router.get("/api/desk/tickets", response_model=TicketList)
def list_tickets(
    user: auth.CurrentDeskUser,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
    office: str | None = None,
    status_: Annotated[TicketStatus | None, Query(alias="status")] = None,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    rectification: bool | None = None,
    assignee: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TicketList:
    office = _office_scope(user, office)
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    f = _filter(office, status_, overdue, due_soon, rectification, assignee, q)
    total, rows = queries.list_tickets(db, f, today=today, soon_limit=soon, limit=limit, offset=offset)
    labels = _hotline_labels(db, rows)
    return TicketList(total=total, items=[_summary(t, today=today, soon=soon, hotline=labels.get(t.id)) for t in rows])


def _office_scope(user: HandlerUser, requested: str | None) -> str:
    """The office a queue or export may cover: handlers only their own (checked here, not only in the UI)."""
    allowed, office = privacy.scoped_office(user, requested)
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "handlers see their own office's tickets only")
    return office or ""


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a leading = + - @ is neutralised.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/api/desk/tickets/export.csv")
def export_csv(
    user: auth.CurrentDeskUser,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
    office: str | None = None,
    status_: Annotated[TicketStatus | None, Query(alias="status")] = None,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    rectification: bool | None = None,
    assignee: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> Response:
    """CSV for reporting (UTF-8 with BOM for spreadsheet tools); contacts are masked."""
    office = _office_scope(user, office)
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    f = _filter(office, status_, overdue, due_soon, rectification, assignee, q, created_from, created_to)
    _, rows = queries.list_tickets(db, f, today=today, soon_limit=soon, limit=100_000)
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(texts.CSV_HEADER)
    for t in rows:
        writer.writerow(
            [
                _csv_cell(x)
                for x in (
                    t.number,
                    t.item_name,
                    t.item_code,
                    t.office,
                    t.status,
                    t.channel,
                    _local(t.created_at),
                    t.ack_due.isoformat(),
                    t.resolve_due.isoformat(),
                    texts.YES if queries.is_overdue(t, today) else texts.NO,
                    t.assignee,
                    _local(t.replied_at),
                    _local(t.closed_at),
                    t.rating,
                    t.rectification.status if t.rectification else None,
                    t.contact_masked,
                    t.description,
                    t.place,
                )
            ]
        )
    filename = f"tickets-{today.isoformat()}.csv"
    return Response(
        content=buf.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(get_ticket_settings().timezone)).strftime("%Y-%m-%d %H:%M")


# ---- ticket detail and actions ----


def _detail(
    db: SessionDep,
    number: str,
    *,
    user: HandlerUser,
    now: dt.datetime,
    clock: Clockwork,
    reveal_contact: bool = False,
) -> TicketDetail:
    """The ticket for a handler of its office (or an admin); the raw contact only when ``reveal_contact``
    (the detail view), and each such view is recorded as a ``contact_viewed`` event."""
    try:
        t = queries.get_ticket_full(db, number)
    except errors.TicketError as exc:
        raise _http(exc) from None
    if not privacy.may_see(user, t):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
    contact = privacy.reveal_contact(db, t, user, now=now) if reveal_contact else None
    if contact is not None:
        t = queries.get_ticket_full(db, number)  # reload: the view event is part of the history shown
    settings = get_ticket_settings()
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    deliveries = db.scalars(
        select(OutboxMessage).where(OutboxMessage.ticket_id == t.id).order_by(OutboxMessage.created_at)
    ).all()
    hotline = next(
        (outbox.delivery_label(m, settings) for m in reversed(deliveries) if m.kind == OutboxKind.hotline_12345),
        None,
    )
    base = _summary(t, today=today, soon=soon, hotline=hotline)
    rect = None
    if t.rectification is not None:
        rect = RectificationOut.model_validate(t.rectification)
        rect.overdue = t.rectification.status == "open" and today > t.rectification.due
    current = TicketStatus(t.status)
    from bot.tickets.enums import TRANSITIONS

    return TicketDetail(
        **base.model_dump(),
        item_code=t.item_code,
        category=t.category,
        routed_by=t.routed_by,
        description=t.description,
        place=t.place,
        contact=contact or t.contact_masked,
        channel=t.channel,
        session_id=t.session_id,
        excerpt=[ExcerptTurn.model_validate(x) for x in (t.excerpt or [])],
        reply_text=t.reply_text,
        rating_comment=t.rating_comment,
        events=[
            EventOut.model_validate(e).model_copy(update={"kind_label": texts.EVENT_KIND.get(e.kind, e.kind)})
            for e in t.events
        ],
        deliveries=[
            DeliveryOut(
                id=m.id,
                kind=m.kind,
                status=m.status,
                status_label=outbox.delivery_label(m, settings),
                attempts=m.attempts,
                last_error=m.last_error,
                next_attempt_at=m.next_attempt_at if m.status == "pending" else None,
                delivered_at=m.delivered_at,
            )
            for m in deliveries
        ],
        rectification=rect,
        allowed_statuses=sorted(TRANSITIONS.get(current, frozenset()), key=list(TicketStatus).index),
    )


def ticket_view(db: SessionDep, number: str, *, user: HandlerUser, now: dt.datetime, clock: Clockwork) -> TicketDetail:
    """The ticket as an action's answer shows it (masked contact), for routers outside this module (挂起)."""
    return _detail(db, number, user=user, now=now, clock=clock)


@router.get("/api/desk/tickets/{number}", response_model=TicketDetail)
def ticket_detail(
    number: str, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    """The only view with the raw contact number (office handlers and admins; every view is recorded)."""
    return _detail(db, number, user=user, now=now, clock=clock, reveal_contact=True)


def _ticket(db: SessionDep, number: str, user: HandlerUser) -> Ticket:
    try:
        ticket = queries.get_ticket(db, number)
    except errors.TicketError as exc:
        raise _http(exc) from None
    if not privacy.may_see(user, ticket):  # another office's ticket: as if it did not exist
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
    return ticket


def _run(fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    try:
        fn(*args, **kwargs)
    except errors.TicketError as exc:
        raise _http(exc) from None


@router.post("/api/desk/tickets/{number}/assign", response_model=TicketDetail)
def assign(
    number: str, body: AssignIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    if body.assignee and db.scalar(select(HandlerUser).where(HandlerUser.username == body.assignee)) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown handler")
    _run(workflow.assign, db, _ticket(db, number, user), body.assignee, actor=user.username, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/notes", response_model=TicketDetail)
def add_note(
    number: str, body: NoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.add_note, db, _ticket(db, number, user), body.note, actor=user.username, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/status", response_model=TicketDetail)
def change_status(
    number: str, body: StatusIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.change_status, db, _ticket(db, number, user), body.to, actor=user.username, note=body.note, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/reroute", response_model=TicketDetail)
def reroute(
    number: str, body: RerouteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.reroute, db, _ticket(db, number, user), body.office, actor=user.username, note=body.note, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/reply", response_model=TicketDetail)
def reply(
    number: str, body: ReplyIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.reply, db, _ticket(db, number, user), body.text, actor=user.username, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/forward", response_model=TicketDetail)
def forward(
    number: str, body: OptionalNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(forward_12345, db, _ticket(db, number, user), actor=user.username, note=body.note, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/close", response_model=TicketDetail)
def close(
    number: str, body: OptionalNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.close, db, _ticket(db, number, user), actor=user.username, note=body.note, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/reopen", response_model=TicketDetail)
def reopen(
    number: str, body: OptionalNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.reopen, db, _ticket(db, number, user), actor=user.username, note=body.note, now=now)
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/rectification/note", response_model=TicketDetail)
def rectification_note(
    number: str, body: RectificationNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(
        ratings.save_rectification_note,
        db,
        _ticket(db, number, user),
        actor=user.username,
        callback_note=body.callback_note,
        measures=body.measures,
        now=now,
    )
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/rectification/close", response_model=TicketDetail)
def rectification_close(
    number: str, body: RectificationNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(
        ratings.close_rectification,
        db,
        _ticket(db, number, user),
        actor=user.username,
        callback_note=body.callback_note,
        measures=body.measures,
        now=now,
    )
    return _detail(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/outbox/{msg_id}/retry", response_model=TicketDetail)
def retry_delivery(
    msg_id: str, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    pending = db.get(OutboxMessage, msg_id)
    owner = db.get(Ticket, pending.ticket_id) if pending is not None and pending.ticket_id is not None else None
    if owner is not None and not privacy.may_see(user, owner):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such delivery")
    if owner is None and not privacy.is_admin(user):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such delivery")
    try:
        msg = outbox.retry_failed(db, msg_id, actor=user.username, now=now)
    except LookupError:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such delivery") from None
    if msg.ticket_id is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "delivery has no ticket")
    ticket = db.get(Ticket, msg.ticket_id)
    assert ticket is not None
    return _detail(db, ticket.number, user=user, now=now, clock=clock)


router.include_router(router_accounts.router)  # admins: accounts and the audit trail, behind this router's dependencies
