"""The deterministic split: a hash of the group key decides, so a family never straddles the split."""

from __future__ import annotations

import hashlib

BLIND_PERCENT = 30
"""About this share of families (not of questions) goes to the blind part."""
SALT = "bank-split-v1"
TUNING_ONLY = "rw:"
"""Families of the hand-written real-world tuning set (hand/realworld.yaml): written to tune on, never blind."""


def split_of(family: str) -> str:
    """`blind` or `tuning` for a group key; stable across machines, runs and Python versions."""
    if family.startswith(TUNING_ONLY):
        return "tuning"
    digest = hashlib.sha256(f"{SALT}:{family}".encode()).hexdigest()
    return "blind" if int(digest[:8], 16) % 100 < BLIND_PERCENT else "tuning"
