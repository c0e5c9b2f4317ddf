"""The engine's vocabulary (knowledge/data/lexicon.yaml): its schema, loading, and the cue matching it drives.

Aspect cue groups are checked from the highest priority down; the first group with a match gives the
primary aspect. A later group adds a second aspect only when it is marked `combine` and its cue stands
apart from the first one behind a connector ("材料和费用", "要什么材料，收费吗"). Cues never overlap: in
"多久有效" the "多久" belongs to the validity cue. What the question says it is NOT asking ("不是问有效期")
is removed first. Cues made of ASCII letters match whole words only ("app" is not in "apply").
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.schema import Aspect
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)

LEXICON_FILE = "lexicon.yaml"
CANONICAL_SUB_ITEMS = ("首次", "延续", "变更", "注销", "补发", "换发")

# "我问的不是有效期", "不是问审批要几天": the negated part names what is NOT asked.
_NEGATED = re.compile(r"(我问的)?(?<!是)不是(问|说)?[^，。,.？?！!]*")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _clean_cues(cues: list[str]) -> list[str]:
    cleaned = [c.strip() for c in cues]
    if any(not c for c in cleaned):
        raise ValueError("empty cue")
    if any(c != normalise(c) for c in cleaned):
        bad = [c for c in cleaned if c != normalise(c)]
        raise ValueError(f"cues must be written normalised (simplified, lower case, half-width): {bad}")
    if len(set(cleaned)) != len(cleaned):
        dupes = sorted({c for c in cleaned if cleaned.count(c) > 1})
        raise ValueError(f"duplicate cues in one group: {dupes}")
    return cleaned


class AspectCueGroup(_Strict):
    aspect: Aspect
    priority: int = Field(ge=0)
    combine: bool = False  # may this group add a second aspect to a question?
    cues: list[str] = Field(min_length=1)
    firm: bool = False
    """The learned aspect head never overrides these cues, however sure it is of another aspect: phrases whose aspect
    the head misreads from a word they share with another ("提前多少天" is the applicant's deadline, a condition, not
    the office's time limit)."""
    dialect: Literal["yue"] | None = None
    """`yue`: Cantonese words (几耐, 喺边度 …); such a group mirrors the Mandarin group of its aspect one priority
    step above it, so that the Mandarin order of the aspects decides between them."""

    @field_validator("cues")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return _clean_cues(v)


class SubItemCues(_Strict):
    canonical: str
    priority: int = Field(ge=0)
    cues: list[str] = Field(min_length=1)
    guide_words: list[str] = Field(min_length=1)  # how guides' own sub_item texts say it

    @field_validator("cues")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return _clean_cues(v)

    @field_validator("canonical")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in CANONICAL_SUB_ITEMS:
            raise ValueError(f"canonical sub-item must be one of {CANONICAL_SUB_ITEMS}")
        return v


class Filler(_Strict):
    chars: str = Field(min_length=1)  # single characters carrying no subject (Chinese function words)
    words: list[str] = Field(default_factory=list)  # whole words carrying none (English function words)


class FollowupWords(_Strict):
    prefixes: list[str]
    suffixes: list[str]
    vague_with_place: list[str] = Field(default_factory=list)
    """Aspect cues that, beside a place named mid-conversation, ask how the same thing goes there rather than
    for another aspect ("我是山东的，那边怎么办": 怎么办 keeps the conversation's aspect)."""
    elliptical_suffixes: list[str] = Field(default_factory=list)
    """Endings that make a message repeat the conversation's question about something else ("那医师呢", "重庆江津的话"):
    without them and the prefixes, a message with no question word asks for no aspect of its own, whatever the
    learned aspect head guesses ("我们公司注册在上海", "公共场所的，开宾馆用")."""

    @field_validator("vague_with_place", "elliptical_suffixes")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return _clean_cues(v)


class SmalltalkWords(_Strict):
    """Greetings, thanks, goodbyes and acknowledgements: a message made only of these (and particles,
    punctuation) says nothing beyond small talk ("好的没有问题了再见"); whatever else it says is substance."""

    words: list[str] = Field(min_length=1)
    particles: str = ""  # single characters that add nothing to a greeting (了, 啊, 哈 …)

    @field_validator("words")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return _clean_cues(v)


class MedicalAdviceWords(_Strict):
    """Asking for a diagnosis or a treatment: a short message naming a symptom or a test result (`symptoms`) and
    asking what to do about it (`asks`: 要不要吃药, 挂什么科, 严重吗 …) is a request for medical advice, which the
    assistant does not give (it declines and points to a doctor), not a 办不成事 report nor a guide question."""

    symptoms: list[str] = Field(min_length=1)
    asks: list[str] = Field(min_length=1)
    recommend: list[str] = Field(default_factory=list)
    """Asking for a hospital or a doctor to be recommended (推荐一家, 哪家医院好 …): declined alike, symptom or not."""
    max_chars: int = Field(default=80, ge=10, le=400)
    """Longer messages are narratives: the complaint head and Rasa decide them (a story of a bad treatment)."""

    @field_validator("symptoms", "asks", "recommend")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return _clean_cues(v)


class PolicyCues(_Strict):
    names: list[str] = Field(min_length=1)  # name a policy: cite the points whose topic/keywords contain one
    general: list[str] = Field(default_factory=list)  # only say the question is about a policy
    aliases: dict[str, str] = Field(default_factory=dict)
    """How citizens say a policy in their own words -> the name it stands for ("第一次违规" -> "首违不罚")."""

    @field_validator("names", "general")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return _clean_cues(v)

    @model_validator(mode="after")
    def _aliases_name_a_policy(self) -> PolicyCues:
        _clean_cues(list(self.aliases))
        unknown = sorted({v for v in self.aliases.values() if v not in self.names})
        if unknown:
            raise ValueError(f"policy aliases must stand for one of the names: {unknown}")
        return self


class Lexicon(_Strict):
    version: int = 1
    aspect_cues: list[AspectCueGroup] = Field(min_length=1)
    sub_items: list[SubItemCues] = Field(min_length=1)
    generic_terms: list[str] = Field(min_length=1)
    filler: Filler
    followup: FollowupWords
    policy_cues: PolicyCues
    combine_connectors: list[str] = Field(default_factory=list)
    question_words: list[str] = Field(default_factory=list)
    """Words that make a clause a question (怎么, 哪, 吗 …): an item named only in clauses without one is
    named in passing ("宝宝已经拿到出生医学证明了，生育津贴怎么申领")."""
    department_cues: list[str] = Field(default_factory=list)
    """The question asks which department or where to complain (找哪个部门, 归谁管, 哪里投诉 …)."""
    complaint_route_cues: list[str] = Field(default_factory=list)
    """Asks where to complain or report (找谁反映, 哪里投诉 …): mid-conversation not a follow-up about the item's
    window but the complaint route — the honest no-answer with the helpline."""
    human_cues: list[str] = Field(default_factory=list)
    """The citizen asks for a person (转人工, 真人, real person …): the chat hands over whatever DIET guessed."""
    document_verbs: list[str] = Field(default_factory=list)
    """Verbs of handing a paper over (带, 凭, 出示 …): an item named right after one, beside another department's
    service, is a paper that service asks for ("上户口要带出生医学证明原件吗"), not the question."""
    complaint_words: list[str] = Field(default_factory=list)
    """Verbs of complaining (投诉, 反映, 举报 …): a message using one is never sent to Rasa as a follow-up question,
    whatever else it asks ("…至今未收到答复，特此反映")."""
    health_targets: list[str] = Field(default_factory=list)
    """Health institutions, their staff and health matters a complaint may be about (医院, 诊所, 疾控, 疫苗, 卫生许可,
    卫健委 …): a complaint whose target is one stays a complaint, whatever other department it also names
    (`knowledge/query/complaint_target.py`)."""
    health_matters: list[str] = Field(default_factory=list)
    """Health matters (卫生许可, 消毒, 疫苗, 行医 …): a complaint naming one is about our services, whoever it names
    as its target."""
    context_refs: list[str] = Field(default_factory=list)
    """Words that point back to what the conversation is about (这个, 它, 他们, this, it …): a message that uses
    one and names no other item continues the conversation, however long it is."""
    smalltalk: SmalltalkWords | None = None
    medical_advice: MedicalAdviceWords | None = None

    @field_validator(
        "question_words",
        "department_cues",
        "document_verbs",
        "human_cues",
        "complaint_route_cues",
        "context_refs",
        "complaint_words",
        "health_targets",
        "health_matters",
    )
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        return _clean_cues(v)

    @model_validator(mode="after")
    def _consistent(self) -> Lexicon:
        priorities = [g.priority for g in self.aspect_cues]
        if len(set(priorities)) != len(priorities):
            raise ValueError("aspect cue groups need distinct priorities (the order must be explicit)")
        sub_priorities = [s.priority for s in self.sub_items]
        if len(set(sub_priorities)) != len(sub_priorities):
            raise ValueError("sub-item groups need distinct priorities")
        canon = [s.canonical for s in self.sub_items]
        if len(set(canon)) != len(canon):
            raise ValueError("a canonical sub-item is listed twice")
        owner: dict[str, Aspect] = {}
        for group in self.aspect_cues:
            for cue in group.cues:
                if cue in owner and owner[cue] is not group.aspect:
                    raise ValueError(f"cue {cue!r} is given to both {owner[cue]} and {group.aspect}")
                owner[cue] = group.aspect
        mandarin = {g.priority: g.aspect for g in self.aspect_cues if g.dialect is None}
        misplaced = [g.cues[0] for g in self.aspect_cues if g.dialect and mandarin.get(g.priority + 1) is not g.aspect]
        if misplaced:
            raise ValueError(f"a dialect group must sit one step below a Mandarin group of its aspect: {misplaced}")
        stray = [c for c in self.followup.vague_with_place if c not in owner]
        if stray:
            raise ValueError(f"followup.vague_with_place must be aspect cues: {stray}")
        return self

    # ---- derived views -------------------------------------------------------------------------

    def ordered_groups(self) -> list[AspectCueGroup]:
        return sorted(self.aspect_cues, key=lambda g: -g.priority)

    def ordered_sub_items(self) -> list[SubItemCues]:
        return sorted(self.sub_items, key=lambda s: -s.priority)

    def firm_cues(self) -> frozenset[str]:
        """The cues of the groups marked `firm` (the aspect head does not override them)."""
        return frozenset(c for g in self.aspect_cues if g.firm for c in g.cues)

    def cue_words(self) -> list[str]:
        """Every aspect and sub-item cue, longest first (to strip them when judging what else a question says)."""
        words = {c for g in self.aspect_cues for c in g.cues} | {c for s in self.sub_items for c in s.cues}
        return sorted(words, key=len, reverse=True)


def load_lexicon_file(path: Path) -> Lexicon:
    from knowledge.loader import parse_file

    return parse_file(path, Lexicon)


@lru_cache(maxsize=4)
def load_lexicon(root: Path | None = None) -> Lexicon:
    """The lexicon shipped with the data (or under `root`); cached."""
    from knowledge.loader import _root

    return load_lexicon_file(_root(root) / LEXICON_FILE)


# ---- matching ----------------------------------------------------------------------------------


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

    def sub_item_matches(self, guide_sub_item: str | None, wanted: str) -> bool:
        """Whether a guide's sub_item text covers the wanted canonical sub-item."""
        if not guide_sub_item:
            return False
        return any(word in guide_sub_item for word in self._guide_words.get(wanted, (wanted,)))

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
