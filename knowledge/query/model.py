"""`Query`: what the analyse stage found in one question, handed to retrieval and the decision rules."""

from __future__ import annotations

from dataclasses import dataclass, field

from knowledge.schema import Aspect


@dataclass(frozen=True)
class Referral:
    keyword: str
    department: str


@dataclass(frozen=True)
class Query:
    text: str  # as the user typed it
    norm: str  # normalised: NFKC, simplified, lower case
    language: str  # "zh" (simplified), "zh-hant" (traditional), "en", "mixed"
    aspects: tuple[Aspect, ...] = ()  # asked aspects, primary first; () = names none
    aspect_source: str = "none"  # "cue", "predictor" or "none"
    aspect_cues: tuple[str, ...] = ()
    aspect_probs: dict[Aspect, float] = field(default_factory=dict)  # the predictor's view, if any
    vague_aspect: bool = False  # its only aspect cues are vague beside a place ("那边怎么办": how it goes there)
    sub_item: str | None = None  # canonical 首次/延续/变更/注销/补发/换发
    region: str | None = None  # named in the question
    region_hint: str | None = None  # what the dialogue knows of the user's region
    policy_cues: tuple[str, ...] = ()  # every policy word found (names and general ones)
    policy_names: tuple[str, ...] = ()  # words naming one policy ("告知承诺", "首违不罚")
    ticket_numbers: tuple[str, ...] = ()
    referral: Referral | None = None
    complaint_target: Referral | None = None  # a complaint about another department (its office, staff, service)
    kind: str | None = None  # one of predictors.KIND_LABELS, or None when unknown
    kind_source: str = "none"
    kind_probs: dict[str, float] = field(default_factory=dict)
    # the learned item head's view (item code -> probability; `ITEM_NONE` for "no item of ours"), if wired
    item_probs: dict[str, float] = field(default_factory=dict)
    confident_kinds: tuple[str, ...] = ()  # kinds the predictor gives at or above their calibrated threshold
    question_clauses: tuple[str, ...] = ()  # the clauses (normalised) that ask something; () = the whole text
    asks_department: bool = False  # asks which department handles it / where to complain (lexicon)
    asks_which_department: bool = False  # asks for a department in any words (query/department_question.py)
    department_subject: Referral | None = None  # ... about another department's office or service, no health word
    residue: str = ""  # what the question says beyond cues, generic words, places and filler
    generic: bool = False  # used a generic word ("许可证", "注册")
    asks_human: bool = False  # asks for a person (lexicon human_cues)
    asks_medical_advice: bool = False  # a symptom and what to do about it, briefly (lexicon medical_advice)
    asks_ticket_status: bool = False  # how a complaint filed earlier stands, in words (lexicon ticket_status)
    asks_complaint_route: bool = False  # asks where to complain or report (lexicon complaint_route_cues)
    asks: bool = False  # carries a question word or mark (lexicon question_words)
    complains: bool = False  # uses a verb of complaining (lexicon complaint_words: 投诉, 反映 …)
    refers_back: bool = False  # points back to the conversation's subject (lexicon context_refs: 这个, 它, 他们 …)
    beyond_smalltalk: str | None = None  # what it says beyond greetings, thanks, goodbyes (None: not judged)

    @property
    def aspect(self) -> Aspect | None:
        return self.aspects[0] if self.aspects else None

    @property
    def asks_policy(self) -> bool:
        return bool(self.policy_cues) or self.kind == "policy"

    @property
    def only_generic(self) -> bool:
        """Names only a kind of thing ("我要办许可证") and what it wants to know."""
        return self.generic and self.residue == ""
