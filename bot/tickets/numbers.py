"""Ticket numbers: ``BBC-20261122-0007-KXQRT`` is prefix, local day, daily sequence, random check code.

The check code cannot be guessed; ``normalise_number`` accepts the ways a citizen types a number back.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
import unicodedata

from sqlalchemy.orm import Session

from bot.tickets.models import TicketCounter
from knowledge import ticket_numbers

_NUMBER_NOISE_RE = re.compile(r"[\s\-_‐‑‒–—―－·.]+")
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ"  # no I/O: never mistaken for 1/0
CODE_LENGTH = 5


def normalise_number(raw: str) -> str:
    """Accept ``BBC-20261122-0007-KXQRT``, ``bbc 20261122 0007 kxqrt``, ``BBC202611220007KXQRT`` (and
    full-width forms, any dashes: knowledge/ticket_numbers.py); return the canonical form, or the text without
    separators when it holds no number. Numbers issued before the check code keep working."""
    found = ticket_numbers.find_number(raw or "")
    if found is not None:
        return found
    return _NUMBER_NOISE_RE.sub("", unicodedata.normalize("NFKC", raw or "")).upper()


def new_check_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def _bump_counter(db: Session, day: str) -> int:
    """Atomic per-day sequence: INSERT … ON CONFLICT DO UPDATE … RETURNING (row-locked on both databases)."""
    if db.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = (
        insert(TicketCounter)
        .values(day=day, last=1)
        .on_conflict_do_update(index_elements=[TicketCounter.day], set_={"last": TicketCounter.last + 1})
        .returning(TicketCounter.last)
    )
    return int(db.execute(stmt).scalar_one())


def next_number(db: Session, today: dt.date, *, prefix: str) -> str:
    day = today.strftime("%Y%m%d")
    seq = _bump_counter(db, day)
    return f"{prefix}-{day}-{seq:04d}-{new_check_code()}"
