"""Where the words of an item's names begin and end, so that a fragment of a follow-up names an item only
when it is whole words of one of its names ("医师" in 医师执业注册), never a piece straddling two words
("准备" in 企业标-准备-案, "得准备哪些东西" is a follow-up about materials, not a question about 企业标准备案)."""

from __future__ import annotations

import logging
import threading
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

_lock = threading.Lock()


@lru_cache(maxsize=1)
def _tokenizer() -> Any:
    import jieba  # lazy: loads its dictionary on first use

    jieba.setLogLevel(logging.WARNING)
    tokenizer = jieba.Tokenizer()
    tokenizer.initialize()
    return tokenizer


def word_boundaries(name: str) -> frozenset[int]:
    """The offsets at which a word of the name begins or ends (jieba words; 0 and len(name) included)."""
    with _lock:
        words = _tokenizer().lcut(name, HMM=False)
    bounds = {0}
    offset = 0
    for word in words:
        offset += len(word)
        bounds.add(offset)
    return frozenset(bounds)


def names_as_words(name: str, bounds: frozenset[int], fragment: str) -> bool:
    """Whether the fragment stands in the name as whole words (starts and ends at word boundaries)."""
    start = name.find(fragment)
    while start >= 0:
        if start in bounds and start + len(fragment) in bounds:
            return True
        start = name.find(fragment, start + 1)
    return False
