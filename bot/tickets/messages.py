"""What a ticket sends out: its public payload, messages to the citizen's chat, the rating request."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session

from bot.channels import web_inbox
from bot.channels.base import Button, OutgoingMessage
from bot.tickets import outbox, texts
from bot.tickets.enums import OutboxKind, Rating
from bot.tickets.models import Ticket


def public_payload(ticket: Ticket) -> dict[str, object]:
    return {
        "number": ticket.number,
        "item_code": ticket.item_code,
        "item_name": ticket.item_name,
        "office": ticket.office,
        "status": ticket.status,
        "resolve_due": ticket.resolve_due.isoformat(),
    }


def push_to_citizen(db: Session, ticket: Ticket, message: OutgoingMessage, *, now: dt.datetime) -> None:
    if ticket.channel == "web":
        web_inbox.add(db, ticket.session_id, message)
        return
    outbox.enqueue(
        db,
        kind=OutboxKind.channel,
        ticket_id=ticket.id,
        payload={"channel": ticket.channel, "session_id": ticket.session_id, "message": message.model_dump()},
        now=now,
    )


def rating_message(number: str) -> OutgoingMessage:
    return OutgoingMessage(
        text=texts.RATING_REQUEST.format(number=number),
        buttons=[
            Button(
                title=r.value,
                payload="/rate_ticket" + json.dumps({"ticket_number": number, "rating": r.value}, ensure_ascii=False),
            )
            for r in Rating
        ],
        meta={"kind": "rating_request", "ticket": {"number": number}},
    )
