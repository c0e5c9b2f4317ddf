"""The deterministic split: a hash of the group key decides, so a family never straddles the split."""

from __future__ import annotations

import hashlib

BLIND_PERCENT = 30
"""About this share of families (not of questions) goes to the blind part."""
SALT = "bank-split-v1"


def split_of(family: str) -> str:
    """`blind` or `tuning` for a group key; stable across machines, runs and Python versions."""
    digest = hashlib.sha256(f"{SALT}:{family}".encode()).hexdigest()
    return "blind" if int(digest[:8], 16) % 100 < BLIND_PERCENT else "tuning"
