"""The FAQ channel: how closely a question asks what a FAQ entry's question asks.

Both are compared without the item names they share ("出生证明上宝宝的名字有什么要求" against "《出生医学证明》上
新生儿姓名有什么要求，可以更改吗？" compares "上宝宝的名字有什么要求" with "上新生儿姓名有什么要求,可以更改吗?"),
as e5 queries (question against question, a symmetric comparison). With the names left in, every question
about an item scores high against every FAQ entry of that item. The entries' vectors are computed once per
engine; a question costs one embedding, served by the query cache when it names no item.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from knowledge.faq import FaqEntry, NameStripper
from knowledge.query.model import Query
from knowledge.retrieve.protocol import ChannelScores
from knowledge.text_normalise import normalise

if TYPE_CHECKING:
    from knowledge.embedding.embedders import Embedder

logger = logging.getLogger(__name__)


class FaqScorer:
    """Cosine of the question's words beyond item names with each FAQ entry's question's, behind `Channel`."""

    name = "faq"

    def __init__(self, entries: Sequence[FaqEntry], embedder: Embedder, stripper: NameStripper) -> None:
        self.ids = [e.id for e in entries]
        self.embedder = embedder
        self.stripper = stripper
        texts = [self.asked(normalise(e.faq.question)) for e in entries]
        self._vectors = embedder.embed_queries(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)

    def asked(self, norm: str) -> str:
        """What a normalised question asks beyond the item names (the whole question when that leaves nothing)."""
        return self.stripper.strip(norm) or norm

    def score(self, query: Query) -> ChannelScores:
        if not self.ids:
            return ChannelScores()
        vec = self.embedder.embed_queries([self.asked(query.norm)])[0]
        sims = self._vectors @ vec
        return ChannelScores(faqs=dict(zip(self.ids, sims.astype(float).tolist(), strict=True)))
