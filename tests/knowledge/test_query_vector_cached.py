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


def test_answer_runs_no_model_foresees_the_faq_channels_embedding(catalog: Any, tmp_path: Any) -> None:
    """`/api/search` answers on its event loop only when no forward pass is left: the gate's vector is cached and
    the FAQ channel will not embed the question's words beyond an item name (it does, lazily, for an answer about
    an item with FAQ entries)."""
    from knowledge.engine import Engine
    from knowledge.retrieve.dense import DenseChannel

    inner = CountingEmbedder()
    cache = QueryCachingEmbedder(inner)
    engine = Engine(catalog, DenseChannel.open(catalog.chunks, cache, tmp_path), helpline="12345")
    try:
        service.reset()
        service.swap(service.LiveEngine(engine, 1, "h"))
        with_faq, without_faq, no_item = "婚检怎么预约", "护士执业注册需要什么材料", "周末可以办理吗"
        for text in (with_faq, without_faq, no_item):
            assert not service.answer_runs_no_model(text)  # not even the gate's vector yet
            cache.embed_queries([prepare(text)])  # the gate
        assert not service.answer_runs_no_model(with_faq)  # 婚前医学检查 has FAQ entries: "怎么预约" is still to embed
        assert service.answer_runs_no_model(without_faq) and service.answer_runs_no_model(no_item)
        calls = inner.calls
        for text in (without_faq, no_item):
            engine.ask(text)
        assert inner.calls == calls  # foreseen right: no model call while answering them
        answer = engine.ask(with_faq)
        assert answer.item is not None and answer.item.code == "premarital-medical-exam"
        assert inner.calls == calls + 1  # the FAQ channel's embedding, made lazily by the faq rule
        assert service.answer_runs_no_model(with_faq)  # now cached
    finally:
        service.reset()
