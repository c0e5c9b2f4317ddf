"""挂起 / 恢复 on the desk API: ``POST /api/desk/tickets/{number}/pause`` and ``…/resume``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from bot.tickets import auth, pause, service
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep

router = APIRouter(tags=["desk"])


class PauseIn(BaseModel):
    note: str | None = Field(default=None, max_length=500)


def _view(ticket: Any) -> dict[str, Any]:
    return {
        "number": ticket.number,
        "resolve_due": ticket.resolve_due.isoformat(),
        "paused": ticket.paused_at is not None,
        "paused_days_left": ticket.paused_days_left,
    }


def _ticket(db: SessionDep, number: str, user: Any) -> Any:
    try:
        ticket = service.get_ticket(db, number)
    except service.TicketError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None
    if user.role != "admin" and user.office and ticket.office != user.office:
        raise HTTPException(403, "another office's ticket")
    return ticket


@router.post("/api/desk/tickets/{number}/pause")
def pause_ticket(
    number: str, body: PauseIn, user: auth.CurrentHandler, db: SessionDep, now: NowDep, clock: ClockDep
) -> dict[str, Any]:
    ticket = _ticket(db, number, user)
    try:
        return _view(pause.pause(db, ticket, actor=user.username, now=now, clock=clock, note=body.note))
    except service.TicketError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None


@router.post("/api/desk/tickets/{number}/resume")
def resume_ticket(
    number: str, user: auth.CurrentHandler, db: SessionDep, now: NowDep, clock: ClockDep
) -> dict[str, Any]:
    ticket = _ticket(db, number, user)
    try:
        return _view(pause.resume(db, ticket, actor=user.username, now=now, clock=clock))
    except service.TicketError as exc:
        raise HTTPException(exc.status_code, str(exc)) from None
