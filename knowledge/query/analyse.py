"""The analyse stage: one question in, one `Query` out. No retrieval happens here."""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Mapping, Sequence

from knowledge.places import Places
from knowledge.query.complaint_target import ComplaintTargets
from knowledge.query.cues import CueHit, CueMatcher, contains
from knowledge.query.department_question import DepartmentQuestions
from knowledge.query.lexicon import Lexicon
from knowledge.query.model import Query, Referral
from knowledge.query.predictors import (
    ASPECT_THRESHOLD,
    Predictors,
    combine_aspects,
    combine_kind,
    predict_aspects,
    predict_items,
    predict_kind,
)
from knowledge.retrieve.abbreviations import word_bounds
from knowledge.schema import Aspect
from knowledge.schema import Referral as ReferralEntry
from knowledge.text_normalise import normalise
from knowledge.ticket_numbers import find_numbers

logger = logging.getLogger(__name__)

_CLAUSE_BREAK = re.compile(r"[，,。；;！!？?\n]|(?<=[吗呢])|(?<=[a-z])\.\s")
_CJK = re.compile(r"[\u4e00-\u9fff]")
# The A-not-A question ("收不收费", "够不够条件") and a trailing 不/没 ("收钱不", "还能改不"): questions without
# a question word.
_A_NOT_A = re.compile(r"([\u4e00-\u9fff])[不没]\1|[\u4e00-\u9fff][不没][吗呢啊呀吧]?[?？。!！\s]*$")
# An English question opening with an auxiliary ("do I have to pay anything", "does he need a visa first").
_AUXILIARIES = "do|does|did|is|are|was|can|could|should|will|would|may|must|have|has"
_EN_QUESTION = re.compile(rf"(?:^|[.!?]\s*)(?:and\s+|so\s+|then\s+)?(?:{_AUXILIARIES})\b")


def asks_something(norm: str, question_words: Sequence[str]) -> bool:
    """Whether a (normalised) message asks something: a question word or mark, an A-not-A question, an English
    question opening with an auxiliary."""
    return (
        any(contains(norm, w) for w in question_words)
        or "?" in norm
        or bool(_A_NOT_A.search(norm))
        or bool(_EN_QUESTION.search(norm))
    )


SUB_ITEM_HOW = (Aspect.materials, Aspect.process)
"""A vague "how" (咋办, 怎么弄: `followup.vague_with_place`) about a named case (丢了, 到期了, 换单位): what the
case's guide asks for, then its steps."""

_LATIN = re.compile(r"[A-Za-z]{2,}")


def detect_language(text: str, norm: str) -> str:
    cjk = len(_CJK.findall(text))
    latin = len(_LATIN.findall(text))
    if cjk == 0 and latin:
        return "en"
    if cjk and latin >= 3:
        return "mixed"
    if normalise(text) != " ".join(unicodedata.normalize("NFKC", text).lower().split()):
        return "zh-hant"
    return "zh"


