"""Internal tickets API, called by the Rasa action server (see docs/ARCHITECTURE.md).

Everything a citizen typed travels in POST bodies; URLs carry at most a ticket number."""

from __future__ import annotations

from fastapi import APIRouter, Depends, HTTPException, Response, status

from bot.tickets import contact_vault, errors, intake, privacy, queries, ratings
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep, require_internal_token
from bot.tickets.schemas import (
    ContactCheckIn,
    ContactCheckOut,
    RatingIn,
    RatingOut,
    StatusLookupIn,
    StatusLookupOut,
    TicketCreate,
    TicketCreated,
)

router = APIRouter(prefix="/api/internal", tags=["tickets-internal"], dependencies=[Depends(require_internal_token)])


def _http(exc: errors.TicketError) -> HTTPException:
    return HTTPException(exc.status_code, str(exc))


@router.post("/tickets", response_model=TicketCreated, status_code=status.HTTP_201_CREATED)
def create_ticket(
    body: TicketCreate, db: SessionDep, now: NowDep, clock: ClockDep, response: Response
) -> TicketCreated:
    """Create a 办不成事 ticket; a retry with the same idempotency key returns the same ticket (200)."""
    ticket, created = intake.create_ticket(db, body, now=now, clock=clock)
    if not created:
        response.status_code = status.HTTP_200_OK
    return intake.created_view(ticket)


@router.post("/tickets/status", response_model=StatusLookupOut)
def ticket_status(body: StatusLookupIn, db: SessionDep, now: NowDep) -> StatusLookupOut:
    """Status for the conversation that filed the ticket, or with the contact phone's last four digits.

    Anyone else gets ``{"visible": false}``, exactly as for a number that does not exist; 429 past the
    per-session lookup limit."""
    try:
        return privacy.lookup_status(db, body, now=now)
    except privacy.RateLimitedError:
        raise HTTPException(status.HTTP_429_TOO_MANY_REQUESTS, "too many lookups") from None


@router.post("/tickets/{number}/rating", response_model=RatingOut)
def rate_ticket(number: str, body: RatingIn, db: SessionDep, now: NowDep, clock: ClockDep) -> RatingOut:
    try:
        ticket = queries.get_ticket(db, number)
        return ratings.rate(db, ticket, body, now=now, clock=clock)
    except errors.ForbiddenError:  # someone else's ticket: answered like an unknown number
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found") from None
    except errors.TicketError as exc:
        raise _http(exc) from None


@router.post("/contacts/known", response_model=ContactCheckOut)
def contact_known(body: ContactCheckIn, db: SessionDep, now: NowDep) -> ContactCheckOut:
    """Whether the gateway kept a full number behind ``masked`` (a citizen may type ``138****0000`` itself)."""
    return ContactCheckOut(known=contact_vault.known(db, body.session_id, body.masked, now=now))
