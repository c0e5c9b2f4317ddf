"""Ticket numbers in Rasa's environment (the gate component, the actions): what a citizen may type for one.

A number is ``BBC-20261122-0007-KXQRT``: a prefix of letters, the local day (8 digits), the day's sequence
(typed with 1–6 digits) and, for numbers issued since the check code, five code letters (no I or O). Citizens
type it in any plausible form: full-width characters (folded by NFKC), any case, spaces, dashes of any kind,
underscores, dots, middle dots or slashes between the parts (or nothing), inside a sentence.

The app's environment has its own copy, ``knowledge/ticket_numbers.py`` (this environment cannot import the
app). Both are tested against one table, ``tests/ticket_number_examples.json``, and their code below the
docstring must be the same (tests/tickets/test_ticket_numbers.py, tests/rasa/test_ticket_numbers.py).
"""

from __future__ import annotations

import re
import unicodedata

SEPARATOR = r"[\s\-_.·・‐‑‒–—―−﹘﹣－/／]{0,3}"
"""Between the parts: up to three spaces, dashes of any width, underscores, dots, middle dots or slashes."""
CHECK_CODE = r"[A-HJ-NP-Za-hj-np-z]{5}"
"""Five letters without I or O (bot/tickets/numbers.py CODE_ALPHABET)."""


SPELLED = r"[\s.·]"
"""Between the letters of a prefix spelled out ("B B C")."""
DAY_SEPARATOR = r"[\s.·\-_‐‑‒–—―−﹘﹣－/／]?"
"""Between the year, month and day: one space, dot, dash, underscore or slash, or nothing."""
DAY = rf"\d{{4}}{DAY_SEPARATOR}\d{{2}}{DAY_SEPARATOR}\d{{2}}"
"""The day: "20261020", "2026 1020", "2026-11-29"."""
TICKET_WORDS = r"(?:工单|单号|编号|受理号)"
"""Words after which a day and a sequence are a ticket number typed without its prefix ("工单号是 2026 1201 0033")."""
CALENDAR_DAY = rf"20\d{{2}}{DAY_SEPARATOR}(?:0[1-9]|1[0-2]){DAY_SEPARATOR}(?:0[1-9]|[12]\d|3[01])"
"""A day of the calendar: without a prefix, a phone or order number after 单号 is not taken for a ticket's day."""


def number_pattern(prefix: str | None = None) -> re.Pattern[str]:
    """The pattern of a ticket number with this prefix (any 2–6 letters when None, also spelled out one by one with
    spaces); groups: prefix, day, sequence, check code (or None)."""
    if prefix:
        letters = f"{SPELLED}?".join(re.escape(c) for c in prefix)
    else:
        letters = rf"[A-Za-z]{{2,6}}|[A-Za-z](?:{SPELLED}[A-Za-z]){{1,5}}"
    return re.compile(
        rf"(?<![A-Za-z0-9])({letters}){SEPARATOR}({DAY}){SEPARATOR}(\d{{1,6}})(?:{SEPARATOR}({CHECK_CODE}))?"
        r"(?![A-Za-z0-9])",
        re.IGNORECASE,
    )


_ANY = number_pattern()
_BARE = re.compile(
    rf"{TICKET_WORDS}[^\d\n]{{0,12}}?(?<![A-Za-z0-9])({CALENDAR_DAY}){SEPARATOR}(\d{{1,6}})(?:{SEPARATOR}({CHECK_CODE}))?"
    r"(?![A-Za-z0-9])",
    re.IGNORECASE,
)
"""A ticket number typed without its prefix, right after a ticket word; groups: day, sequence, check code."""


def fold(text: str) -> str:
    """NFKC: full-width letters, digits and hyphens become ASCII."""
    return unicodedata.normalize("NFKC", text or "")


def canonical(prefix: str, day: str, sequence: str, code: str | None) -> str:
    prefix, day = re.sub(r"[^A-Za-z]", "", prefix), re.sub(r"\D", "", day)
    number = f"{prefix.upper()}-{day}-{int(sequence):04d}"
    return f"{number}-{code.upper()}" if code else number


def find_numbers(text: str, prefix: str | None = None) -> list[str]:
    """Every ticket number in a text, in canonical form (``BBC-20261122-0007-KXQRT``). With a prefix (this
    deployment's), a number typed without any prefix after a ticket word counts as one of this prefix."""
    folded = fold(text)
    pattern = _ANY if prefix is None else number_pattern(prefix)
    found = [canonical(*m.groups()) for m in pattern.finditer(folded)]
    if prefix and not found and not _ANY.search(folded):
        found = [canonical(prefix, *m.groups()) for m in _BARE.finditer(folded)]
    return found


def find_number(text: str, prefix: str | None = None) -> str | None:
    """The first ticket number in a text, in canonical form, else None."""
    found = find_numbers(text, prefix)
    return found[0] if found else None


def mentions_number(text: str) -> bool:
    """Whether a text holds something shaped like a ticket number (any prefix, or none after a ticket word)."""
    folded = fold(text)
    return _ANY.search(folded) is not None or _BARE.search(folded) is not None
