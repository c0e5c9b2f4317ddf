"""挂起 / 恢复 on the desk API: ``POST /api/desk/tickets/{number}/pause`` and ``…/resume``; both answer with the
ticket as the desk shows it (``TicketDetail``, with ``paused`` and ``paused_days_left``)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, HTTPException
from pydantic import BaseModel, Field

from bot.tickets import audit, auth, desk_payloads, errors, pause, privacy, queries
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep
from bot.tickets.schemas import TicketDetail

# The desk router's guards: the origin check and the audit trail (挂起 and 恢复 are staff actions).
router = APIRouter(tags=["desk"], dependencies=[Depends(auth.require_same_origin), Depends(audit.audit_desk_action)])


class PauseIn(BaseModel):
    note: str | None = Field(default=None, max_length=500)


def _ticket(db: SessionDep, number: str, user: Any) -> Any:
    try:
        ticket = queries.get_ticket(db, number)
    except errors.TicketError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None
    if not privacy.may_see(user, ticket):  # another office's ticket: as if it did not exist (as the desk does)
        raise HTTPException(404, "ticket not found")
    return ticket


@router.post("/api/desk/tickets/{number}/pause", response_model=TicketDetail)
def pause_ticket(
    number: str, body: PauseIn, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    ticket = _ticket(db, number, user)
    try:
        pause.pause(db, ticket, actor=user.username, now=now, clock=clock, note=body.note)
    except errors.TicketError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None
    return desk_payloads.ticket_view(db, number, user=user, now=now, clock=clock)


@router.post("/api/desk/tickets/{number}/resume", response_model=TicketDetail)
def resume_ticket(
    number: str, user: auth.CurrentDeskUser, db: SessionDep, now: NowDep, clock: ClockDep
) -> TicketDetail:
    ticket = _ticket(db, number, user)
    try:
        pause.resume(db, ticket, actor=user.username, now=now, clock=clock)
    except errors.TicketError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None
    return desk_payloads.ticket_view(db, number, user=user, now=now, clock=clock)
