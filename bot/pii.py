"""Masking of personal data in free text: mobile numbers, resident ID numbers, bank cards, e-mail addresses.

``mask_text`` is applied to every citizen message before it reaches Rasa (so the tracker store
never holds a raw number), to what the tickets service stores, and, through ``MaskingFilter``,
to every log record (which also decodes URL-encoded text before looking).

Detection works on a folded view of the text: full-width digits/letters/punctuation become ASCII,
other dashes become ``-`` and zero-width characters are dropped; each match is mapped back to the
original characters it covers, so the replacement also swallows any hidden characters inside it.
Digits may be grouped by one space, hyphen or dot (``138 1234 5678``, ``110101-1990…``).
Landlines (0571-88888888, 010-12345678) are office numbers and are left alone.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote_plus

__all__ = [
    "MaskResult",
    "MaskingFilter",
    "configure_logging",
    "id_checksum_ok",
    "luhn_ok",
    "mask_card",
    "mask_email",
    "mask_id",
    "mask_log_text",
    "mask_phone",
    "mask_text",
]

_FOLD = str.maketrans(
    {
        **{chr(0xFF10 + i): str(i) for i in range(10)},
        **{chr(0xFF21 + i): chr(0x41 + i) for i in range(26)},
        **{chr(0xFF41 + i): chr(0x61 + i) for i in range(26)},
        "－": "-",
        "‐": "-",
        "‑": "-",
        "‒": "-",
        "–": "-",
        "—": "-",
        "―": "-",
        "．": ".",
        "　": " ",
        "\u00a0": " ",
        "＋": "+",
        "＠": "@",
    }
)
# Zero-width and invisible formatting characters typed (or pasted) between digits.
_INVISIBLE = frozenset("\u00ad\u180e\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff")

_SEP = r"[ \-.]?"


def _spaced(*parts: str) -> str:
    """Join single-character patterns so that one separator may stand between any two of them."""
    return _SEP.join(parts)


_D = "[0-9]"
# Mobile: 1[3-9] and nine more digits, optionally after +86 / 0086 / 86.
_MOBILE_RE = re.compile(
    r"(?<![0-9])(?P<cc>(?:\+|00)?86[ \-.]?)?"
    r"(?P<num>" + _spaced("1", "[3-9]", *[_D] * 9) + r")(?![0-9])"
)
# Resident ID (GB 11643), 18 characters: area code, birth date YYYYMMDD (1900-2099), sequence, check.
_ID18 = _spaced("[1-9]", *[_D] * 5, "[12]", "[09]", _D, _D, "[01]", _D, "[0-3]", _D, _D, _D, _D, "[0-9Xx]")
# Old 15-digit ID: area code, birth date YYMMDD, sequence.
_ID15 = _spaced("[1-9]", *[_D] * 5, _D, _D, "[01]", _D, "[0-3]", _D, _D, _D, _D)
_ID_RE = re.compile(r"(?<![0-9])(?:(?P<id18>" + _ID18 + r")|(?P<id15>" + _ID15 + r"))(?![0-9Xx])")
# Bank card: 13-19 digits (optionally grouped), an issuer prefix, a valid Luhn check digit.
_CARD_RE = re.compile(r"(?<![0-9])(?P<card>(?:[345669]|2[2-7])(?:[ \-.]?[0-9]){12,18})(?![0-9])")
_EMAIL_RE = re.compile(
    r"(?<![A-Za-z0-9._%+\-])(?P<local>[A-Za-z0-9._%+\-]{1,64})"
    r"@(?P<domain>[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,24})"
)

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


@dataclass(frozen=True)
class MaskResult:
    """The masked text and what was masked.

    ``phones`` pairs each masked mobile (``138****8000``) with the raw 11 digits, so the gateway can
    hand the raw number to the contact vault. ``ids``, ``cards`` and ``emails`` hold masked forms only:
    those raw values are never kept anywhere.
    """

    text: str
    phones: list[tuple[str, str]] = field(default_factory=list)
    ids: list[str] = field(default_factory=list)
    cards: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.phones or self.ids or self.cards or self.emails)


def mask_phone(digits: str) -> str:
    """``13800138000`` -> ``138****8000``."""
    return f"{digits[:3]}****{digits[-4:]}"


def mask_id(id_number: str) -> str:
    """Keep the 6-digit area code and the last 4 characters: ``110101********123X``."""
    return f"{id_number[:6]}{'*' * (len(id_number) - 10)}{id_number[-4:]}"


def mask_card(digits: str) -> str:
    """Keep the last 4 digits only: ``************1234``."""
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_email(local: str, domain: str) -> str:
    """``zhang.san@example.com`` -> ``z***@example.com``."""
    return f"{local[:1]}***@{domain}"


def id_checksum_ok(id_number: str) -> bool:
    """True when the 18th character is the GB 11643 check character of the first 17."""
    if len(id_number) != 18 or not id_number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(id_number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == id_number[17].upper()


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check of payment card numbers."""
    if not digits.isdigit():
        return False
    total = 0
    for i, ch in enumerate(reversed(digits)):
        d = int(ch)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def _id_date_ok(raw: str) -> bool:
    if len(raw) == 18:
        century, month, day = raw[6:8], raw[10:12], raw[12:14]
    else:
        century, month, day = "19", raw[8:10], raw[10:12]
    return century in ("19", "20") and 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _fold(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each of its characters, the index of the original character."""
    chars: list[str] = []
    origin: list[int] = []
    for i, ch in enumerate(text):
        if ch in _INVISIBLE:
            continue
        chars.append(ch.translate(_FOLD))
        origin.append(i)
    return "".join(chars), origin


def _digits(s: str) -> str:
    return "".join(ch for ch in s if ch.isdigit() or ch in "Xx").upper()


def mask_text(text: str) -> MaskResult:
    """Mask mobile numbers, ID numbers, bank cards and e-mail addresses in ``text``.

    ID numbers are masked when they have the card's shape (area code, a real birth date, the check
    character's position) even if the check character is wrong: a mistyped ID number still
    identifies a person. Random 18-digit strings without a date are left alone; a digit run is
    taken for a bank card only with an issuer prefix and a valid Luhn check digit.
    """
    if not text:
        return MaskResult(text=text)
    folded, origin = _fold(text)
    spans: list[tuple[int, int, str]] = []
    phones: list[tuple[str, str]] = []
    ids: list[str] = []
    cards: list[str] = []
    emails: list[str] = []

    def free(start: int, end: int) -> bool:
        return not any(s < end and start < e for s, e, _ in spans)

    for m in _EMAIL_RE.finditer(folded):
        masked = mask_email(m.group("local"), m.group("domain"))
        emails.append(masked)
        spans.append((m.start(), m.end(), masked))
    for m in _ID_RE.finditer(folded):
        raw = _digits(m.group(0))
        if not _id_date_ok(raw) or not free(m.start(), m.end()):
            continue
        masked = mask_id(raw)
        ids.append(masked)
        spans.append((m.start(), m.end(), masked))
    for m in _CARD_RE.finditer(folded):
        raw = _digits(m.group("card"))
        if not luhn_ok(raw) or not free(m.start(), m.end()):
            continue
        masked = mask_card(raw)
        cards.append(masked)
        spans.append((m.start(), m.end(), masked))
    for m in _MOBILE_RE.finditer(folded):
        if not free(m.start(), m.end()):
            continue
        raw = _digits(m.group("num"))
        masked = mask_phone(raw)
        phones.append((masked, raw))
        spans.append((m.start(), m.end(), (m.group("cc") or "") + masked))

    if not spans:
        return MaskResult(text=text)
    spans.sort()
    pieces: list[str] = []
    pos = 0
    for start, end, replacement in spans:
        pieces.append(text[pos : origin[start]])
        pieces.append(replacement)
        pos = origin[end - 1] + 1
    pieces.append(text[pos:])
    return MaskResult(text="".join(pieces), phones=phones, ids=ids, cards=cards, emails=emails)


_PERCENT_RE = re.compile(r"%[0-9A-Fa-f]{2}")


def mask_log_text(text: str) -> str:
    """``mask_text`` for log lines, which also looks inside URL-encoded text (``%31%33%38…``,
    ``138%201234%205678``): when the decoded form holds personal data, the decoded masked form
    is logged instead."""
    masked = mask_text(text).text
    current = masked
    for _ in range(2):  # also catches one level of double encoding (%2531)
        if not _PERCENT_RE.search(current) and "+" not in current:
            break
        decoded = unquote_plus(current)
        if decoded == current:
            break
        result = mask_text(decoded)
        if result.changed:
            return result.text
        current = decoded
    return masked


class MaskingFilter(logging.Filter):
    """Rewrites a record's message with personal data masked. Never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # Mask the format string and each string argument in place, so formatters that read
        # record.args (uvicorn's access log does) keep working.
        if isinstance(record.msg, str):
            record.msg = mask_log_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(_mask_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: _mask_arg(v) for k, v in record.args.items()}
        try:
            message = record.getMessage()
        except Exception:  # a broken %-format: leave it for the handler to report
            return True
        masked = mask_log_text(message)
        if masked != message:  # a number formed only once formatted (an int argument, say)
            record.msg = masked
            record.args = None
        if record.exc_info and not record.exc_text:
            # Format the traceback now so its text can be masked; Formatter.format reuses it.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask_log_text(record.exc_text)
        if record.stack_info:
            record.stack_info = mask_log_text(record.stack_info)
        return True


def _mask_arg(value: object) -> object:
    return mask_log_text(value) if isinstance(value, str) else value


_LOGGERS_WITH_OWN_HANDLERS = ("uvicorn", "uvicorn.error", "uvicorn.access")
_CHATTY_LOGGERS = ("httpx", "httpcore")
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure_logging(level: int | str = logging.INFO) -> None:
    """Give the root logger a handler if it has none and install ``MaskingFilter`` on every
    handler of the root logger (and uvicorn's own loggers). Safe to call more than once:
    a handler that already carries the filter is not given a second one."""
    root = logging.getLogger()
    if not root.handlers:
        logging.basicConfig(level=level, format=_FORMAT)
    # httpx logs every request's full URL at INFO: one line per chat turn, and the URL of a call to Rasa
    # carries its token (``?token=``). Its warnings and errors still show.
    for quiet in _CHATTY_LOGGERS:
        logging.getLogger(quiet).setLevel(max(logging.WARNING, logging.getLogger(quiet).level))
    loggers = [root, *(logging.getLogger(name) for name in _LOGGERS_WITH_OWN_HANDLERS)]
    for logger in loggers:
        for handler in logger.handlers:
            if not any(isinstance(f, MaskingFilter) for f in handler.filters):
                handler.addFilter(MaskingFilter())
