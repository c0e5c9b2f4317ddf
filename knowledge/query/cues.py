"""Cue matching: what a question asks (aspects, sub-items) by the lexicon's cues (`knowledge/query/lexicon.py`).

Aspect cue groups are checked from the highest priority down; the first group with a match gives the
primary aspect. A later group adds a second aspect only when it is marked `combine` and its cue stands
apart from the first one behind a connector ("材料和费用", "要什么材料，收费吗"). Cues never overlap: in
"多久有效" the "多久" belongs to the validity cue. What the question says it is NOT asking ("不是问有效期")
is removed first. Cues made of ASCII letters match whole words only ("app" is not in "apply").
"""

from __future__ import annotations

import logging
import re
from collections.abc import Collection
from dataclasses import dataclass
from functools import lru_cache

from knowledge.query.item_clues import ItemClue
from knowledge.query.lexicon import CANONICAL_SUB_ITEMS, Lexicon, load_lexicon
from knowledge.schema import Aspect
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

# "我问的不是有效期", "不是问审批要几天": the negated part names what is NOT asked; it ends at a punctuation mark or at
# a space between clauses (voice input: "不是第一次办了 是医院把名字打错了").
_NEGATED = re.compile(r"(我问的)?(?<!是)不是(问|说)?[^，。,.？?！!\s]*")


@dataclass(frozen=True)
class CueHit:
    aspect: Aspect
    cue: str
    start: int
    end: int
    priority: int


def without_negation(text: str) -> str:
    stripped = _NEGATED.sub("", text)
    return stripped if stripped.strip() else text


GAP = "*"
"""In a cue, a gap of a few words within one clause: "要办*吗" is "要办游泳馆的卫生许可吗" (whether it is needed)."""
NUMBER = "#"
"""In a cue, a number in digits or Chinese numerals: "#天?" is a figure being checked ("听说要7天？")."""
_PATTERN_MARKS = {GAP: r"[^，,。；;！!？?\s]{0,12}?", NUMBER: r"[0-9零一二三四五六七八九十两百千]+"}


@lru_cache(maxsize=256)
def _cue_pattern(cue: str) -> re.Pattern[str]:
    return re.compile("".join(_PATTERN_MARKS.get(ch, re.escape(ch)) for ch in cue))


def _find(text: str, cue: str) -> list[tuple[int, int]]:
    if GAP in cue or NUMBER in cue:
        return [(m.start(), m.end()) for m in _cue_pattern(cue).finditer(text)]
    if cue not in text:
        return []
    if cue.isascii() and cue[:1].isalpha():
        pattern = r"(?<![a-z])" + re.escape(cue) + r"(?![a-z])"
        return [(m.start(), m.end()) for m in re.finditer(pattern, text)]
    spans = []
    start = text.find(cue)
    while start >= 0:
        spans.append((start, start + len(cue)))
        start = text.find(cue, start + 1)
    return spans


def contains(text: str, cue: str) -> bool:
    return bool(_find(text, cue))


def spans(text: str, cue: str) -> list[tuple[int, int]]:
    """Where a (normalised) cue stands in a normalised text: (start, end) of each occurrence; English cues as
    whole words."""
    return _find(text, cue)


