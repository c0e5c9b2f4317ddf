"""The names channel: exact (or, for typos, bigram-fuzzy; or abbreviated) mention of an item's name or an alias."""

from __future__ import annotations

import logging
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from knowledge.query.model import Query
from knowledge.retrieve.abbreviations import AbbreviationFinder
from knowledge.retrieve.bm25 import bigrams
from knowledge.retrieve.protocol import ChannelScores
from knowledge.schema import ServiceItem
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class NameHit:
    item_code: str
    name: str  # the name or alias that matched
    exact: bool
    score: float  # 0..1


_WORD = re.compile(r"[a-z0-9]+")
_MASK = "\x00"
MIN_SUBSTITUTED = 6  # a name this long may be matched with one character miswritten
SUBSTITUTED_SCORE = 0.8  # like a fuzzy match whose every bigram but those of the miswritten character agrees
ABBREVIATED_SCORE = 0.45  # an abbreviation ("医广审查"): below the weakest fuzzy match (0.6 of the bigrams × 0.8)
_EN_STOP = {"a", "an", "and", "the", "of", "for", "to", "in", "on", "up"}


def is_han(char: str) -> bool:
    """A Chinese character (CJK unified ideographs)."""
    return "\u4e00" <= char <= "\u9fff"


def _find_name(text: str, name: str) -> int:
    """Where the name occurs in the text (-1 if not); English names only as whole words."""
    start = text.find(name)
    if start < 0 or not name.isascii():
        return start
    m = re.search(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])", text)
    return m.start() if m else -1


_EN_SUFFIXES = ("ations", "ation", "ings", "ing", "ions", "ion", "ers", "er", "ed", "es", "s", "al", "e")


def _en_stem(word: str) -> str:
    """The word less up to two common English endings, keeping four letters at least ("registered" → "regist",
    "registration" → "registr", "interpreting" → "interpret")."""
    for _ in range(2):
        suffix = next((x for x in _EN_SUFFIXES if word.endswith(x) and len(word) - len(x) >= 4), "")
        word = word[: len(word) - len(suffix)]
    return word


def same_stem(asked: str, word: str) -> bool:
    """Whether a question's English word is a form of a name's word: the first five letters agree, and either one
    stem begins the other ("registered" / "registration", "hospitals" / "hospital") or the words part only in their
    last two letters ("licence" / "license"). "interpreting" is no form of "internet": they share "inter" only."""
    if asked[:5] != word[:5]:
        return False
    a, w = _en_stem(asked), _en_stem(word)
    if a.startswith(w) or w.startswith(a):
        return True
    common = next((i for i, (x, y) in enumerate(zip(asked, word, strict=False)) if x != y), min(len(asked), len(word)))
    return common >= min(len(asked), len(word)) - 2


def _all_words_stemmed(name: str, words: list[str]) -> bool:
    wanted = [w for w in _WORD.findall(name) if w not in _EN_STOP]
    return bool(wanted) and all(any(same_stem(q, w) for q in words if len(q) >= 3) for w in wanted)


