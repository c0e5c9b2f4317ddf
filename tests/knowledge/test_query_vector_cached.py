"""`knowledge.service.query_vector_cached`: whether gating or answering a text needs an e5 forward pass,
read from the live engine's query cache (`QueryCachingEmbedder.has`) without touching the model."""

from __future__ import annotations

from typing import Any

import numpy as np

from knowledge import service
from knowledge.embedding.embedders import HashingEmbedder
from knowledge.learned.predictors import QueryCachingEmbedder, prepare


class CountingEmbedder(HashingEmbedder):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def embed_queries(self, texts: Any) -> np.ndarray:
        self.calls += 1
        return super().embed_queries(texts)


def test_the_cache_is_asked_without_calling_the_model() -> None:
    inner = CountingEmbedder()
    cache = QueryCachingEmbedder(inner, size=2)
    assert not cache.has("护士注册")
    cache.embed_queries(["护士注册"])
    assert cache.has("护士注册") and inner.calls == 1
    cache.embed_queries(["a"])
    cache.embed_queries(["b"])  # the oldest falls out of a cache of 2
    assert not cache.has("护士注册") and inner.calls == 3


def test_query_vector_cached_follows_the_live_engines_cache(fake_engine: Any) -> None:
    class Dense:
        embedder = QueryCachingEmbedder(CountingEmbedder())

    class Engine:
        dense = Dense()

    try:
        service.reset()
        assert not service.query_vector_cached("护士执业注册需要什么材料")  # no engine yet
        service.swap(service.LiveEngine(Engine(), 1, "h"))  # type: ignore[arg-type]
        text = " 護士執業註冊需要什麼材料？ "
        assert not service.query_vector_cached(text)
        Dense.embedder.embed_queries([prepare(text)])  # what the gate and the dense channel embed
        assert service.query_vector_cached(text)
        assert service.query_vector_cached("护士执业注册需要什么材料?")  # the same text once normalised
        assert not service.query_vector_cached("医师资格证怎么考")
        service.swap(service.LiveEngine(fake_engine, 2, "h"))  # a dense channel without a query cache
        assert not service.query_vector_cached(text)
    finally:
        service.reset()
