"""The two predictors the analyse stage accepts (`LabelPredictor`): question kind and asked aspects.

Both share one small embedding cache, so asking both about the same text embeds it once.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from pathlib import Path

import numpy as np

from knowledge.embedding.embedders import Embedder
from knowledge.learned.linear import LinearHead
from knowledge.learned.store import Heads, load_or_train

logger = logging.getLogger(__name__)

MAX_CHARS = 2000


class CachedQueryEmbedder:
    """The embedder's query vectors for recent texts (the same question is asked by several stages)."""

    def __init__(self, embedder: Embedder, size: int = 256) -> None:
        self._embedder = embedder
        self._size = size
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def vector(self, text: str) -> np.ndarray:
        key = text.strip()[:MAX_CHARS]
        with self._lock:
            if key in self._cache:
                self._cache.move_to_end(key)
                return self._cache[key]
        vec = self._embedder.embed_queries([key])[0]
        with self._lock:
            self._cache[key] = vec
            while len(self._cache) > self._size:
                self._cache.popitem(last=False)
        return vec


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


def build_predictors(heads: Heads, embedder: Embedder) -> tuple[HeadPredictor, HeadPredictor]:
    """(kind predictor, aspect predictor) sharing one embedding cache."""
    embed = CachedQueryEmbedder(embedder)
    return HeadPredictor(heads.kind, embed), HeadPredictor(heads.aspects, embed)


def load_predictors(embedder: Embedder, training_file: Path, folder: Path) -> tuple[HeadPredictor, HeadPredictor]:
    heads = load_or_train(embedder, training_file, folder / embedder.name)
    return build_predictors(heads, embedder)


def top(prediction: dict[str, float]) -> tuple[str | None, float]:
    """The most probable label and its probability (None, 0.0 for an empty prediction)."""
    if not prediction:
        return None, 0.0
    label = max(prediction, key=lambda k: prediction[k])
    return label, prediction[label]