class NameMatcher:
    """Finds service items named in a question, by their names and aliases.

    Exact containment wins (the longest name first, so "护士延续注册" beats "护士"); otherwise a
    character-bigram overlap catches typos and word-order changes. English names match whole words, and
    loosely when every word of the name appears in the question by its stem ("register as a nurse"
    names "nurse registration"; "driver's license" does not name "nurse license").

    A question is not tested against every name: the names it can contain are looked up by its
    substrings of each name length, the names it can fuzzily match by its character bigrams (and, for
    English names, by the stem of the name's first word). The rules are then applied to those names
    only, in the same order as to all, so the result is the same as testing every name
    (tests/knowledge/test_names_channel.py checks it against the plain loop).
    """

    def __init__(self, items: Sequence[ServiceItem]) -> None:
        self._names: list[tuple[str, str]] = []  # (normalised name, item code)
        for item in items:
            for name in {item.name, *item.aliases}:
                norm = normalise(name)
                if len(norm) >= 2:
                    self._names.append((norm, item.code))
        self._names.sort(key=lambda pair: -len(pair[0]))
        self._by_text: dict[str, list[int]] = defaultdict(list)  # name -> its places in _names
        self._by_gram: dict[str, list[int]] = defaultdict(list)  # bigram -> non-English names with it
        self._by_stem: dict[str, list[int]] = defaultdict(list)  # English name's first word's stem
        self._grams: list[frozenset[str]] = []
        for n, (name, _) in enumerate(self._names):
            self._by_text[name].append(n)
            grams = frozenset(bigrams(name))
            self._grams.append(grams)
            if name.isascii():
                wanted = [w for w in _WORD.findall(name) if w not in _EN_STOP]
                if wanted:
                    self._by_stem[wanted[0][:5]].append(n)
            elif len(grams) >= 2:
                for gram in grams:
                    self._by_gram[gram].append(n)
        self._lengths = sorted({len(name) for name, _ in self._names})
        # one character miswritten (a homophone: "公共厂所卫生许可"): each Chinese name of MIN_SUBSTITUTED characters or
        # more under each of its characters masked
        self._masked: dict[str, list[int]] = defaultdict(list)
        for n, (name, _) in enumerate(self._names):
            if not name.isascii() and len(name) >= MIN_SUBSTITUTED:
                for i in range(len(name)):
                    self._masked[name[:i] + _MASK + name[i + 1 :]].append(n)
        self._masked_lengths = sorted({len(k) for k in self._masked})
        self._abbreviations = AbbreviationFinder([name for name, _ in self._names])

    @property
    def names(self) -> list[tuple[str, str]]:
        """(normalised name, item code) of every name and alias, the longest first."""
        return self._names

    def _contained(self, text: str) -> list[int]:
        """Places in `_names` of the names that occur in `text` (as substrings), in order."""
        found: set[int] = set()
        for size in self._lengths:
            if size > len(text):
                break
            for start in range(len(text) - size + 1):
                places = self._by_text.get(text[start : start + size])
                if places:
                    found.update(places)
        return sorted(found)

    def _substituted(self, text: str) -> list[int]:
        """Places in `_names` of the Chinese names the text carries with exactly one character miswritten (as another
        Chinese character: "办卫生许可，" is no "办卫生许可证")."""
        found: set[int] = set()
        for size in self._masked_lengths:
            for start in range(len(text) - size + 1):
                window = text[start : start + size]
                if window.isascii():
                    continue
                for i in range(size):
                    if is_han(window[i]):  # a miswritten character, not a comma where the name's last one was
                        found.update(self._masked.get(window[:i] + _MASK + window[i + 1 :], ()))
        return sorted(found)

    def match(self, question: str) -> list[NameHit]:
        text = normalise(question)
        best: dict[str, NameHit] = {}
        covered: list[tuple[int, int]] = []
        for n in self._contained(text):
            name, code = self._names[n]
            start = _find_name(text, name)
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
        words = _WORD.findall(text)
        shared_by_name = Counter(n for gram in query_grams for n in self._by_gram.get(gram, ()))
        stems = {w[:5] for w in words if len(w) >= 3}
        stemmed = {n for stem in stems for n in self._by_stem.get(stem, ())}
        for n in sorted({n for n, shared in shared_by_name.items() if shared >= 2} | stemmed):
            name, code = self._names[n]
            if name.isascii():
                if words and _all_words_stemmed(name, words) and fuzzy[code].score < 0.8:
                    fuzzy[code] = NameHit(code, name, False, 0.8)
                continue
            grams = self._grams[n]
            shared = shared_by_name[n]
            overlap = shared / len(grams)
            if overlap >= 0.6 and overlap * 0.8 > fuzzy[code].score:
                fuzzy[code] = NameHit(code, name, False, overlap * 0.8)
        for n in self._substituted(text):
            name, code = self._names[n]
            if fuzzy[code].score < SUBSTITUTED_SCORE:
                fuzzy[code] = NameHit(code, name, False, SUBSTITUTED_SCORE)
        for n in self._abbreviations.find(text):  # characters of the name in order ("麻精卡")
            name, code = self._names[n]
            if fuzzy[code].score < ABBREVIATED_SCORE:
                fuzzy[code] = NameHit(code, name, False, ABBREVIATED_SCORE)
        return sorted((h for h in fuzzy.values() if h.item_code), key=lambda h: -h.score)


def request_of_generic(name: str, generic: set[str], filler_chars: str) -> bool:
    """Whether a name is a generic word with only the citizen's request around it ("办卫生许可证",
    "我要办理卫生许可证"): it names a kind of thing, not one item, as the generic word does."""
    return bool(filler_chars) and name.strip(filler_chars) in generic


class NamesScorer:
    """Name mentions behind the `Channel` protocol. Generic words ("许可证") name no item, nor do aliases that are a
    generic word with a request around it ("办卫生许可证": 消毒产品生产企业卫生许可 is a 卫生许可证 too)."""

    name = "names"

    def __init__(self, items: Sequence[ServiceItem], generic_terms: Sequence[str], filler_chars: str = "") -> None:
        self.matcher = NameMatcher(items)
        self.generic = {normalise(t) for t in generic_terms}
        self.generic |= {
            name for name, _ in self.matcher.names if request_of_generic(name, self.generic, normalise(filler_chars))
        }
        self._generic_grams = {g for term in self.generic for g in bigrams(term)}

    def _only_generic_shared(self, hit: NameHit, text: str) -> bool:
        """A bigram-fuzzy hit whose name shares with the question only a generic word's bigrams ("供水卫生许可" and
        "办卫生许可吗" share 卫生许可): no mention of the item. (One character miswritten, "水站卫生许可" for
        水厂卫生许可, and abbreviations are other matches.)"""
        if hit.exact or not ABBREVIATED_SCORE < hit.score < SUBSTITUTED_SCORE:
            return False
        return not (set(bigrams(hit.name)) & set(bigrams(text))) - self._generic_grams

    def score(self, query: Query) -> ChannelScores:
        found: dict[str, float] = {}
        exact: set[str] = set()
        for hit in self.matcher.match(query.norm):
            if hit.name in self.generic or self._only_generic_shared(hit, query.norm):
                continue
            found[hit.item_code] = hit.score
            if hit.exact:
                exact.add(hit.item_code)
        return ChannelScores(items=found, exact=frozenset(exact))
