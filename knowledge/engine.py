"""The knowledge engine: four stages with typed values between them.

    analyse (knowledge/query)     question → Query      normalise, language, aspects, sub-item, region, cues
    retrieve (knowledge/retrieve) Query → Scores        dense e5, BM25, names; fused per item and policy point
    decide (knowledge/decide)     Query+Scores → Decision  named rules, first that decides wins
    compose (knowledge/compose)   Decision → Answer     the guide's own words; choices as data

The engine only wires the stages; each can be used and tested on its own.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from dataclasses import dataclass

from knowledge.answer import Answer, Candidate, Context, ItemMatch, ItemRef
from knowledge.catalog import Catalog
from knowledge.compose.answer import Composer
from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.meaning_rank import rank_by_meaning
from knowledge.decide.model import Decision
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.tuning import Tuning
from knowledge.faq import NameStripper, faq_entries
from knowledge.places import Places, load_places
from knowledge.query.analyse import Analyser
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import Lexicon, load_lexicon
from knowledge.query.model import Query
from knowledge.query.not_held import NotHeld, load_not_held
from knowledge.query.predictors import Predictors
from knowledge.retrieve.bm25 import BM25Scorer, Tokeniser
from knowledge.retrieve.dense import DenseChannel, DenseScorer
from knowledge.retrieve.faq import FaqScorer
from knowledge.retrieve.fuse import Retriever
from knowledge.retrieve.names import NamesScorer
from knowledge.retrieve.protocol import Channel, Scores
from knowledge.schema import Aspect, Guide, ServiceItem

logger = logging.getLogger(__name__)

__all__ = ["Engine", "Trace", "Tuning"]


@dataclass(frozen=True)
class Trace:
    """What each stage computed for one question (the console's hit test shows it)."""

    query: Query
    scores: Scores
    decision: Decision
    answer: Answer


class RecentQueries:
    """The last `size` analyses by (question, region), shared by the threads of one process. An analysis
    is reused only by the same analyser with the same predictors (`evaluation/bank/measure.py` swaps them)."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._kept: OrderedDict[tuple[str, str | None], tuple[object, Query]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, analyser: Analyser, question: str, region: str | None) -> Query:
        key, made_by = (question, region), analyser.predictors
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None and kept[0] is made_by:
                self._kept.move_to_end(key)
                return kept[1]
        query = analyser.analyse(question, region)
        with self._lock:
            self._kept[key] = (made_by, query)
            self._kept.move_to_end(key)
            while len(self._kept) > self._size:
                self._kept.popitem(last=False)
        return query

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()


class Engine:
    def __init__(
        self,
        catalog: Catalog,
        dense: DenseChannel | None,
        *,
        helpline: str = "12345",
        region: str | None = None,
        tuning: Tuning | None = None,
        lexicon: Lexicon | None = None,
        predictors: Predictors | None = None,
        dense_top_k: int = 500,
        places: Places | None = None,
        not_held: NotHeld | None = None,
    ) -> None:
        self.catalog = catalog
        self.dense = dense
        self.helpline = helpline
        self.region = region
        self.tuning = t = tuning or Tuning()
        self.lexicon = lexicon or load_lexicon()
        cues = CueMatcher(self.lexicon)
        self.places = places or load_places()
        known = [*catalog.region_words, *self.places.names]  # places.yaml: every province, city and district
        self.analyser = Analyser(
            self.lexicon,
            region_words=list(dict.fromkeys(known)),
            referrals=catalog.referrals,
            predictors=predictors,
            english_places=self.places.english,
            places=self.places,
        )
        channels: list[Channel] = []
        if t.use_dense and dense is not None:
            channels.append(DenseScorer(dense, catalog.chunks, top_k=dense_top_k))
        if t.use_lexical:
            names = [n for item in catalog.items for n in (item.name, *item.aliases)]
            channels.append(BM25Scorer(catalog.chunks, Tokeniser(names)))
        if t.use_names:
            channels.append(NamesScorer(catalog.items, self.lexicon.generic_terms, self.lexicon.filler.chars))
        entries = faq_entries(catalog.items)
        if t.use_faq and dense is not None and entries:  # question against FAQ question (knowledge/faq.py)
            names = [n for item in catalog.items for n in (item.name, *item.aliases)]
            with_faq = {e.item_code for e in entries}
            faq_names = [n for item in catalog.items if item.code in with_faq for n in (item.name, *item.aliases)]
            channels.append(FaqScorer(entries, dense.embedder, NameStripper(names), faq_names))
        self.retriever = Retriever(channels, list(catalog.item_by_code), w_lexical=t.w_lexical, w_names=t.w_names)
        self.selector = GuideSelector(cues, deployment_region=region, places=self.places)
        self.facts = Facts(
            catalog,
            self.selector,
            t,
            self.lexicon.generic_terms,
            self.lexicon.document_verbs,
            not_held or load_not_held(),
        )
        self.composer = Composer(
            catalog,
            self.selector,
            helpline=helpline,
            deployment_region=region,
            question_words=self.lexicon.question_words,
            embedder=dense.embedder if dense is not None and t.use_dense else None,
            levels=self.lexicon.levels,
            details=self.lexicon.detail_words,
        )
        self._recent = RecentQueries()

    def set_predictors(self, predictors: Predictors) -> None:
        """Hand the analyse stage learned predictors (knowledge/service.py wires them when available)."""
        self.analyser.predictors = predictors
        self._recent.clear()

    # ---- the stages, one by one (for the evaluation and calibration tools) -----------------------

    def analyse(self, question: str, region: str | None = None) -> Query:
        """The question's `Query`. A chat turn analyses its question twice in one process (the gateway's
        gate, then `/api/search`), so the last few are kept (`RecentQueries`): the same text and region
        always give the same `Query` while the analyser is unchanged."""
        return self._recent.get(self.analyser, question, region)

    def retrieve(self, query: Query) -> Scores:
        """The fused scores, the dense channel's lead added for ranking only (`decide/meaning_rank.py`)."""
        return rank_by_meaning(self.retriever.retrieve(query), query, self.tuning)

    # ---- public API ----------------------------------------------------------------------------

    def ask(self, question: str, context: Context | None = None, region: str | None = None) -> Answer:
        """Answer one question; `context` is what the conversation established, `region` the user's
        region if the dialogue knows it (a region named in the question itself wins)."""
        return self.trace(question, context, region).answer

    def trace(self, question: str, context: Context | None = None, region: str | None = None) -> Trace:
        """`ask`, keeping every stage's output."""
        query = self.analyse(question, region)
        scores = self.retrieve(query)
        decision = decide(Situation(query, scores, context or Context()), self.facts)
        logger.info(
            "rule=%s kind=%s item=%s aspects=%s", decision.rule, decision.kind, decision.item_code, decision.aspects
        )
        return Trace(query, scores, decision, self.composer.compose(decision, query, scores))

    def match_item(self, text: str) -> ItemMatch:
        """Which item a free text names (for the complaint form), with the runners-up."""
        scores = self.retrieve(self.analyse(text))
        ranked = scores.ranked
        candidates = [
            Candidate(code=c, name=self.catalog.item_by_code[c].name, score=round(s, 4)) for c, s in ranked[:3]
        ]
        if not ranked:
            return ItemMatch(item=None, candidates=[])
        code, score = ranked[0]
        t = self.tuning
        confident = code in scores.named or (
            score >= t.no_answer_below and (len(ranked) < 2 or score - ranked[1][1] >= t.clarify_margin)
        )
        item = self.catalog.item_by_code[code]
        return ItemMatch(item=ItemRef(code=code, name=item.name) if confident else None, candidates=candidates)

    def choose_guide(self, item: ServiceItem, aspect: Aspect, sub_item: str | None, region: str | None) -> Guide:
        return self.selector.choose(item, aspect, sub_item, region)
