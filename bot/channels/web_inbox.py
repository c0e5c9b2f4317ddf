"""Web chat inbox: messages for a chat session, stored in the database until the chat fetches them.

The chat gateway calls ``fetch_undelivered(session_id)`` when the citizen opens or polls the chat;
the tickets service writes with ``add`` inside its own transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel
from sqlalchemy import JSON, Integer, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from bot.channels.base import Button, OutgoingMessage
from bot.db import Base, UTCDateTime, read_scope, session_scope


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class InboxMessage(Base):
    __tablename__ = "web_inbox"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    text: Mapped[str] = mapped_column(Text)
    buttons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    meta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=_utcnow)
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)


class InboxItem(BaseModel):
    id: int
    text: str
    buttons: list[Button]
    meta: dict[str, Any]
    created_at: dt.datetime


def add(db: Session, session_id: str, message: OutgoingMessage) -> InboxMessage:
    """Queue a message in the caller's transaction (it commits with the ticket change)."""
    row = InboxMessage(
        session_id=session_id,
        text=message.text,
        buttons=[b.model_dump() for b in message.buttons],
        meta=message.meta,
        created_at=_utcnow(),
    )
    db.add(row)
    return row


def fetch_undelivered(session_id: str) -> list[InboxItem]:
    """Messages not yet shown in this chat session, oldest first; marks them delivered atomically."""
    now = _utcnow()
    waiting = InboxMessage.session_id == session_id, InboxMessage.delivered_at.is_(None)
    # Almost every turn has nothing waiting: a read-only transaction answers that without taking (or
    # waiting for) the write lock (SQLite serialises writers), and only a session with messages pays for
    # the update, which claims what is still undelivered then.
    with read_scope() as db:
        if db.scalar(select(InboxMessage.id).where(*waiting).limit(1)) is None:
            return []
    with session_scope() as db:
        stmt = (
            update(InboxMessage)
            .where(*waiting)
            .values(delivered_at=now)
            .returning(
                InboxMessage.id,
                InboxMessage.text,
                InboxMessage.buttons,
                InboxMessage.meta,
                InboxMessage.created_at,
            )
        )
        rows = db.execute(stmt).all()
    items = [
        InboxItem(
            id=r.id,
            text=r.text,
            buttons=[Button(**b) for b in (r.buttons or [])],
            meta=r.meta or {},
            created_at=r.created_at,
        )
        for r in rows
    ]
    return sorted(items, key=lambda i: i.id)


class WebInboxAdapter:
    """ChannelAdapter for the web chat: stores the message for the session's next poll."""

    def deliver(self, session_id: str, message: OutgoingMessage) -> None:
        with session_scope() as db:
            add(db, session_id, message)
