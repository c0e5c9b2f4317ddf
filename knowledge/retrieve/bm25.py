"""The lexical channel: BM25 over jieba words and character bigrams.

Questions are normalised first (traditional → simplified, full-width → half-width), so BM25 also
finds "護士執業註冊". Character bigrams make a typo ("护土执业注册") cost one or two terms, not the word.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

from knowledge.documents import Chunk
from knowledge.query.model import Query
from knowledge.retrieve.protocol import ChannelScores, max_by_owner
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

_STOP = set("的了吗呢啊吧呀么是在我要你想请问和与及或把被给个这那有没怎么什哪些多少")
_PUNCT = set("，。！？、；：“”‘’（）《》【】,.!?;:()[]<>/\\-_ \t\n\"'…·")


def bigrams(text: str) -> list[str]:
    chars = [c for c in text if c not in _PUNCT]
    return [a + b for a, b in pairwise(chars)]


_base_lock = threading.Lock()
_base_jieba: Any = None
_TOKEN_CACHE: OrderedDict[tuple[str, str], list[str]] = OrderedDict()
_TOKEN_CACHE_SIZE = 20_000


def _fresh_jieba() -> Any:
    """A jieba tokenizer with the main dictionary, copied from one loaded once per process (loading it
    takes seconds; a knowledge publish builds a new tokenizer and must stay fast)."""
    global _base_jieba
    import jieba  # lazy: loads its dictionary on first use

    with _base_lock:
        if _base_jieba is None:
            jieba.setLogLevel(logging.WARNING)
            _base_jieba = jieba.Tokenizer()
            _base_jieba.initialize()
        tokenizer = jieba.Tokenizer()
        tokenizer.FREQ = dict(_base_jieba.FREQ)
        tokenizer.total = _base_jieba.total
        tokenizer.initialized = True
    return tokenizer


class Tokeniser:
    """jieba words (with the knowledge base's names as user words) plus character bigrams.

    Token lists are cached per (user words, text), so rebuilding the index after an edit that keeps the
    names re-tokenises only the changed chunks."""

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        self._jieba: Any = _fresh_jieba()
        words = sorted({w for w in user_words if len(w) >= 2})
        for word in words:
            self._jieba.add_word(word, freq=2000)
        self._key = hashlib.sha256("\x1f".join(words).encode("utf-8")).hexdigest()

    def tokens(self, text: str) -> list[str]:
        text = normalise(text)
        words = [w for w in self._jieba.lcut(text) if w.strip() and w not in _PUNCT and w not in _STOP]
        return words + bigrams(text)

    def cached_tokens(self, text: str) -> list[str]:
        key = (self._key, text)
        with _base_lock:
            found = _TOKEN_CACHE.get(key)
        if found is not None:
            return found
        tokens = self.tokens(text)
        with _base_lock:
            _TOKEN_CACHE[key] = tokens
            while len(_TOKEN_CACHE) > _TOKEN_CACHE_SIZE:
                _TOKEN_CACHE.popitem(last=False)
        return tokens


class BM25Channel:
    def __init__(self, texts: Sequence[str], tokeniser: Tokeniser) -> None:
        from rank_bm25 import BM25Okapi

        self._tok = tokeniser
        corpus = [tokeniser.cached_tokens(t) for t in texts]
        self._bm25 = BM25Okapi(corpus)

    def scores(self, query: str) -> list[float]:
        return [float(s) for s in self._bm25.get_scores(self._tok.tokens(query))]


class BM25Scorer:
    """BM25 behind the `Channel` protocol, scaled so the best chunk scores 1."""

    name = "bm25"

    def __init__(self, chunks: list[Chunk], tokeniser: Tokeniser) -> None:
        self.chunks = chunks
        self.bm25 = BM25Channel([c.text for c in chunks], tokeniser)

    def score(self, query: Query) -> ChannelScores:
        raw = self.bm25.scores(query.norm)
        top = max(raw, default=0.0) or 1.0
        return max_by_owner(self.chunks, [s / top for s in raw])
