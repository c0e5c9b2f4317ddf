"""Short-lived store of raw contact numbers the chat gateway masked before anything reached Rasa.

The gateway calls ``remember(session_id, masked, raw)``; only the tickets service reads an entry,
once, when it creates a ticket (``take``), and the entry is deleted as it is read. Entries are stored
encrypted (``bot.tickets.pii_crypto``) and expire after ``CONTACT_VAULT_TTL_HOURS`` (default 2 h, long
enough to finish the complaint form); expired entries are purged on every write and read.
Nothing here logs the raw number.
"""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from bot.db import session_scope
from bot.tickets import pii_crypto
from bot.tickets.config import get_ticket_settings
from bot.tickets.models import ContactVaultEntry

logger = logging.getLogger(__name__)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def remember(session_id: str, masked: str, raw: str) -> None:
    """Keep ``raw`` for this session under its masked form (replacing an earlier entry)."""
    now = _now()
    expires = now + dt.timedelta(hours=get_ticket_settings().contact_vault_ttl_hours)
    token = pii_crypto.encrypt(raw)
    with session_scope() as db:
        purge_expired(db, now=now)
        existing = db.scalar(
            select(ContactVaultEntry).where(
                ContactVaultEntry.session_id == session_id, ContactVaultEntry.masked == masked
            )
        )
        if existing is None:
            db.add(ContactVaultEntry(session_id=session_id, masked=masked, raw_encrypted=token, expires_at=expires))
        else:
            existing.raw_encrypted = token
            existing.expires_at = expires
    logger.debug("contact vaulted for a session (%s)", masked)


def take(db: Session, session_id: str, masked: str, *, now: dt.datetime | None = None) -> str | None:
    """The raw contact for (session, masked), deleted as it is read; None when absent or expired.

    Runs in the caller's transaction, so a failed ticket creation keeps the entry for a retry.
    """
    now = now or _now()
    purge_expired(db, now=now)
    entry = db.scalar(
        select(ContactVaultEntry).where(ContactVaultEntry.session_id == session_id, ContactVaultEntry.masked == masked)
    )
    if entry is None:
        return None
    token = entry.raw_encrypted
    db.delete(entry)
    return pii_crypto.decrypt(token)


def known(db: Session, session_id: str, masked: str, *, now: dt.datetime | None = None) -> bool:
    """Whether a full number is kept for (session, masked) and not expired; the number is not returned."""
    entry = db.scalar(
        select(ContactVaultEntry.id).where(
            ContactVaultEntry.session_id == session_id,
            ContactVaultEntry.masked == masked,
            ContactVaultEntry.expires_at >= (now or _now()),
        )
    )
    return entry is not None


def purge_expired(db: Session, *, now: dt.datetime | None = None) -> int:
    result = db.execute(delete(ContactVaultEntry).where(ContactVaultEntry.expires_at < (now or _now())))
    return int(getattr(result, "rowcount", 0) or 0)
