"""Abbreviated names: a citizen's short form takes characters of an item's name in order ("医广审查" for 医疗广告审查,
"麻精卡" for 麻醉药品和第一类精神药品购用印鉴卡).

A stretch of the question abbreviates a name when
- it is at least `MIN_ABBREVIATED` Chinese characters long,
- it starts with the name's first character (the name's first word), ends with its last (the kind of thing named:
  卡, 证, 审查, 备案), and takes the characters between from the name in order, skipping some: a piece of the name
  taken whole ("广告审查", "公共场所") is a partial name, not an abbreviation, and is left to the fuzzy rule,
- it is whole words of the question (jieba's cut): it starts where a word starts and ends where one ends, so it is
  not part of a longer word ("食品生产许可证" holds no abbreviation of 生产消毒产品许可),
- it is not itself a word of the dictionary: "公共卫生" is that word, not 公共场所卫生许可 shortened,
- it is no piece of any name taken whole: "生产许可" is in 消毒产品生产许可, so it is a partial name (of that item, or
  of another department's 安全生产许可), and "职业健康" is in 职业健康检查机构备案.
A name that is a request ("我要申请医疗广告审查", "办卫生许可证") is not abbreviated: its first word is the citizen's.

The names channel scores such a mention below every exact and fuzzy one (`names.ABBREVIATED_SCORE`) and only when the
question names no item verbatim. Names are looked up by their first character; `tests/knowledge/test_names_channel.py`
checks the result against testing every stretch against every name.
"""

from __future__ import annotations

import logging
import threading
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

logger = logging.getLogger(__name__)

MIN_ABBREVIATED = 3
REQUEST_STARTS = ("我", "办", "开")  # "我要办理卫生许可证", "办出生证", "开诊所": the citizen's request

_lock = threading.Lock()
_tokenizer: Any = None


def _jieba() -> Any:
    global _tokenizer
    with _lock:
        if _tokenizer is None:
            from knowledge.retrieve.bm25 import _fresh_jieba

            _tokenizer = _fresh_jieba()
        return _tokenizer


def word_bounds(text: str) -> tuple[set[int], set[int]]:
    """Where the question's words start and where they end (jieba's main dictionary, its HMM for new words)."""
    tokens = list(_jieba().tokenize(text))
    return {start for _, start, _ in tokens}, {end for _, _, end in tokens}


def is_word(text: str) -> bool:
    """Whether the text is a word of jieba's main dictionary (its prefixes are stored with frequency 0)."""
    return bool(_jieba().FREQ.get(text, 0))


def abbreviable(name: str) -> bool:
    """A Chinese name that is no request in the citizen's words."""
    return not name.isascii() and not name.startswith(REQUEST_STARTS)


def pieces(name: str) -> set[str]:
    """The name's contiguous pieces that a stretch could be (MIN_ABBREVIATED characters or more)."""
    return {name[i:j] for i in range(len(name)) for j in range(i + MIN_ABBREVIATED, len(name) + 1)}


def abbreviates(stretch: str, name: str) -> bool:
    """Whether `stretch` takes the name's first and last characters and others between in order, skipping some."""
    if len(stretch) < MIN_ABBREVIATED or stretch[0] != name[0] or stretch[-1] != name[-1]:
        return False
    if not _chinese(stretch) or stretch in name:
        return False
    rest = iter(name)
    return all(char in rest for char in stretch) and not is_word(stretch)


def _chinese(text: str) -> bool:
    return all(not c.isascii() and c.isalnum() for c in text)


class AbbreviationFinder:
    """Which of the given names a question abbreviates, indexed by the names' first characters."""

    def __init__(self, names: Sequence[str]) -> None:
        self._names = list(names)
        self._by_first: dict[str, list[int]] = defaultdict(list)
        self._pieces: set[str] = set()  # every piece of every name, of MIN_ABBREVIATED characters or more
        for n, name in enumerate(self._names):
            if len(name) > MIN_ABBREVIATED and abbreviable(name):
                self._by_first[name[0]].append(n)
            self._pieces.update(pieces(name))

    def _taken_in_order(self, text: str, start: int, name: str) -> int:
        """How far from `start` the text takes the name's characters in order (the name's first at `start`)."""
        pos, end = 1, start + 1
        while end < len(text):
            found = name.find(text[end], pos)
            if found < 0:
                break
            pos, end = found + 1, end + 1
        return end

    def find(self, text: str) -> list[int]:
        """Places in `names` of the names some whole-word stretch of the text abbreviates, in order."""
        starts, ends = word_bounds(text)
        found: set[int] = set()
        for start in sorted(starts):
            for n in self._by_first.get(text[start], ()):
                name = self._names[n]
                reach = self._taken_in_order(text, start, name)
                for end in range(start + MIN_ABBREVIATED, reach + 1):
                    stretch = text[start:end]
                    if end in ends and stretch not in self._pieces and abbreviates(stretch, name):
                        found.add(n)
                        break
        return sorted(found)
