"""Button payloads the assistant offered to a session, so a pressed button can be told from a forged one.

``POST /api/chat`` with ``payload`` is honoured only when that exact payload was offered to the same
session (by Rasa or by a handler's message) within ``CHAT_OFFERED_TTL_MINUTES``; each session keeps at
most ``CHAT_OFFERED_MAX_PER_SESSION`` payloads (the newest). Stored in the database so every replica of
the app sees them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

from sqlalchemy import Integer, String, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime, session_scope

logger = logging.getLogger(__name__)

MAX_PAYLOAD_CHARS = 1000


class OfferedPayload(Base):
    __tablename__ = "offered_payloads"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[str] = mapped_column(String(128), index=True)
    payload: Mapped[str] = mapped_column(String(MAX_PAYLOAD_CHARS))
    offered_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), index=True)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class OfferedPayloadStore:
    """Remember and check offered payloads (database-backed; ``now`` injectable for tests)."""

    def __init__(self, *, ttl_minutes: float, max_per_session: int) -> None:
        self._ttl = dt.timedelta(minutes=ttl_minutes)
        self._max = max_per_session

    def remember(self, session_id: str, payloads: Iterable[str], *, now: dt.datetime | None = None) -> None:
        now = now or _now()
        fresh = [p for p in dict.fromkeys(payloads) if p.startswith("/") and len(p) <= MAX_PAYLOAD_CHARS]
        if not fresh:
            return
        with session_scope() as db:
            db.execute(delete(OfferedPayload).where(OfferedPayload.offered_at < now - self._ttl))
            db.execute(
                delete(OfferedPayload).where(OfferedPayload.session_id == session_id, OfferedPayload.payload.in_(fresh))
            )
            db.add_all(OfferedPayload(session_id=session_id, payload=p, offered_at=now) for p in fresh)
            db.flush()
            keep = select(OfferedPayload.id).where(OfferedPayload.session_id == session_id)
            keep = keep.order_by(OfferedPayload.offered_at.desc(), OfferedPayload.id.desc()).limit(self._max)
            db.execute(
                delete(OfferedPayload).where(
                    OfferedPayload.session_id == session_id, OfferedPayload.id.not_in(keep.scalar_subquery())
                )
            )

    def was_offered(self, session_id: str, payload: str, *, now: dt.datetime | None = None) -> bool:
        now = now or _now()
        with session_scope() as db:
            found = db.scalar(
                select(OfferedPayload.id).where(
                    OfferedPayload.session_id == session_id,
                    OfferedPayload.payload == payload,
                    OfferedPayload.offered_at >= now - self._ttl,
                )
            )
        return found is not None
