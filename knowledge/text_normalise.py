"""Normalising questions before matching: full-width to half-width, traditional to simplified, lower case."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _t2s() -> Any:
    import opencc  # imported lazily: its dictionaries load on first use

    return opencc.OpenCC("t2s")


@lru_cache(maxsize=8192)
def normalise(text: str) -> str:
    """NFKC (full-width → half-width), traditional → simplified, lower case, collapsed spaces."""
    text = unicodedata.normalize("NFKC", text)
    text = _t2s().convert(text)
    return " ".join(text.lower().split())