class CueMatcher:
    """Aspects and sub-items named by cues, as the lexicon orders them."""

    def __init__(self, lexicon: Lexicon) -> None:
        self.lexicon = lexicon
        self._groups = [(g, sorted(g.cues, key=len, reverse=True)) for g in lexicon.ordered_groups()]
        self._sub_items = lexicon.ordered_sub_items()
        self._guide_words = {s.canonical: tuple(s.guide_words) for s in lexicon.sub_items}
        self._question_words = tuple(w for w in lexicon.question_words if not w.isascii())

    def aspect_hits(self, norm: str) -> list[CueHit]:
        """Primary aspect first, then at most one more that the question asks for separately."""
        text = without_negation(norm)
        taken: list[tuple[int, int]] = []
        hits: list[CueHit] = []
        for group, cues in self._groups:
            if hits and (not group.combine or any(h.aspect is group.aspect for h in hits)):
                continue
            for cue in cues:
                span = next((s for s in _find(text, cue) if not any(_overlap(s, t) for t in taken)), None)
                if span is None:
                    continue
                if not hits:
                    hits.append(CueHit(group.aspect, cue, span[0], span[1], group.priority))
                    taken.append(span)
                    break
                if self._apart(text, hits[0], span) and len(hits) < 2:
                    hits.append(CueHit(group.aspect, cue, span[0], span[1], group.priority))
                    taken.append(span)
                    break
                taken.append(span)  # the cue is spent: it belongs to the first aspect's phrase
        # The first match by priority is the primary aspect, the second joins it in reading order.
        return hits

    def _apart(self, text: str, first: CueHit, span: tuple[int, int]) -> bool:
        """Whether a second cue asks for something of its own: a connector stands between the two ("材料和费用"), a
        space parts two Chinese clauses (voice input, chat without punctuation: "要多长时间 在哪里交材料"), or each
        Chinese cue carries a question word of its own ("在哪办要交钱吗": 哪 and 吗; not "有效期多久", where 多久 is
        the other cue's)."""
        lo, hi = sorted([(first.start, first.end), span])
        between = text[lo[1] : hi[0]]
        if any(contains(between, c) for c in self.lexicon.combine_connectors):
            return True
        if _CJK_SPACE.search(text[max(0, lo[1] - 1) : hi[0] + 1]):
            return True
        if text[lo[0] : lo[1]].isascii() or text[hi[0] : hi[1]].isascii():
            return False
        return self._asks_itself(text, lo, hi) and self._asks_itself(text, hi, lo)

    def _asks_itself(self, text: str, span: tuple[int, int], other: tuple[int, int]) -> bool:
        """Whether a question word stands inside the cue, or right beside it on the side away from the other cue
        ("什么材料", "交钱吗"); a word between the two cues is not counted for either ("之日起多少日内发放")."""
        after = span[0] < other[0]  # the other cue follows: look before this one
        for word in self._question_words:
            start = text.find(word, max(0, span[0] - len(word) - 1))
            while 0 <= start <= span[1] + 1:
                end = start + len(word)
                inside = span[0] <= start and end <= span[1]
                beside = span[0] - 1 <= end <= span[0] if after else span[1] <= start <= span[1] + 1
                if inside or beside:
                    return True
                start = text.find(word, start + 1)
        return False

    def sub_item(self, norm: str) -> str | None:
        text = without_negation(norm)
        for group in self._sub_items:
            if any(contains(text, cue) for cue in group.cues):
                return group.canonical
        return None

    def sub_items_in(self, norm: str) -> tuple[str, ...]:
        """Every canonical sub-item whose cue the text carries, in the lexicon's order (`sub_item` gives the first):
        "搬完家证就不见了" tells 变更 (搬家) and 补发 (不见了)."""
        text = without_negation(norm)
        return tuple(g.canonical for g in self._sub_items if any(contains(text, cue) for cue in g.cues))

    def situations_in(self, norm: str, offered: Collection[str] | None = None) -> tuple[str, ...]:
        """Every canonical sub-item a told situation of the lexicon settles (`situations`: each of its word groups
        present), in the lexicon's order, once each: "资格考试的分数也出来过线了" tells 首次. Negated parts do not
        count. `offered`: the sub-items of the item asked about — a situation settles its own sub-item when offered,
        else the first of its `otherwise` that is (`ToldSituation.settles`)."""
        text = without_negation(norm)
        told = [
            t.settles(offered)
            for t in self.lexicon.situations
            if all(any(contains(text, word) for word in group) for group in t.all_of)
        ]
        return tuple(dict.fromkeys(s for s in told if s is not None))

    def clues_in(self, norm: str) -> tuple[ItemClue, ...]:
        """Every item clue of the lexicon the message tells (`item_clues`: a word of each group, none of its ruling-out
        words), in the lexicon's order: "医院疼痛科要用吗啡…申请那个购药的卡" tells the seal card's. Negated parts
        do not count."""
        text = without_negation(norm)
        return tuple(
            c
            for c in self.lexicon.item_clues
            if all(any(contains(text, word) for word in group) for group in c.all_of)
            and not any(contains(text, word) for word in c.none_of)
        )

    def sub_item_matches(self, guide_sub_item: str | None, wanted: str) -> bool:
        """Whether a guide's sub_item text covers the wanted canonical sub-item."""
        if not guide_sub_item:
            return False
        return any(word in guide_sub_item for word in self._guide_words.get(wanted, (wanted,)))

    def answered_sub_item(self, guide_sub_item: str | None, asked: str | None) -> str | None:
        """The sub-item an answer quoting a guide with this sub_item text stands for: the one asked when the guide
        covers it among others (a button's 换发 answered by "首次签发（机构内/机构外）、换发" stays 换发), or when the
        guide is written for no case in particular (no sub_item, or a text naming no canonical one: "（县级）护士执业
        注册" answering "护士首次注册去哪个窗口交") — the citizen's case stays theirs for the next question —; else the
        guide's own."""
        if asked and self.sub_item_matches(guide_sub_item, asked):
            return asked
        names_none = not any(self.sub_item_matches(guide_sub_item, c) for c in CANONICAL_SUB_ITEMS)
        if asked in CANONICAL_SUB_ITEMS and names_none:
            return asked
        return self.canonical_sub_item(guide_sub_item)

    def canonical_sub_item(self, guide_sub_item: str | None) -> str | None:
        """The canonical sub-item (首次/延续/…) a guide's sub_item text covers, else the text itself."""
        if not guide_sub_item:
            return None
        covered = [c for c in CANONICAL_SUB_ITEMS if self.sub_item_matches(guide_sub_item, c)]
        # One canonical word, or the guide's own text when it covers several ("首次/变更/注销") or none.
        return covered[0] if len(covered) == 1 else guide_sub_item


_CJK_SPACE = re.compile(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]")


def _overlap(a: tuple[int, int], b: tuple[int, int]) -> bool:
    return a[0] < b[1] and b[0] < a[1]


@lru_cache(maxsize=1)
def default_matcher() -> CueMatcher:
    return CueMatcher(load_lexicon())


def detect_aspects(question: str) -> tuple[Aspect, ...]:
    """The aspects the shipped lexicon's cues find in a question, primary first."""
    return tuple(h.aspect for h in default_matcher().aspect_hits(normalise(question)))


def detect_sub_item(question: str) -> str | None:
    """The canonical sub-item the shipped lexicon's cues find in a question."""
    return default_matcher().sub_item(normalise(question))
