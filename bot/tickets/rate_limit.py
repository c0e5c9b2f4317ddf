"""Sliding-window counters in the database (shared by every replica): ticket lookups per session and
per client address, wrong phone digits per ticket."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging

from sqlalchemy import delete, func, or_, select
from sqlalchemy.orm import Session

from bot.tickets.config import MAX_WINDOW_S
from bot.tickets.models import RateLimitHit

logger = logging.getLogger(__name__)


PURGE_AFTER_S = MAX_WINDOW_S + 86400.0
"""Attempts older than this are deleted whatever their key: longer than any window the settings allow, so each
key's own window is all that counts."""


def limit_key(kind: str, value: str) -> str:
    """``kind:<sha256 prefix>`` — the key never holds the address or session id in clear."""
    return f"{kind}:{hashlib.sha256(value.encode('utf-8')).hexdigest()[:32]}"


def count(db: Session, key: str, *, window_s: float, now: dt.datetime) -> int:
    """How many attempts under ``key`` fell in the window (nothing counted)."""
    since = now - dt.timedelta(seconds=window_s)
    return int(db.scalar(select(func.count()).where(RateLimitHit.key == key, RateLimitHit.at >= since)) or 0)


def hit(db: Session, key: str, *, limit: int, window_s: float, now: dt.datetime) -> bool:
    """Count one attempt under ``key``; False (and not counted) when ``limit`` attempts already fell in the
    window. Runs in the caller's transaction."""
    since = now - dt.timedelta(seconds=window_s)
    stale = now - dt.timedelta(seconds=PURGE_AFTER_S)
    db.execute(
        delete(RateLimitHit).where(or_(RateLimitHit.at < stale, (RateLimitHit.key == key) & (RateLimitHit.at < since)))
    )
    attempts = count(db, key, window_s=window_s, now=now)
    if attempts >= limit:
        logger.warning("rate limit reached for %s (%d in %.0f s)", key.split(":", 1)[0], attempts, window_s)
        return False
    db.add(RateLimitHit(key=key, at=now))
    db.flush()
    return True
