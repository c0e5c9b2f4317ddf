"""Handler desk API: one ticket — its detail (the raw contact, recorded), the workflow actions, re-delivery."""

from __future__ import annotations

from collections.abc import Callable

from fastapi import APIRouter, HTTPException, status
from sqlalchemy import select

from bot.tickets import auth, errors, outbox, privacy, queries, ratings, workflow
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep
from bot.tickets.desk_payloads import detail_of, http_error
from bot.tickets.hotline import forward_12345
from bot.tickets.models import HandlerUser, OutboxMessage, Ticket
from bot.tickets.schemas import (
    AssignIn,
    NoteIn,
    OptionalNoteIn,
    RectificationNoteIn,
    ReplyIn,
    RerouteIn,
    StatusIn,
    TicketDetail,
)

router = APIRouter()  # included by router_desk, behind its same-origin check and audit


@router.get("/api/desk/tickets/{number}", response_model=TicketDetail)
def ticket_detail(
    number: str, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    """The only view with the raw contact number (office handlers and admins; every view is recorded)."""
    return detail_of(db, number, user=user, now=now, clock=clock, reveal_contact=True)


def _ticket(db: SessionDep, number: str, user: HandlerUser) -> Ticket:
    try:
        ticket = queries.get_ticket(db, number)
    except errors.TicketError as exc:
        raise http_error(exc) from None
    if not privacy.may_see(user, ticket):  # another office's ticket: as if it did not exist
        raise HTTPException(status.HTTP_404_NOT_FOUND, "ticket not found")
    return ticket


def _run(fn, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
    try:
        fn(*args, **kwargs)
    except errors.TicketError as exc:
        raise http_error(exc) from None


@router.post("/api/desk/tickets/{number}/assign", response_model=TicketDetail)
def assign(
    number: str, body: AssignIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    if body.assignee and db.scalar(select(HandlerUser).where(HandlerUser.username == body.assignee)) is None:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "unknown handler")
    _run(workflow.assign, db, _ticket(db, number, user), body.assignee, actor=user.username, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/notes", response_model=TicketDetail)
def add_note(
    number: str, body: NoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.add_note, db, _ticket(db, number, user), body.note, actor=user.username, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/status", response_model=TicketDetail)
def change_status(
    number: str, body: StatusIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.change_status, db, _ticket(db, number, user), body.to, actor=user.username, note=body.note, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/reroute", response_model=TicketDetail)
def reroute(
    number: str, body: RerouteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.reroute, db, _ticket(db, number, user), body.office, actor=user.username, note=body.note, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/reply", response_model=TicketDetail)
def reply(
    number: str, body: ReplyIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.reply, db, _ticket(db, number, user), body.text, actor=user.username, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/forward", response_model=TicketDetail)
def forward(
    number: str, body: OptionalNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(forward_12345, db, _ticket(db, number, user), actor=user.username, note=body.note, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/close", response_model=TicketDetail)
def close(
    number: str, body: OptionalNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.close, db, _ticket(db, number, user), actor=user.username, note=body.note, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/reopen", response_model=TicketDetail)
def reopen(
    number: str, body: OptionalNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    _run(workflow.reopen, db, _ticket(db, number, user), actor=user.username, note=body.note, now=now)
    return detail_of(db, number, user=user, now=now, clock=clock)


def _rectify(
    action: Callable[..., object],
    number: str,
    body: RectificationNoteIn,
    user: HandlerUser,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
) -> TicketDetail:
    """A rectification step (a note, or closing it) with the callback note and measures, then the ticket."""
    _run(
        action,
        db,
        _ticket(db, number, user),
        actor=user.username,
        callback_note=body.callback_note,
        measures=body.measures,
        now=now,
    )
    return detail_of(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/rectification/note", response_model=TicketDetail)
def rectification_note(
    number: str, body: RectificationNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    return _rectify(ratings.save_rectification_note, number, body, user, db, now, clock)


@router.post("/api/desk/tickets/{number}/rectification/close", response_model=TicketDetail)
def rectification_close(
    number: str, body: RectificationNoteIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    return _rectify(ratings.close_rectification, number, body, user, db, now, clock)


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
    return detail_of(db, ticket.number, user=user, now=now, clock=clock)
