"""The process-wide engine: built once on first use (never at import), from the settings."""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from knowledge.catalog import load_catalog
from knowledge.config import get_settings
from knowledge.engine import Engine
from knowledge.learned.predictors import with_query_cache
from knowledge.learned.wiring import with_learned
from knowledge.retrieve.dense import DenseChannel

logger = logging.getLogger(__name__)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build() -> Engine:
    from knowledge.embedding.embedders import get_embedder

    settings = get_settings()
    started = time.perf_counter()
    catalog = load_catalog()
    embedder = with_query_cache(get_embedder(settings))  # one embedding per question (knowledge/learned)
    dense = DenseChannel.open(catalog.chunks, embedder, settings.index_dir / embedder.name)
    engine = Engine(catalog, dense, helpline=settings.helpline, region=settings.region)
    engine = with_learned(engine, embedder, settings)  # learned kind gate + aspect predictor (knowledge/learned)
    engine.ask("护士执业注册需要什么材料")  # loads the model now, so "ready" means the first answer is fast
    logger.info(
        "knowledge engine ready: %d items, %d chunks, %.1f s",
        len(catalog.items),
        len(catalog.chunks),
        time.perf_counter() - started,
    )
    return engine


def get_engine() -> Engine:
    with _lock:
        return _build()


def gate_verdict(text: str) -> tuple[str, float, bool] | None:
    """The learned gate's (kind, confidence, confident) for a text, or None while the engine is not
    built or the gate is off (the chat gateway must not wait for a build)."""
    if not is_ready():
        return None
    verdict = getattr(get_engine(), "verdict", None)
    if verdict is None:
        return None
    kind, confidence, confident = verdict(text)
    return (kind, confidence, confident) if kind else None


def is_ready() -> bool:
    """True once the engine has been built (the health check must not trigger a build)."""
    return _build.cache_info().currsize > 0
