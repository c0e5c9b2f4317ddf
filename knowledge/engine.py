"""The retrieval engine: finds the item, the guide and the aspect a question is about, and answers verbatim.

Signals, fused per item:
- dense: multilingual-e5 cosine of the question against every chunk, the item's best chunk;
- lexical: BM25 over jieba words and character bigrams (normalised text), scaled to the best hit;
- names: exact (or, for typos, bigram-fuzzy) mention of the item's name or an alias.
Then the decision: follow-up on the conversation's item, policy point, clarify, no answer, or answer;
within the item, the guide is chosen by sub-item, region, whether it states the asked field, and trust.
"""

from __future__ import annotations

import json
import logging
import re
from collections import defaultdict
from dataclasses import dataclass

from knowledge import texts
from knowledge.answer import Answer, Candidate, Choice, Context, ItemMatch, ItemRef
from knowledge.aspects import canonical_sub_item, cue_words, detect_aspect, detect_sub_item, sub_item_matches
from knowledge.catalog import Catalog
from knowledge.dense import DenseChannel
from knowledge.documents import field_text
from knowledge.lexical import BM25Channel, NameMatcher, Tokeniser
from knowledge.render import guide_sources, policy_sources, render_guide, render_policy
from knowledge.schema import Aspect, Guide, ServiceItem, Status, Trust
from knowledge.text_normalise import normalise

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Tuning:
    """Fusion weights and thresholds; measured in bench/ and evaluation/, see the README."""

    use_dense: bool = True
    use_lexical: bool = True
    use_names: bool = True
    w_lexical: float = 0.08
    w_names: float = 0.15
    no_answer_below: float = 0.965  # fused score of the best item, with no name mentioned
    clarify_margin: float = 0.012  # top two items this close, with no name mentioned → ask
    policy_bonus: float = 0.03  # added to policy points when the question asks about a policy
    followup_max_chars: int = 14


# Words that name a kind of thing rather than one item: a question made only of these is ambiguous.
GENERIC_TERMS = (
    "卫生许可证",
    "卫生许可",
    "许可证",
    "执业注册",
    "执业证",
    "注册",
    "备案",
    "审批",
    "许可",
    "证明",
    "登记",
    "办证",
    "证书",
    "证件",
    "证",
)
# Function words and punctuation: what is left of a question after these carries its subject.
_FILLER = re.compile(
    r"[我你要想办理申请请问一个怎么如何么样呢吗啊呀吧嘛的了需什些哪下这那去到在还有是多少几啥谁能可以会就都和跟对里儿得过又再也该应"
    r",.?!，。？！、 ]"
)
_POLICY_CUES = (
    "政策",
    "制度",
    "改革",
    "怎么回事",
    "什么意思",
    "是什么",
    "一件事",
    "告知承诺",
    "好差评",
    "12345",
    "一业一证",
    "免于提交",
    "跨省通办",
    "一网通办",
    "包容审慎",
    "双随机",
    "备案制",
    "证照分离",
    "办不成事",
    "营商环境",
    "承诺制",
    "电子证照",
)
_FOLLOWUP_STRIP = re.compile(r"^(那|那么|还有|那个|然后|再问一下|请问)|(呢|吗|啊|呀|嘞|的话|怎么样|如何)?[?？。!！]*$")