class Analyser:
    def __init__(
        self,
        lexicon: Lexicon,
        *,
        region_words: Sequence[str],
        referrals: Sequence[ReferralEntry] = (),
        predictors: Predictors | None = None,
        english_places: Mapping[str, str] | None = None,
        places: Places | None = None,
    ) -> None:
        self.lexicon = lexicon
        self.cues = CueMatcher(lexicon)
        self.region_words = sorted(region_words, key=len, reverse=True)
        self.places = places  # the hierarchy (places.yaml): of several places named, the most specific one
        self.english_places = dict(english_places or {})  # places.yaml `english`: "guangzhou" → 广州
        names = "|".join(re.escape(n) for n in sorted(self.english_places, key=len, reverse=True))
        self._english_place = re.compile(rf"(?<![a-z])({names})(?![a-z])") if names else None
        self.referrals = list(referrals)
        self.targets = ComplaintTargets(
            agencies=[(a, r.department) for r in self.referrals for a in r.agencies],
            services=[(k, r.department) for r in self.referrals for k in r.keywords],
            health=lexicon.health_targets,
            complaint_words=lexicon.complaint_words,
            health_matters=lexicon.health_matters,
        )
        self.department_questions = DepartmentQuestions(
            cues=lexicon.department_cues,
            targets=self.targets,
            agencies=[a for r in self.referrals for a in r.agencies],
            commission_names=lexicon.commission_names,
        )
        self.predictors = predictors or Predictors()
        self._cue_words = lexicon.cue_words()
        self._firm_cues = lexicon.firm_cues()
        self._generic = sorted(lexicon.generic_terms, key=len, reverse=True)
        self._filler = re.compile("[" + re.escape(lexicon.filler.chars) + "]")
        words = "|".join(re.escape(w) for w in sorted(lexicon.filler.words, key=len, reverse=True))
        self._filler_words = re.compile(rf"(?<![a-z])({words})(?![a-z])") if words else None
        prefixes = "|".join(re.escape(p) for p in sorted(lexicon.followup.prefixes, key=len, reverse=True))
        suffixes = "|".join(re.escape(s) for s in sorted(lexicon.followup.suffixes, key=len, reverse=True))
        self._followup = re.compile(rf"^({prefixes})|({suffixes})?[?？。!！]*$")
        self._smalltalk = self._smalltalk_pattern(lexicon)
        # longest first, so a phrase inside a longer one does not cut it (sorted once, not per message)
        identity = lexicon.smalltalk.identity if lexicon.smalltalk is not None else []
        self._identity = sorted(identity, key=len, reverse=True)
        ellipsis = "|".join(re.escape(s) for s in sorted(lexicon.followup.elliptical_suffixes, key=len, reverse=True))
        self._elliptical = re.compile(rf"^({prefixes})|({ellipsis or '$^'})?[\s?？。!！,，]*$")

    @staticmethod
    def _smalltalk_pattern(lexicon: Lexicon) -> re.Pattern[str] | None:
        if lexicon.smalltalk is None:
            return None
        words = sorted([*lexicon.smalltalk.words, *lexicon.smalltalk.identity], key=len, reverse=True)
        alternatives = [rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w.isascii() else re.escape(w) for w in words]
        particles = re.escape(lexicon.smalltalk.particles)
        return re.compile("|".join(alternatives) + (f"|[{particles}]" if particles else "") + r"|[\s\W_]")

    def asks_medical_advice(self, norm: str, complains: bool, asks_department: bool = False) -> bool:
        """A short message naming a symptom or a test result and asking what to do about it, or asking for a hospital
        or a doctor to be recommended, with no verb of complaining ("宝宝打完疫苗发烧38度5，要不要吃退烧药"): medical
        advice, which the assistant declines. `complains`: the message uses a verb of complaining (lexicon
        `complaint_words`), as `analyse` has found; `asks_department`: it asks which department handles something
        (lexicon `department_cues`: "保健品宣传说能治高血压，归哪个部门管" asks for a department, not for advice)."""
        words = self.lexicon.medical_advice
        if words is None or complains or asks_department or len(norm) > words.max_chars:
            return False
        if any(contains(norm, r) for r in words.recommend):
            return True  # "推荐一家看皮肤病好的医院": which hospital or doctor is good is not ours to say
        if any(contains(norm, m) for m in words.medicine):
            return True  # "最近老是心口发堵，该吃点什么药": which medicine is a doctor's to say
        if any(contains(norm, p) for p in words.prescribe) and any(contains(norm, d) for d in words.drug_words):
            return True  # "能不能帮我开点降压药": a prescription is a doctor's to write
        return any(contains(norm, s) for s in words.symptoms) and any(contains(norm, a) for a in words.asks)

    def asks_ticket_status(self, norm: str, asks: bool) -> bool:
        """Rule `ticket_status_in_words`: a message that asks (`asks`) how a complaint filed earlier stands — it
        names one and its outcome (lexicon `ticket_status`: "我投诉的那个单子有人管没有啊",
        "我上个月在网上投诉过一次窗口的事，有结果了吗") — is a ticket question without its number, not a new report."""
        words = self.lexicon.ticket_status
        if words is None or not asks:
            return False
        return any(contains(norm, f) for f in words.filed) and any(contains(norm, o) for o in words.outcome)

    def asks_human(self, norm: str) -> bool:
        """Whether a (normalised) message asks for a person (lexicon `human_cues`: 转人工, 真人 …) outside a question
        whether the assistant is one (`smalltalk.identity`: "你是机器人还是真人啊" is small talk; "你是机器人吧，给我转
        真人" still asks for one)."""
        for phrase in self._identity:
            norm = norm.replace(phrase, "|")
        return any(contains(norm, c) for c in self.lexicon.human_cues)

    def beyond_smalltalk(self, norm: str) -> str | None:
        """What a (normalised) message says beyond greetings, thanks, goodbyes, acknowledgements, particles and
        punctuation: "" for "好的没有问题了再见", "中考志愿填报归谁管" for "你好，中考志愿填报归谁管"."""
        return None if self._smalltalk is None else self._smalltalk.sub("", norm)

    def region_in(self, text: str) -> str | None:
        """The place the normalised text names: the first (longest names first), or of several that nest the most
        specific ("广东深圳" → 深圳, `Places.most_specific`), of a province written right before a place it does
        not hold the province ("北京朝阳区" → 北京, `Places.province_written_before`); an English name as a whole
        word ("we're opening a spa in guangzhou") is its Chinese place."""
        named = self.named_places(text)
        if named:
            if self.places is None or len(named) < 2:
                return named[0]
            return self.places.most_specific(named) or self.places.province_written_before(text, named) or named[0]
        found = self._english_place.search(text) if self._english_place is not None else None
        return self.english_places[found.group(1)] if found else None

    def named_places(self, text: str) -> list[str]:
        """The region words a text names as places (longest first): where one starts a word of jieba's cut, or
        follows another named place directly ("吉林长春", "广西南宁"), never inside another word ("民营口腔" names no
        营口, "医保定点" no 保定, "在渭南开个厂" no 南开)."""
        found = [w for w in self.region_words if w in text]
        if not found:
            return found
        starts, _ = word_bounds(text)
        return [
            w
            for w in found
            if any(
                i in starts or any(text.endswith(o, 0, i) for o in found if o != w)
                for i in (m.start() for m in re.finditer(re.escape(w), text))
            )
        ]

    def referral_in(self, norm: str) -> Referral | None:
        for entry in self.referrals:
            for keyword in entry.keywords:
                if contains(norm, normalise(keyword)):
                    return Referral(keyword, entry.department)
        return None

    def question_clauses(self, norm: str) -> tuple[str, ...]:
        """The clauses that ask something (a question word or mark); () when the text has a single clause."""
        clauses = [c for c in _CLAUSE_BREAK.split(norm) if c.strip()]
        if len(clauses) < 2:
            return ()
        return tuple(c for c in clauses if any(w in c for w in self.lexicon.question_words))

    def cue_hits(self, norm: str, clauses: tuple[str, ...] | None = None) -> list[CueHit]:
        """The aspect cues a (normalised) question uses, primary first; when the primary cue stands in a clause
        that asks nothing ("my registration expires next month. what do i need to renew it?"), what the asking
        clauses ask for."""
        clauses = self.question_clauses(norm) if clauses is None else clauses
        hits = self.cues.aspect_hits(norm)
        asked = self.cues.aspect_hits("，".join(clauses)) if clauses else []
        if asked and (not hits or hits[0].aspect not in {h.aspect for h in asked}):
            hits = asked
        return hits

    def told_not_asked(self, hits: list[CueHit], clauses: tuple[str, ...], predicted: Mapping[Aspect, float]) -> bool:
        """The cues stand only in clauses that ask nothing (no asking clause has a cue of its own), none carries a
        question word, and the learned head does not bear their aspect out: words of the citizen's story, not what
        is asked ("店子年底要关门了，以前办的那个证要交回去吗": 关门 tells why; "周末想去朋友的诊所帮忙，这样合规吗":
        周末 tells when). Without a head the cues stand."""
        if not hits or not clauses or not predicted or self.cues.aspect_hits("，".join(clauses)):
            return False
        limits = self.predictors.aspect_thresholds
        return not any(
            any(w in h.cue for w in self.lexicon.question_words)
            or predicted.get(h.aspect, 0.0) >= limits.get(h.aspect.value, ASPECT_THRESHOLD)
            for h in hits
        )

    def asks_something(self, norm: str) -> bool:
        """Whether a message carries a question word once a follow-up's frame (那…呢) is taken off: "那医师呢" and
        "我们公司注册在上海" ask nothing of their own; "找谁补", "节假日受理吗" do; so does an A-not-A question
        without a question word ("俺够不够格", "他能申请不": rule `a_not_a_asks`)."""
        rest = self._elliptical.sub("", norm)
        return any(contains(rest, w) for w in self.lexicon.question_words) or bool(_A_NOT_A.search(rest))

    def residue(self, norm: str) -> tuple[str, bool]:
        """What a question says beyond aspect/sub-item cues, generic words, places and filler; and whether
        it used a generic word. "那要多久？" leaves "", "医师呢？" leaves "医师", "那重庆江津呢？" leaves "". Only the
        places the text names are taken out (`named_places`): "民营口腔呢" keeps 营口, which it does not name."""
        places = self.named_places(norm)
        rest = norm
        for term in self._generic:
            rest = rest.replace(term, "\x00")
        generic = "\x00" in rest
        for cue in self._cue_words:
            rest = rest.replace(cue, "")
        for place in places:
            rest = rest.replace(place, "")
        if self._english_place is not None:
            rest = self._english_place.sub("", rest)
        rest = self._followup.sub("", rest.replace("\x00", ""))
        if self._filler_words is not None:
            rest = self._filler_words.sub("", rest)
        return self._filler.sub("", rest), generic

    def analyse(self, text: str, region_hint: str | None = None) -> Query:
        norm = normalise(text)
        clauses = self.question_clauses(norm)
        hits = self.cue_hits(norm, clauses)
        cue_aspects = tuple(h.aspect for h in hits)
        predicted_aspects = predict_aspects(self.predictors.aspects, text)
        if self.told_not_asked(hits, clauses, predicted_aspects):
            hits, cue_aspects = [], ()
        aspects, aspect_source = combine_aspects(
            cue_aspects,
            predicted_aspects,
            thresholds=self.predictors.aspect_thresholds,
            strategy=self.predictors.aspect_strategy,
            sure_thresholds=self.predictors.aspect_sure_thresholds,
            cue_word=hits[0].cue if hits else None,
            confirmed=self.predictors.confirmed_cues | self._firm_cues,
            contradicted=self.predictors.contradicted_cues,
        )
        if aspect_source == "predictor" and detect_language(text, norm) != "en" and not self.asks_something(norm):
            aspects, aspect_source = (), "none"  # the head's guess on a message that asks nothing of its own
        sub_item = self.cues.sub_item(norm)
        vague = bool(hits) and all(h.cue in self.lexicon.followup.vague_with_place for h in hits)
        if sub_item and vague:  # "证丢了咋办": what the case needs (补发's 遗失声明), then how it goes; also where
            aspects, aspect_source = SUB_ITEM_HOW, "cue"  # the head took the vague cue for another aspect
        policy = self.lexicon.policy_cues
        named = [c for c in policy.names if contains(norm, c)]
        named += [name for alias, name in policy.aliases.items() if contains(norm, alias) and name not in named]
        policy_names = tuple(dict.fromkeys(named))  # several aliases of one name count once
        policy_general = tuple(c for c in self.lexicon.policy_cues.general if contains(norm, c))
        referral = self.referral_in(norm)
        cue_kind = "other_department" if referral else None  # policy words alone are too broad for a kind
        predicted_kind = predict_kind(self.predictors.kind, text)
        kind, kind_source = combine_kind(cue_kind, predicted_kind)
        residue, generic = self.residue(norm)
        complains = any(contains(norm, w) for w in self.lexicon.complaint_words)
        asks_department = any(contains(norm, c) for c in self.lexicon.department_cues)
        asks = asks_something(norm, self.lexicon.question_words)
        hint = self.region_in(normalise(region_hint)) if region_hint else None
        query = Query(
            text=text,
            norm=norm,
            language=detect_language(text, norm),
            aspects=aspects,
            aspect_source=aspect_source,
            aspect_cues=tuple(h.cue for h in hits),
            aspect_probs=predicted_aspects,
            vague_aspect=vague,
            sub_item=sub_item,
            region=self.region_in(norm),
            region_hint=hint,
            policy_names=policy_names,
            policy_cues=policy_names + policy_general,
            ticket_numbers=tuple(find_numbers(text)),  # any plausible form (knowledge/ticket_numbers.py)
            referral=referral,
            complaint_target=self.targets.referral(norm) if complains else None,
            kind=kind,
            kind_source=kind_source,
            kind_probs=predicted_kind,
            item_probs=predict_items(self.predictors.item, text),
            confident_kinds=self.predictors.confident_kinds(predicted_kind),
            residue=residue,
            generic=generic,
            question_clauses=clauses,
            asks_department=asks_department,
            asks_which_department=self.department_questions.cue(norm) is not None,
            department_subject=self.department_questions.subject(norm),
            asks_human=self.asks_human(norm),
            asks_complaint_route=any(contains(norm, c) for c in self.lexicon.complaint_route_cues),
            asks=asks,
            refers_back=any(contains(norm, w) for w in self.lexicon.context_refs),
            complains=complains,
            asks_medical_advice=self.asks_medical_advice(norm, complains, asks_department),
            asks_ticket_status=self.asks_ticket_status(norm, asks),
            beyond_smalltalk=self.beyond_smalltalk(norm),
        )
        logger.debug("analysed %r: aspects=%s kind=%s", norm[:40], aspects, kind)
        return query
