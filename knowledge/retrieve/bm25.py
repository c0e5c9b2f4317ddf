"""The lexical channel: BM25 over jieba words and character bigrams.

Questions are normalised first (traditional → simplified, full-width → half-width), so BM25 also
finds "護士執業註冊". Character bigrams make a typo ("护土执业注册") cost one or two terms, not the word.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable, Sequence
from itertools import pairwise
from typing import Any

import numpy as np

from knowledge.documents import Chunk
from knowledge.query.model import Query
from knowledge.retrieve.protocol import ChannelScores, Owners
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


class BM25Index:
    """Okapi BM25 over an inverted index, scoring exactly as rank-bm25's `BM25Okapi` (k1 1.5, b 0.75, an
    idf floor of epsilon × the mean idf for words in more than half the documents).

    Each term keeps its postings as numpy arrays (document numbers and the term's BM25 weight in each),
    so a query touches only the documents that contain its words: one vector add per query token,
    in the query's order, the same float operations as rank-bm25's `get_scores` (which walks every
    document for every token). tests/knowledge/test_bm25.py checks the scores against rank-bm25.
    """

    def __init__(
        self, corpus: Sequence[Sequence[str]], *, k1: float = 1.5, b: float = 0.75, epsilon: float = 0.25
    ) -> None:
        self.size = len(corpus)
        doc_len = np.array([len(doc) for doc in corpus], dtype=np.int64)
        self.avgdl = int(doc_len.sum()) / self.size if self.size else 0.0
        postings: dict[str, tuple[list[int], list[int]]] = {}  # term -> (documents, frequencies)
        for n, doc in enumerate(corpus):
            for term, freq in Counter(doc).items():  # first-occurrence order, as rank-bm25's nd
                found = postings.get(term)
                if found is None:
                    postings[term] = found = ([], [])
                found[0].append(n)
                found[1].append(freq)
        self.idf = self._idf({term: len(docs) for term, (docs, _) in postings.items()}, epsilon)
        with np.errstate(divide="ignore", invalid="ignore"):
            norm = k1 * (1 - b + b * doc_len / self.avgdl) if self.size else doc_len.astype(np.float64)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (docs, freqs) in postings.items():
            rows = np.array(docs, dtype=np.int64)
            tf = np.array(freqs, dtype=np.int64)
            self._postings[term] = (rows, tf * (k1 + 1) / (tf + norm[rows]))

    def _idf(self, doc_freq: dict[str, int], epsilon: float) -> dict[str, float]:
        idf: dict[str, float] = {}
        negative = []
        total = 0.0
        for term, freq in doc_freq.items():
            value = math.log(self.size - freq + 0.5) - math.log(freq + 0.5)
            idf[term] = value
            total += value
            if value < 0:
                negative.append(term)
        floor = epsilon * (total / len(idf)) if idf else 0.0
        for term in negative:
            idf[term] = floor
        return idf

    def scores(self, query: Sequence[str]) -> np.ndarray:
        """BM25 of every document for the query tokens (a token given twice counts twice)."""
        out = np.zeros(self.size)
        for term in query:
            found = self._postings.get(term)
            if found is not None:
                rows, weights = found
                out[rows] += self.idf[term] * weights
        return out


class BM25Channel:
    def __init__(self, texts: Sequence[str], tokeniser: Tokeniser) -> None:
        self._tok = tokeniser
        self._index = BM25Index([tokeniser.cached_tokens(t) for t in texts])

    def scores(self, query: str) -> np.ndarray:
        return self._index.scores(self._tok.tokens(query))


class BM25Scorer:
    """BM25 behind the `Channel` protocol, scaled so the best chunk scores 1."""

    name = "bm25"

    def __init__(self, chunks: list[Chunk], tokeniser: Tokeniser) -> None:
        self.chunks = chunks
        self.owners = Owners(chunks)
        self.bm25 = BM25Channel([c.text for c in chunks], tokeniser)

    def score(self, query: Query) -> ChannelScores:
        raw = self.bm25.scores(query.norm)
        top = float(raw.max()) if len(raw) else 0.0
        return self.owners.best(raw / (top or 1.0))
