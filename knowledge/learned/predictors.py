"""The two predictors the analyse stage accepts (`LabelPredictor`): question kind and asked aspects.

Texts are normalised as the engine normalises questions (NFKC, traditional to simplified, lower case)
before embedding, in training and in prediction. `QueryCachingEmbedder` keeps recent single-question
vectors, so the gate in the chat gateway, both predictors and the engine's dense channel embed one
question once.
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from knowledge.embedding.embedders import Embedder
from knowledge.learned.kind_features import MAX_CHARS, featurize, prepare
from knowledge.learned.kind_head import KindHead
from knowledge.learned.linear import LinearHead
from knowledge.learned.store import Heads, load_or_train

logger = logging.getLogger(__name__)

__all__ = ["MAX_CHARS", "prepare"]


class QueryCachingEmbedder:
    """An `Embedder` that keeps the vectors of recent single questions (LRU); everything else passes."""

    def __init__(self, inner: Embedder, size: int = 256) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if isinstance(texts, str) or len(texts) != 1:
            return self.inner.embed_queries(texts)
        key = texts[0]
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key][None, :]
        vec = self.inner.embed_queries([key])[0]
        with self._lock:
            self._cache[key] = vec
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vec[None, :]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self.inner.embed_passages(texts)

    def has(self, text: str) -> bool:
        """Whether `embed_queries([text])` would be answered from the cache (no model call)."""
        with self._lock:
            return text in self._cache


def with_query_cache(embedder: Embedder) -> Embedder:
    return embedder if isinstance(embedder, QueryCachingEmbedder) else QueryCachingEmbedder(embedder)


class CachedQueryEmbedder:
    """A question's vector as the predictors see it: normalised, truncated, through the query cache."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = with_query_cache(embedder)

    def vector(self, text: str) -> np.ndarray:
        return self._embedder.embed_queries([prepare(text)])[0]

    def prepared(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors of texts already prepared, one by one through the query cache."""
        return np.vstack([self._embedder.embed_queries([t]) for t in texts])


class HeadPredictor:
    """A `LabelPredictor` over one linear head."""

    def __init__(self, head: LinearHead, embed: CachedQueryEmbedder) -> None:
        self._head = head
        self._embed = embed

    @property
    def labels(self) -> tuple[str, ...]:
        return self._head.labels

    def predict(self, text: str) -> dict[str, float]:
        if not text.strip():
            return {}
        probs = self._head.probabilities(self._embed.vector(text)[None, :])[0]
        return {label: float(p) for label, p in zip(self._head.labels, probs, strict=True)}


class KindHeadPredictor:
    """The kind head over its feature map (`kind_features.py`: the message's vector, its asking part's, and its
    neighbours among the training questions), named in the heads' manifest so that prediction builds what
    training built."""

    RECENT = 64

    def __init__(self, head: KindHead, embed: CachedQueryEmbedder, question_words: Sequence[str] = ()) -> None:
        self._head = head
        self._embed = embed
        self._question_words = tuple(question_words)
        # The last predictions by text: a turn asks twice for the same message (the gate's verdict, then the
        # engine's analysis of it), and the neighbour features are the costly part (a product with every
        # training question's vector). The head and its references never change for this predictor.
        self._recent = functools.lru_cache(maxsize=self.RECENT)(self._compute)

    @property
    def labels(self) -> tuple[str, ...]:
        return self._head.labels

    @property
    def head(self) -> KindHead:
        return self._head

    @property
    def embed(self) -> CachedQueryEmbedder:
        """The question vectors it reads (shared with the other heads: one embedding per question)."""
        return self._embed

    def predict(self, text: str) -> dict[str, float]:
        if not text.strip():
            return {}
        return dict(self._recent(text))  # a copy: a caller changing it changes nothing kept

    def _compute(self, text: str) -> dict[str, float]:
        base = featurize(self._head.features, [text], self._embed.prepared, self._question_words)
        probs = self._head.probabilities(base)[0]
        return {label: float(p) for label, p in zip(self._head.labels, probs, strict=True)}


def build_predictors(heads: Heads, embedder: Embedder) -> tuple[KindHeadPredictor, HeadPredictor]:
    """(kind predictor, aspect predictor) sharing one embedding cache."""
    from knowledge.learned.store import question_words

    embed = CachedQueryEmbedder(embedder)
    return KindHeadPredictor(heads.kind, embed, question_words()), HeadPredictor(heads.aspects, embed)


def load_predictors(
    embedder: Embedder, training_file: Path, folder: Path, hand_folder: Path | None = None
) -> tuple[KindHeadPredictor, HeadPredictor]:
    heads = load_or_train(embedder, training_file, folder / embedder.name, hand_folder)
    return build_predictors(heads, embedder)


def top(prediction: dict[str, float]) -> tuple[str | None, float]:
    """The most probable label and its probability (None, 0.0 for an empty prediction)."""
    if not prediction:
        return None, 0.0
    label = max(prediction, key=lambda k: prediction[k])
    return label, prediction[label]
