"""The FAQ channel: how closely a question asks what a FAQ entry's question asks.

Both are compared without the item names they share ("出生证明上宝宝的名字有什么要求" against "《出生医学证明》上
新生儿姓名有什么要求，可以更改吗？" compares "上宝宝的名字有什么要求" with "上新生儿姓名有什么要求,可以更改吗?"),
as e5 queries (question against question, a symmetric comparison). With the names left in, every question
about an item scores high against every FAQ entry of that item. The entries' vectors are computed once per
engine; a question costs one embedding, served by the query cache when it names no item. That embedding is
made only when a rule reads a score (`LazyFaqScores`): the `faq` rule reads them only for an answer about an
item that has FAQ entries (5 of 30 items), so most questions never pay for it (a second e5 forward pass when
the question names an item; `docs/design/speed.md`, round 5).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from knowledge.faq import FaqEntry, NameStripper
from knowledge.query.model import Query
from knowledge.retrieve.protocol import ChannelScores
from knowledge.text_normalise import normalise

if TYPE_CHECKING:
    from knowledge.embedding.embedders import Embedder

logger = logging.getLogger(__name__)


class LazyFaqScores(Mapping[str, float]):
    """FAQ entry id -> score, computed on the first read (any read: a lookup, iteration or the length)."""

    def __init__(self, compute: Callable[[], dict[str, float]]) -> None:
        self._compute: Callable[[], dict[str, float]] | None = compute
        self._scores: dict[str, float] = {}
        self._lock = threading.Lock()

    @property
    def computed(self) -> bool:
        """Whether the scores have been computed (the question embedded)."""
        return self._compute is None

    def _get(self) -> dict[str, float]:
        with self._lock:
            if self._compute is not None:
                self._scores = self._compute()
                self._compute = None
            return self._scores

    def __getitem__(self, entry_id: str) -> float:
        return self._get()[entry_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._get())

    def __len__(self) -> int:
        return len(self._get())

    def __repr__(self) -> str:
        return repr(self._get()) if self.computed else "LazyFaqScores(<not computed>)"


class FaqScorer:
    """Cosine of the question's words beyond item names with each FAQ entry's question's, behind `Channel`."""

    name = "faq"

    def __init__(
        self,
        entries: Sequence[FaqEntry],
        embedder: Embedder,
        stripper: NameStripper,
        faq_item_names: Sequence[str] = (),
    ) -> None:
        self.ids = [e.id for e in entries]
        self.embedder = embedder
        self.stripper = stripper
        self._faq_item_names = sorted({n for n in (normalise(name) for name in faq_item_names) if len(n) >= 2})
        texts = [self.asked(normalise(e.faq.question)) for e in entries]
        self._vectors = embedder.embed_queries(texts) if texts else np.zeros((0, embedder.dim), dtype=np.float32)

    def asked(self, norm: str) -> str:
        """What a normalised question asks beyond the item names (the whole question when that leaves nothing)."""
        return self.stripper.strip(norm) or norm

    def may_embed(self, norm: str) -> bool:
        """Whether answering the normalised question may make the channel embed (an e5 forward pass): it names an
        item that has FAQ entries (the `faq` rule reads scores for such an answer), its words beyond the names
        differ from the question (which the gate embedded) and the query cache does not hold them. A question
        decided for such an item without naming it pays a forward pass this does not foresee (rare)."""
        if not self.ids or not any(name in norm for name in self._faq_item_names):
            return False
        asked = self.asked(norm)
        has = getattr(self.embedder, "has", None)  # QueryCachingEmbedder
        return asked != norm and not (callable(has) and has(asked))

    def scores(self, norm: str) -> dict[str, float]:
        """Every entry's score for a normalised question (one e5 query embedding, or the query cache's)."""
        vec = self.embedder.embed_queries([self.asked(norm)])[0]
        sims = self._vectors @ vec
        return dict(zip(self.ids, sims.astype(float).tolist(), strict=True))

    def score(self, query: Query) -> ChannelScores:
        if not self.ids:
            return ChannelScores()
        norm = query.norm
        return ChannelScores(faqs=LazyFaqScores(lambda: self.scores(norm)))