class Engine:
    def __init__(
        self,
        catalog: Catalog,
        dense: DenseChannel | None,
        *,
        helpline: str = "12345",
        region: str | None = None,
        tuning: Tuning | None = None,
    ) -> None:
        self.catalog = catalog
        self.dense = dense
        self.helpline = helpline
        self.region = region
        self.tuning = tuning or Tuning()
        names = [n for item in catalog.items for n in (item.name, *item.aliases)]
        self._tokeniser = Tokeniser(names)
        self._bm25 = BM25Channel([c.text for c in catalog.chunks], self._tokeniser)
        self._names = NameMatcher(catalog.items)
        self._chunk_pos = {c.id: n for n, c in enumerate(catalog.chunks)}
        self._cues = cue_words()

    # ---- scoring -------------------------------------------------------------------------------

    def _scores(self, question: str) -> tuple[dict[str, float], dict[str, float]]:
        """Fused scores per item code and per policy point id."""
        t = self.tuning
        chunks = self.catalog.chunks
        dense_chunk = [0.0] * len(chunks)
        if t.use_dense and self.dense is not None:
            for cid, score in self.dense.search(question, k=len(chunks)):
                dense_chunk[self._chunk_pos[cid]] = score
        lex_chunk = self._bm25.scores(question) if t.use_lexical else [0.0] * len(chunks)
        top_lex = max(lex_chunk) or 1.0
        item_dense: dict[str, float] = defaultdict(float)
        item_lex: dict[str, float] = defaultdict(float)
        point: dict[str, float] = defaultdict(float)
        for chunk, d, lx in zip(chunks, dense_chunk, lex_chunk, strict=True):
            lx = lx / top_lex
            if chunk.policy_id:
                point[chunk.policy_id] = max(point[chunk.policy_id], d + t.w_lexical * lx)
            elif chunk.item_code:
                item_dense[chunk.item_code] = max(item_dense[chunk.item_code], d)
                item_lex[chunk.item_code] = max(item_lex[chunk.item_code], lx)
        fused = {code: item_dense[code] + t.w_lexical * item_lex[code] for code in self.catalog.item_by_code}
        if not t.use_dense:  # lexical-only: the scaled BM25 is the whole score
            fused = {code: item_lex[code] for code in fused}
        return fused, dict(point)

    def _name_hits(self, question: str) -> dict[str, tuple[float, bool]]:
        if not self.tuning.use_names:
            return {}
        hits = {}
        for hit in self._names.match(question):
            if hit.name in GENERIC_TERMS:
                continue
            hits[hit.item_code] = (hit.score, hit.exact)
        return hits

    # ---- public API ----------------------------------------------------------------------------

    def match_item(self, text: str) -> ItemMatch:
        """Which item a free text names (for the complaint form), with the runners-up."""
        hits = self._name_hits(text)
        ranked = self._rank(text, hits)
        candidates = [self._candidate(code, score) for code, score in ranked[:3]]
        if not ranked:
            return ItemMatch(item=None, candidates=[])
        code, score = ranked[0]
        confident = code in hits or (
            score >= self.tuning.no_answer_below
            and (len(ranked) < 2 or score - ranked[1][1] >= self.tuning.clarify_margin)
        )
        return ItemMatch(item=self._ref(code) if confident else None, candidates=candidates)

    def ask(self, question: str, context: Context | None = None, region: str | None = None) -> Answer:
        """Answer one question; `context` is what the conversation established, `region` the user's
        region if the dialogue knows it (a region named in the question itself wins)."""
        context = context or Context()
        norm = normalise(question)
        region = self.catalog.region_in(norm) or (self.catalog.region_in(normalise(region)) if region else None)
        aspect_guess = detect_aspect(norm)
        sub_item = detect_sub_item(norm)
        hits = self._name_hits(norm)
        exact = {code: s for code, (s, is_exact) in hits.items() if is_exact}

        followup_item = self._followup_item(norm, context, exact)
        if followup_item is not None:
            aspect = aspect_guess.aspect or context.aspect or Aspect.overview
            if sub_item is None and followup_item == context.item_code:
                sub_item = context.sub_item
            return self._answer_item(followup_item, aspect, sub_item, region, confidence=0.9)

        ranked, points = self._rank_with_points(norm, hits)
        fused = dict(ranked)
        best_point = max(points.items(), key=lambda kv: kv[1], default=None)
        asks_policy = any(cue in norm for cue in _POLICY_CUES)
        aspect = aspect_guess.aspect or Aspect.overview

        if exact:
            code = max(exact, key=lambda c: (exact[c], fused.get(c, 0.0)))
            if best_point and asks_policy and aspect_guess.aspect is None:
                policy_score = best_point[1] + self.tuning.policy_bonus
                if policy_score >= fused.get(code, 0.0):
                    return self._answer_policy(best_point[0], policy_score)
            return self._answer_item(code, aspect, sub_item, region, confidence=self._confidence(fused[code], True))

        referral = self.catalog.referral_for(norm)
        if referral and not hits:
            return self._no_answer(question, ranked, referral)
        if self._is_generic(norm):
            chosen = self._context_resolves(context, ranked)
            if chosen:  # the conversation (or a clarify button) already says which item
                return self._answer_item(chosen, aspect, sub_item or context.sub_item, region, confidence=0.8)
            return self._clarify(ranked, norm, generic=True, aspect=aspect_guess.aspect)

        top_code, top = ranked[0]
        if best_point and asks_policy and best_point[1] + self.tuning.policy_bonus >= top:
            return self._answer_policy(best_point[0], best_point[1] + self.tuning.policy_bonus)
        fuzzy = hits.get(top_code)
        if top < self.tuning.no_answer_below and not fuzzy:
            if best_point and best_point[1] >= self.tuning.no_answer_below + self.tuning.policy_bonus:
                return self._answer_policy(best_point[0], best_point[1])
            return self._no_answer(question, ranked)
        if len(ranked) > 1 and top - ranked[1][1] < self.tuning.clarify_margin and not fuzzy:
            chosen = self._context_resolves(context, ranked)
            if chosen:
                return self._answer_item(chosen, aspect, sub_item or context.sub_item, region, confidence=0.8)
            return self._clarify(ranked, norm, generic=False, aspect=aspect_guess.aspect)
        return self._answer_item(top_code, aspect, sub_item, region, confidence=self._confidence(top, bool(fuzzy)))

    # ---- decisions -----------------------------------------------------------------------------

    def _rank(self, question: str, hits: dict[str, tuple[float, bool]] | None = None) -> list[tuple[str, float]]:
        return self._rank_with_points(question, hits)[0]

    def _rank_with_points(
        self, question: str, hits: dict[str, tuple[float, bool]] | None = None
    ) -> tuple[list[tuple[str, float]], dict[str, float]]:
        fused, points = self._scores(question)
        hits = self._name_hits(question) if hits is None else hits
        for code, (score, _) in hits.items():
            fused[code] = fused.get(code, 0.0) + self.tuning.w_names * score
        return sorted(fused.items(), key=lambda kv: -kv[1]), points

    def _residue(self, norm: str) -> tuple[str, bool]:
        """What a question says beyond aspect/sub-item cues, generic words and filler; and whether it
        used a generic word. "那要多久？" leaves "", "医师呢？" leaves "医师", "养犬登记怎么办" "养犬登记";
        place names are context, not subject ("那重庆江津呢？" leaves "")."""
        rest = norm
        for term in GENERIC_TERMS:
            rest = rest.replace(term, "\x00")
        generic = "\x00" in rest
        for cue in self._cues:
            rest = rest.replace(cue, "")
        for place in self.catalog.region_words:  # "那重庆江津呢？" asks the same thing for another region
            rest = rest.replace(place, "")
        rest = _FOLLOWUP_STRIP.sub("", rest.replace("\x00", ""))
        return _FILLER.sub("", rest), generic

    def _followup_item(self, norm: str, context: Context, exact: dict[str, float]) -> str | None:
        """The item a short follow-up ("那要多久？", "医师呢？") is about, or None if it is a new question."""
        if not context.item_code or context.item_code not in self.catalog.item_by_code:
            return None
        if len(norm) > self.tuning.followup_max_chars:
            return None
        if exact:
            return max(exact, key=lambda c: exact[c])
        rest, _ = self._residue(norm)
        if len(rest) <= 1:
            return context.item_code
        # "医师呢": a fragment of another item's name switches the item and keeps the aspect.
        named = [i.code for i in self.catalog.items if any(rest in normalise(n) for n in (i.name, *i.aliases))]
        if named:
            if context.item_code in named:
                return context.item_code
            ranked = dict(self._rank(norm))
            return max(named, key=lambda c: ranked.get(c, 0.0))
        # "要带身份证吗": words the current item's guides use keep the conversation on it.
        if any(rest in c.text for c in self.catalog.chunks if c.item_code == context.item_code):
            return context.item_code
        return None  # "养犬登记怎么办": a new question

    def _is_generic(self, norm: str) -> bool:
        """True when the question names only a kind of thing ("许可证", "注册") and what it wants to know."""
        rest, generic = self._residue(norm)
        return generic and rest == ""

    def _confidence(self, fused: float, named: bool) -> float:
        base = (fused - self.tuning.no_answer_below) / 0.15
        return round(max(0.0, min(1.0, 0.5 + base + (0.3 if named else 0.0))), 3)

    # ---- answers -------------------------------------------------------------------------------

    def _ref(self, code: str) -> ItemRef:
        item = self.catalog.item_by_code[code]
        return ItemRef(code=item.code, name=item.name)

    def _candidate(self, code: str, score: float) -> Candidate:
        return Candidate(code=code, name=self.catalog.item_by_code[code].name, score=round(score, 4))

    @staticmethod
    def _payload(item_code: str, sub_item: str | None = None) -> str:
        entities = {"item_code": item_code}
        if sub_item:
            entities["sub_item"] = sub_item
        return "/ask_item" + json.dumps(entities, ensure_ascii=False)

    @staticmethod
    def _context_resolves(context: Context, ranked: list[tuple[str, float]]) -> str | None:
        """The context item, when it is among the few items an ambiguous question could mean."""
        if context.item_code and context.item_code in [code for code, _ in ranked[:6]]:
            return context.item_code
        return None

    def _clarify(
        self, ranked: list[tuple[str, float]], norm: str, *, generic: bool, aspect: Aspect | None = None
    ) -> Answer:
        if generic:
            # Prefer items whose name carries the generic word the question used.
            used = [t for t in GENERIC_TERMS if t in norm]
            named = [(c, s) for c, s in ranked if any(t in self.catalog.item_by_code[c].name for t in used[:1])]
            ranked = named + [pair for pair in ranked if pair not in named]
        top = ranked[:4]
        return Answer(
            kind="clarify",
            aspect=aspect,
            text=texts.CLARIFY,
            choices=[Choice(title=self.catalog.item_by_code[c].name, payload=self._payload(c)) for c, _ in top],
            candidates=[self._candidate(c, s) for c, s in top],
            confidence=0.0,
        )

    def _no_answer(
        self, question: str, ranked: list[tuple[str, float]], referral: tuple[str, str] | None = None
    ) -> Answer:
        shown = question.strip()[:30]
        text = texts.NO_ANSWER.format(question=shown)
        if referral:
            text += texts.REFERRAL.format(keyword=referral[0], department=referral[1])
        text += texts.NO_ANSWER_HINT.format(helpline=self.helpline)
        return Answer(
            kind="no_answer", text=text, candidates=[self._candidate(c, s) for c, s in ranked[:3]], confidence=0.0
        )

    def _answer_policy(self, point_id: str, score: float) -> Answer:
        doc, point = self.catalog.point_by_id[point_id]
        item = (
            self._ref(point.related_items[0])
            if point.related_items
            else ItemRef(code=f"policy:{point.id}", name=point.topic)
        )
        return Answer(
            kind="answer",
            item=item,
            policy_id=point.id,
            aspect=Aspect.overview,
            confidence=self._confidence(score, False),
            text=render_policy(doc, point),
            sources=policy_sources(doc),
            region=doc.region,
            last_verified=doc.last_verified.isoformat(),
        )

    def _answer_item(
        self, code: str, aspect: Aspect, sub_item: str | None, region: str | None, *, confidence: float
    ) -> Answer:
        item = self.catalog.item_by_code[code]
        guide = self.choose_guide(item, aspect, sub_item, region)
        others = self._other_sub_items(item, guide)
        text = render_guide(
            item,
            guide,
            aspect,
            helpline=self.helpline,
            deployment_region=self.region,
            other_sub_items=[name for name, _ in others],
        )
        choices = [
            Choice(title=f"{item.name}（{name}）", payload=self._payload(code, canonical)) for name, canonical in others
        ]
        return Answer(
            kind="answer",
            item=ItemRef(code=item.code, name=item.name),
            guide_id=guide.id,
            sub_item=canonical_sub_item(guide.sub_item),
            aspect=aspect,
            confidence=confidence,
            text=text,
            choices=choices,
            sources=guide_sources(guide),
            region=guide.region,
            last_verified=guide.last_verified.isoformat(),
        )

    def choose_guide(self, item: ServiceItem, aspect: Aspect, sub_item: str | None, region: str | None) -> Guide:
        def rank(guide: Guide) -> float:
            score = 0.0
            if sub_item and sub_item_matches(guide.sub_item, sub_item):
                score += 8
            elif not sub_item and sub_item_matches(guide.sub_item, "首次"):
                score += 1.5
            if region and region in guide.region:
                score += 4
            if self.region and self.region in guide.region:
                score += 3
            if aspect is not Aspect.overview and field_text(guide, aspect):
                score += 2.5
            if guide.national:
                score += 1
            if guide.status is Status.active:
                score += 1
            else:
                score -= 3
            if any(s.trust is Trust.official for s in guide.sources):
                score += 0.5
            elif all(s.trust is Trust.weak for s in guide.sources):
                score -= 0.5
            return score

        return max(item.guides, key=rank)

    @staticmethod
    def _other_sub_items(item: ServiceItem, chosen: Guide) -> list[tuple[str, str]]:
        """Other sub-item kinds of this item (label, canonical), for buttons."""
        out: list[tuple[str, str]] = []
        for canonical in ("首次", "延续", "变更", "注销", "补发", "换发"):
            if sub_item_matches(chosen.sub_item, canonical):
                continue
            for guide in item.guides:
                if guide.sub_item and sub_item_matches(guide.sub_item, canonical):
                    label = re.sub(r"（[^）]*）", "", guide.sub_item).strip() or canonical
                    if len(label) > 8:
                        label = canonical
                    out.append((label, canonical))
                    break
        return out
