"""Fusion: a weighted sum of the channels' item and point scores → `Scores`.

item = dense + w_lexical · bm25 + w_names · names; point = dense + w_lexical · bm25. Without the dense channel the
scaled BM25 is the whole score. The weights live in `knowledge.decide.tuning.Tuning`.

The dense channel's best item and its lead over the dense runner-up (`meaning_lead`) are recorded beside the fused
scores, not added to them. Round 12 added the lead to the fused score (BM25 is scaled so the question's best chunk
scores 1 however common the words it shares — 医院, 证明, 手续 — so w_lexical · 1 outweighs a dense lead of
0.01–0.02 for an item the citizen describes without naming it); that lifted weak matches past the no-answer
threshold too. Round 13: the decision stage adds it for ranking only (`knowledge/decide/meaning_rank.py`).
"""

from __future__ import annotations

import heapq
import logging
from collections.abc import Mapping, Sequence
from operator import itemgetter

import numpy as np

from knowledge.query.model import Query
from knowledge.retrieve.protocol import Channel, ChannelScores, ItemScores, Scores

logger = logging.getLogger(__name__)


class Retriever:
    def __init__(
        self,
        channels: Sequence[Channel],
        item_codes: Sequence[str],
        *,
        w_lexical: float,
        w_names: float,
    ) -> None:
        self.channels = list(channels)
        self.item_codes = list(item_codes)
        self.w_lexical = w_lexical
        self.w_names = w_names

    def retrieve(self, query: Query) -> Scores:
        views = {ch.name: ch.score(query) for ch in self.channels}
        return fuse(views, self.item_codes, w_lexical=self.w_lexical, w_names=self.w_names)


def meaning_lead(dense: Mapping[str, float]) -> tuple[str, float] | None:
    """The dense channel's best item and its lead over the dense runner-up (0 on a tie; None without scores)."""
    if isinstance(dense, ItemScores):
        if not len(dense.codes):
            return None
        vector = dense.vector
        best = int(np.argmax(vector))
        runner_up = float(np.max(np.delete(vector, best))) if len(vector) > 1 else 0.0
        return dense.codes[best], float(vector[best]) - runner_up
    if not dense:
        return None
    ranked = heapq.nlargest(2, dense.items(), key=itemgetter(1))
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][0], ranked[0][1] - runner_up


def fuse(
    views: dict[str, ChannelScores],
    item_codes: Sequence[str],
    *,
    w_lexical: float,
    w_names: float,
) -> Scores:
    dense = views.get("dense", ChannelScores())
    lexical = views.get("bm25", ChannelScores())
    names = views.get("names", ChannelScores())
    if "dense" in views and _aligned(dense, lexical, item_codes):
        assert isinstance(dense.items, ItemScores) and isinstance(lexical.items, ItemScores)
        fused = dense.items.vector + w_lexical * lexical.items.vector
        items = dict(zip(item_codes, fused.tolist(), strict=True))
    elif "dense" in views:
        items = {c: dense.items.get(c, 0.0) + w_lexical * lexical.items.get(c, 0.0) for c in item_codes}
    else:
        items = {c: lexical.items.get(c, 0.0) for c in item_codes}
    for code, score in names.items.items():
        items[code] = items.get(code, 0.0) + w_names * score
    lead = meaning_lead(dense.items) if "dense" in views else None
    point_ids = set(dense.points) | set(lexical.points)
    points = {p: dense.points.get(p, 0.0) + w_lexical * lexical.points.get(p, 0.0) for p in point_ids}
    faqs = views["faq"].faqs if "faq" in views else {}
    return Scores(
        items=items,
        points=points,
        named=dict(names.items),
        exact=names.exact,
        faqs=faqs,
        channels=views,
        meaning_lead=lead if lead is not None and lead[0] in items else None,
    )


def _aligned(dense: ChannelScores, lexical: ChannelScores, item_codes: Sequence[str]) -> bool:
    """Both channels score every item as one array in the order of `item_codes` (then fusion adds them:
    the same sums as the dict comprehension, in numpy)."""
    if not (isinstance(dense.items, ItemScores) and isinstance(lexical.items, ItemScores)):
        return False
    return dense.items.codes == lexical.items.codes and lexical.items.codes == item_codes
