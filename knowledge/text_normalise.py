"""Normalising questions before matching: full-width to half-width, traditional to simplified, lower case."""

from __future__ import annotations

import unicodedata
from functools import lru_cache
from itertools import pairwise
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


def char_bigrams(text: str) -> set[str]:
    """The character bigrams of a (normalised) text, pairs of whitespace left out: the unit in which the decide and
    compose stages compare a question's words with a guide's (one word of Chinese is about two characters)."""
    return {a + b for a, b in pairwise(text) if not (a + b).isspace()}
