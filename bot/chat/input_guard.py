"""Limits on what a citizen may send: not empty, not too long, no control characters."""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from enum import Enum

from bot.chat import texts

_ALLOWED_CONTROLS = frozenset("\n\t")


class RejectReason(str, Enum):
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CONTROL_CHARS = "control_chars"


@dataclass(frozen=True)
class Rejection:
    reason: RejectReason
    message: str


def _has_control_chars(text: str) -> bool:
    for ch in text:
        if ch in _ALLOWED_CONTROLS:
            continue
        # Cc: C0/C1 controls (incl. \r, \x00, \x1b). Cs: lone surrogates. Zl/Zp: line and
        # paragraph separators that break single-line log records.
        if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp"):
            return True
    return False


def check_input(text: str, *, max_chars: int) -> Rejection | None:
    """Return why ``text`` is refused, or None when it may go on.

    A ``\\r\\n`` from a pasted Windows text is treated as a newline, not as a control char.
    Length counts characters after trimming surrounding whitespace.
    """
    normalised = text.replace("\r\n", "\n")
    stripped = normalised.strip()
    if not stripped:
        return Rejection(RejectReason.EMPTY, texts.REJECT_EMPTY)
    if len(stripped) > max_chars:
        return Rejection(RejectReason.TOO_LONG, texts.REJECT_TOO_LONG.format(limit=max_chars, length=len(stripped)))
    if _has_control_chars(normalised):
        return Rejection(RejectReason.CONTROL_CHARS, texts.REJECT_CONTROL_CHARS)
    return None


def normalise_input(text: str) -> str:
    """The text as sent on after the guard accepted it: CRLF folded, outer whitespace trimmed."""
    return text.replace("\r\n", "\n").strip()
