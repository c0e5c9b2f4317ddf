"""The process-wide engine: built once on first use (never at import), from the settings."""

from __future__ import annotations

import logging
import threading
import time
from functools import lru_cache

from knowledge.catalog import load_catalog
from knowledge.config import get_settings
from knowledge.engine import Engine
from knowledge.retrieve.dense import DenseChannel

logger = logging.getLogger(__name__)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _build() -> Engine:
    from knowledge.embedding.embedders import get_embedder

    settings = get_settings()
    started = time.perf_counter()
    catalog = load_catalog()
    embedder = get_embedder(settings)
    dense = DenseChannel.open(catalog.chunks, embedder, settings.index_dir / embedder.name)
    engine = Engine(catalog, dense, helpline=settings.helpline, region=settings.region)
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


def is_ready() -> bool:
    """True once the engine has been built (the health check must not trigger a build)."""
    return _build.cache_info().currsize > 0
