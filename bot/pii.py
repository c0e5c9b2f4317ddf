"""Masking of personal numbers (mainland mobile phones, resident ID cards) in free text.

``mask_text`` is applied to every citizen message before it reaches Rasa (so the tracker
store never holds a raw number) and, through ``MaskingFilter``, to every log record.
Landlines (0571-88888888, 010-12345678) are office numbers and are left alone.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

__all__ = [
    "MaskResult",
    "MaskingFilter",
    "configure_logging",
    "id_checksum_ok",
    "mask_id",
    "mask_phone",
    "mask_text",
]

# Full-width digits and letters typed by Chinese IMEs are folded to ASCII for detection.
# Each maps one character to one character, so match offsets stay valid in the original.
_FOLD = str.maketrans(
    {**{chr(0xFF10 + i): str(i) for i in range(10)}, "Ｘ": "X", "ｘ": "x", "－": "-", "　": " ", "＋": "+"}
)

# Mobile: 1[3-9]x xxxx xxxx, optionally grouped 3-4-4 by a space or hyphen, optionally after
# a +86 / 0086 / 86 country code, never inside a longer run of digits.
_MOBILE_RE = re.compile(
    r"(?<![0-9])(?P<cc>(?:\+86|0086|86)[- ]?)?"
    r"(?P<head>1[3-9][0-9])[- ]?(?P<mid>[0-9]{4})[- ]?(?P<tail>[0-9]{4})(?![0-9])"
)

# Resident ID card (GB 11643): 6-digit area code (not starting with 0), birth date
# YYYYMMDD (1900-2099), 3-digit sequence, check character (digit or X).
_ID_RE = re.compile(
    r"(?<![0-9])"
    r"(?P<id>[1-9][0-9]{5}(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9]{3}[0-9Xx])"
    r"(?![0-9])"
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class MaskResult:
    """The masked text and what was masked.

    ``phones`` pairs each masked mobile (``138****8000``) with the raw 11 digits, so the
    gateway can hand the raw number to the contact vault. ``ids`` holds masked ID numbers
    only: a raw ID number is never kept anywhere.
    """

    text: str
    phones: list[tuple[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.phones or self.ids)


def mask_phone(digits: str) -> str:
    """``13800138000`` -> ``138****8000``."""
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id(id_number: str) -> str:
    """Keep the 6-digit area code and the last 4 characters: ``110101********123X``."""
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"


def id_checksum_ok(id_number: str) -> bool:
    """True when the 18th character is the GB 11643 check character of the first 17."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(id_number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == id_number[17].upper()


def mask_text(text: str) -> MaskResult:
    """Mask mobile numbers and ID-card numbers in ``text``.

    ID numbers are masked when they have the card's shape (area code, a real-looking birth
    date, check character position) even if the check character is wrong: a mistyped ID
    number still identifies a person. Random 18-digit strings without a date are left alone.
    """
    if not text:
        return MaskResult(text=text)
    folded = text.translate(_FOLD)
    pieces: list[str] = []
    phones: list[tuple[str, str]] = []
    ids: list[str] = []
    spans: list[tuple[int, int, str]] = []

    for m in _ID_RE.finditer(folded):
        raw = m.group("id").upper()
        masked = mask_id(raw)
        ids.append(masked)
        spans.append((m.start(), m.end(), masked))

    taken = [(s, e) for s, e, _ in spans]
    for m in _MOBILE_RE.finditer(folded):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        raw = m.group("head") + m.group("mid") + m.group("tail")
        masked = mask_phone(raw)
        phones.append((masked, raw))
        cc = m.group("cc") or ""
        spans.append((m.start(), m.end(), cc + masked))

    if not spans:
        return MaskResult(text=text)
    spans.sort()
    pos = 0
    for start, end, replacement in spans:
        pieces.append(text[pos:start])
        pieces.append(replacement)
        pos = end
    pieces.append(text[pos:])
    return MaskResult(text="".join(pieces), phones=phones, ids=ids)


class MaskingFilter(logging.Filter):
    """Rewrites a record's message with phones and ID numbers masked. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Mask the format string and each string argument in place, so formatters that read
        # record.args (uvicorn's access log does) keep working.
        if isinstance(record.msg, str):
            record.msg = mask_text(record.msg).text
        if isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _mask_arg(v) for k, v in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format: leave it for the handler to report
            return True
        result = mask_text(message)
        if result.changed:  # a number formed only once formatted (an int argument, say)
            record.msg = result.text
            record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now so its text can be masked; Formatter.format reuses it.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_text(record.exc_text).text
        if record.stack_info:
            record.stack_info = mask_text(record.stack_info).text
        return True


def _mask_arg(value: object) -> object:
    return mask_text(value).text if isinstance(value, str) else value


_LOGGERS_WITH_OWN_HANDLERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: int | str = logging.INFO) -> None:
    """Give the root logger a handler if it has none and install ``MaskingFilter`` on every
    handler of the root logger (and uvicorn's own loggers). Safe to call more than once:
    a handler that already carries the filter is not given a second one."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format=_FORMAT)
    loggers = [root, *(logging.getLogger(name) for name in _LOGGERS_WITH_OWN_HANDLERS)]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
