"""The engine's vocabulary (knowledge/data/lexicon.yaml): its schema and loading, validated on load.

The cue matching it drives is `knowledge/query/cues.py`.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from knowledge.query.cue_words import clean_cues
from knowledge.query.detail_words import DetailWords
from knowledge.query.item_clues import ItemClue
from knowledge.query.situations import ToldSituation
from knowledge.schema import Aspect

logger = logging.getLogger(__name__)

LEXICON_FILE = "lexicon.yaml"
CANONICAL_SUB_ITEMS = ("首次", "延续", "变更", "注销", "补发", "换发")


def canonical_sub_item(value: str, what: str) -> str:
    """`value` when it is one of the canonical sub-items, else the validation error naming `what`."""
    if value not in CANONICAL_SUB_ITEMS:
        raise ValueError(f"{what} must be one of {CANONICAL_SUB_ITEMS}")
    return value


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


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
        return clean_cues(v)


class SubItemCues(_Strict):
    canonical: str
    priority: int = Field(ge=0)
    cues: list[str] = Field(min_length=1)
    guide_words: list[str] = Field(min_length=1)  # how guides' own sub_item texts say it

    @field_validator("cues")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return clean_cues(v)

    @field_validator("canonical")
    @classmethod
    def _known(cls, v: str) -> str:
        return canonical_sub_item(v, "canonical sub-item")


class Filler(_Strict):
    chars: str = Field(min_length=1)  # single characters carrying no subject (Chinese function words)
    # of those, the particles and marks that never stand inside a word ("的", not "理" of 护理 or "过" of 通过)
    particles: str = ""
    words: list[str] = Field(default_factory=list)  # whole words carrying none (English function words)


class FollowupWords(_Strict):
    prefixes: list[str]
    suffixes: list[str]
    vague_with_place: list[str] = Field(default_factory=list)
    """Aspect cues that, beside a place named mid-conversation, ask how the same thing goes there rather than
    for another aspect ("我是山东的，那边怎么办": 怎么办 keeps the conversation's aspect)."""
    general_how: list[str] = Field(default_factory=list)
    """Process cues asking how to go about an item in general ("怎么办", "怎么申请", "咋弄"), not for its steps
    ("流程", "步骤"): on an item whose sub-items differ in process or materials, a first such question tells no
    case and is asked which (`decide/general_question.py`)."""
    elliptical_suffixes: list[str] = Field(default_factory=list)
    """Endings that make a message repeat the conversation's question about something else ("那医师呢", "重庆江津的话"):
    without them and the prefixes, a message with no question word asks for no aspect of its own, whatever the
    learned aspect head guesses ("我们公司注册在上海", "公共场所的，开宾馆用")."""
    demonstratives: list[str] = Field(default_factory=list)
    """Words pointing at something before a word for it ("这审查", "这卡", "该许可"): before a word of the
    conversation item's name, the message is about that item (`decide/followup_ties.py`)."""
    department_words: list[str] = Field(default_factory=list)
    """Words asking which department or office ("应向哪个部门申请"): mid-conversation, evidence that the citizen asks
    about another department's matter, which keeps the learned head's verdict (`decide/followup_ties.py`)."""
    switch_words: list[str] = Field(default_factory=list)
    """Words saying the message is about another thing than the conversation's ("孩子残疾了的那种扶助是另外一个吧",
    "换个问题"): with another item retrieval finds confidently, the follow-up ends (`decide/followup.py`)."""
    need_questions: list[str] = Field(default_factory=list)
    """A-not-A questions whether something is needed ("户口本要不要带", "需不需要体检"): beside a referral keyword the
    conversation item's guides use, a prerequisite of that item (`decide/turn_away.py`)."""
    common_papers: list[str] = Field(default_factory=list)
    """Papers nearly every item asks for (身份证, 户口本, 结婚证 …): a materials question listing them names no item,
    it asks what else the conversation's item needs ("身份证户口本结婚证这些肯定要 除了这些还要啥")."""
    also_needed: list[str] = Field(default_factory=list)
    """Words asking whether the conversation's item needs another procedure too (还得, 也得, 还要走 …):
    "那还得走设置审批吗" after 医疗美容 stays with the item whose guide names that procedure (`decide/followup.py`)."""

    @field_validator(
        "vague_with_place",
        "general_how",
        "elliptical_suffixes",
        "demonstratives",
        "department_words",
        "switch_words",
        "need_questions",
        "common_papers",
        "also_needed",
    )
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return clean_cues(v)


class SmalltalkWords(_Strict):
    """Greetings, thanks, goodbyes and acknowledgements: a message made only of these (and particles,
    punctuation) says nothing beyond small talk ("好的没有问题了再见"); whatever else it says is substance."""

    words: list[str] = Field(min_length=1)
    particles: str = ""  # single characters that add nothing to a greeting (了, 啊, 哈 …)
    identity: list[str] = Field(default_factory=list)
    """Asking whether the assistant is a machine or a person (你是机器人吗, 是真人还是机器人, are you a bot): small talk
    like a greeting, and no request for a person though it names one (a `human_cues` word inside it does not count)."""

    @field_validator("words", "identity")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return clean_cues(v)


class LevelWords(_Strict):
    """Asking which level approves (`questions`: 哪一级, 省里批, 省里还是市里 …) and the words a guide's line names a
    level with (`words`: 省级, 市级, 县级, 下放 …): such a question's overview gets the guide's lines naming a level
    (knowledge/compose/level_lines.py)."""

    questions: list[str] = Field(min_length=1)
    words: list[str] = Field(min_length=1)

    @field_validator("questions", "words")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return clean_cues(v)


class TicketStatusWords(_Strict):
    """Asking in words about a complaint filed earlier: a message naming one (`filed`: 投诉过, 我反映的, 那个单子 …) and
    asking how it stands (`outcome`: 有结果, 有人管没有, 处理到哪 …) in words that ask is a ticket question without
    its number (the chat asks for the number), not a new 办不成事 report."""

    filed: list[str] = Field(min_length=1)
    outcome: list[str] = Field(min_length=1)

    @field_validator("filed", "outcome")
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        return clean_cues(v)


class MedicalAdviceWords(_Strict):
    """Asking for a diagnosis or a treatment: a short message naming a symptom or a test result (`symptoms`) and
    asking what to do about it (`asks`: 要不要吃药, 挂什么科, 严重吗 …) is a request for medical advice, which the
    assistant does not give (it declines and points to a doctor), not a 办不成事 report nor a guide question."""

    symptoms: list[str] = Field(min_length=1)
    asks: list[str] = Field(min_length=1)
    recommend: list[str] = Field(default_factory=list)
    """Asking for a hospital or a doctor to be recommended (推荐一家, 哪家医院好 …): declined alike, symptom or not."""
    medicine: list[str] = Field(default_factory=list)
    """Asking which medicine to take or how (吃什么药, 药怎么吃 …): declined alike, whatever the symptom is called."""
    prescribe: list[str] = Field(default_factory=list)
    """Asking to be prescribed something (给我开点, 帮我开药 …) in a message naming a medicine (`drug_words`: "能不能
    帮我开点降压药"): declined alike; "医院能给我开点证明吗" names none."""
    drug_words: list[str] = Field(default_factory=list)
    """What a prescription is of (药, 处方 …)."""
    max_chars: int = Field(default=80, ge=10, le=400)
    """Longer messages are narratives: the complaint head and Rasa decide them (a story of a bad treatment)."""

    @field_validator("symptoms", "asks", "recommend", "medicine", "prescribe", "drug_words")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return clean_cues(v)


class PolicyCues(_Strict):
    names: list[str] = Field(min_length=1)  # name a policy: cite the points whose topic/keywords contain one
    general: list[str] = Field(default_factory=list)  # only say the question is about a policy
    aliases: dict[str, str] = Field(default_factory=dict)
    """How citizens say a policy in their own words -> the name it stands for ("第一次违规" -> "首违不罚")."""
    about_others_papers: list[str] = Field(default_factory=list)
    """Names of policies about papers other departments issue (免于提交, 电子证照): such a paper named beside them (营业
    执照) is the policy's subject, not a question for its department (decide/turn_away.py)."""

    @field_validator("names", "general")
    @classmethod
    def _cues(cls, v: list[str]) -> list[str]:
        return clean_cues(v)

    @model_validator(mode="after")
    def _aliases_name_a_policy(self) -> PolicyCues:
        clean_cues(list(self.aliases))
        unknown = sorted({v for v in [*self.aliases.values(), *self.about_others_papers] if v not in self.names})
        if unknown:
            raise ValueError(f"policy aliases and about_others_papers must be among the names: {unknown}")
        return self


class Lexicon(_Strict):
    version: int = 1
    aspect_cues: list[AspectCueGroup] = Field(min_length=1)
    sub_items: list[SubItemCues] = Field(min_length=1)
    situations: list[ToldSituation] = Field(default_factory=list)
    """Situations that settle the sub-item (`ToldSituation`), beside the sub-item cues, for items that have it."""
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
    issuing_verbs: list[str] = Field(default_factory=list)
    """Verbs of getting or giving a paper (给, 发, 开, 领 …): "当场给证" qualifies no certificate by its verb
    (`knowledge/decide/unknown_subject.py`)."""
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
    commission_names: list[str] = Field(default_factory=list)
    """The health commission's own names (卫健委, 卫生部门, health commission …): in a question asking which department
    handles something, the department asked about, not what the question is about ("化妆品问题归不归卫生部门管":
    `knowledge/query/department_question.py`)."""
    context_refs: list[str] = Field(default_factory=list)
    """Words that point back to what the conversation is about (这个, 它, 他们, this, it …): a message that uses
    one and names no other item continues the conversation, however long it is."""
    smalltalk: SmalltalkWords | None = None
    medical_advice: MedicalAdviceWords | None = None
    ticket_status: TicketStatusWords | None = None
    levels: LevelWords | None = None
    detail_words: list[DetailWords] = Field(default_factory=list)
    """A citizen's words for a particular the guides state in their own term (`DetailWords`)."""
    item_clues: list[ItemClue] = Field(default_factory=list)
    """Things a citizen mentions that point to one item without being its name (`ItemClue`)."""

    @field_validator(
        "question_words",
        "department_cues",
        "document_verbs",
        "issuing_verbs",
        "human_cues",
        "complaint_route_cues",
        "context_refs",
        "complaint_words",
        "health_targets",
        "health_matters",
        "commission_names",
    )
    @classmethod
    def _words(cls, v: list[str]) -> list[str]:
        return clean_cues(v)

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
        names = [t.name for t in self.situations]
        if len(set(names)) != len(names):
            raise ValueError("a told situation's name is listed twice")
        details = [d.name for d in self.detail_words]
        if len(set(details)) != len(details):
            raise ValueError("a detail_words entry's name is listed twice")
        if len({c.name for c in self.item_clues}) != len(self.item_clues):
            raise ValueError("an item clue's name is listed twice")
        unknown = sorted({t.sub_item for t in self.situations} - set(canon))
        if unknown:
            raise ValueError(f"told situations name sub-items the lexicon has no cues for: {unknown}")
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
        stray = [c for c in self.followup.general_how if owner.get(c) is not Aspect.process]
        if stray:
            raise ValueError(f"followup.general_how must be process cues: {stray}")
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
