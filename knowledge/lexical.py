"""The lexical channel: BM25 over jieba words and character bigrams, and exact/fuzzy name matching.

Questions are normalised first (traditional → simplified, full-width → half-width), so BM25 also
finds "護士執業註冊". Character bigrams make a typo ("护土执业注册") cost one or two terms, not the word.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from knowledge.schema import ServiceItem
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

_STOP = set("的了吗呢啊吧呀么是在我要你想请问和与及或把被给个这那有没怎么什哪些多少")
_PUNCT = set("，。！？、；：“”‘’（）《》【】,.!?;:()[]<>/\\-_ \t\n\"'…·")


def bigrams(text: str) -> list[str]:
    chars = [c for c in text if c not in _PUNCT]
    return [a + b for a, b in pairwise(chars)]


class Tokeniser:
    """jieba words (with the knowledge base's names as user words) plus character bigrams."""

    def __init__(self, user_words: Iterable[str] = ()) -> None:
        import jieba  # lazy: loads its dictionary on first use

        jieba.setLogLevel(logging.WARNING)
        self._jieba: Any = jieba.Tokenizer()
        for word in user_words:
            if len(word) >= 2:
                self._jieba.add_word(word, freq=2000)

    def tokens(self, text: str) -> list[str]:
        text = normalise(text)
        words = [w for w in self._jieba.lcut(text) if w.strip() and w not in _PUNCT and w not in _STOP]
        return words + bigrams(text)


class BM25Channel:
    def __init__(self, texts: Sequence[str], tokeniser: Tokeniser) -> None:
        from rank_bm25 import BM25Okapi

        self._tok = tokeniser
        corpus = [tokeniser.tokens(t) for t in texts]
        self._bm25 = BM25Okapi(corpus)

    def scores(self, query: str) -> list[float]:
        return [float(s) for s in self._bm25.get_scores(self._tok.tokens(query))]


@dataclass(frozen=True)
class NameHit:
    item_code: str
    name: str  # the name or alias that matched
    exact: bool
    score: float  # 0..1


class NameMatcher:
    """Finds service items named in a question, by their names and aliases.

    Exact containment wins (the longest name first, so "护士延续注册" beats "护士"); otherwise a
    character-bigram overlap catches typos and word-order changes.
    """

    def __init__(self, items: Sequence[ServiceItem]) -> None:
        self._names: list[tuple[str, str]] = []  # (normalised name, item code)
        for item in items:
            for name in {item.name, *item.aliases}:
                norm = normalise(name)
                if len(norm) >= 2:
                    self._names.append((norm, item.code))
        self._names.sort(key=lambda pair: -len(pair[0]))

    def match(self, question: str) -> list[NameHit]:
        text = normalise(question)
        best: dict[str, NameHit] = {}
        covered: list[tuple[int, int]] = []
        for name, code in self._names:
            start = text.find(name)
            if start < 0:
                continue
            end = start + len(name)
            # A shorter name inside a longer one already matched is not a second mention.
            if any(s <= start and end <= e for s, e in covered) and code not in best:
                continue
            covered.append((start, end))
            score = min(1.0, 0.6 + 0.1 * len(name))
            if code not in best or best[code].score < score:
                best[code] = NameHit(code, name, True, score)
        if best:
            return sorted(best.values(), key=lambda h: -h.score)
        query_grams = set(bigrams(text))
        if not query_grams:
            return []
        fuzzy: dict[str, NameHit] = defaultdict(lambda: NameHit("", "", False, 0.0))
        for name, code in self._names:
            grams = set(bigrams(name))
            if len(grams) < 2:
                continue
            shared = len(grams & query_grams)
            overlap = shared / len(grams)
            if shared >= 2 and overlap >= 0.6 and overlap * 0.8 > fuzzy[code].score:
                fuzzy[code] = NameHit(code, name, False, overlap * 0.8)
        return sorted((h for h in fuzzy.values() if h.item_code), key=lambda h: -h.score)
