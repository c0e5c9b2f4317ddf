"""The process-wide engine: built on first use (never at import), swapped atomically on publish.

The engine serves one knowledge version at a time. By default it is built from the data folder
(version 0: the files, unversioned). A host that keeps the knowledge elsewhere (the app's console keeps
it in a database) installs a `CatalogSource` with `set_catalog_source`, and after a publish calls
`build_engine` for the new catalog in a background thread, then `swap`: requests in flight finish on
the engine they started with, new ones get the new one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.catalog import Catalog, load_catalog
from knowledge.config import get_settings
from knowledge.embedding.cache import CachedEmbedder
from knowledge.engine import Engine
from knowledge.learned.gate import GateVerdict
from knowledge.learned.predictors import QueryCachingEmbedder, prepare, with_query_cache
from knowledge.learned.wiring import with_learned
from knowledge.retrieve.dense import DenseChannel
from knowledge.retrieve.faq import FaqScorer
from knowledge.threads import limit_blas_threads

logger = logging.getLogger(__name__)

FILES_VERSION = 0
"""The knowledge version of an engine built from the data folder (not a published version)."""

CatalogSource = Callable[[], tuple[int, Catalog]]
"""Where the live knowledge comes from: returns (version, catalog)."""


@dataclass(frozen=True)
class LiveEngine:
    engine: Engine
    version: int
    content_hash: str


_lock = threading.Lock()  # one build at a time
_live: LiveEngine | None = None
_source: CatalogSource | None = None
_embedder: CachedEmbedder | None = None


def _files_source() -> tuple[int, Catalog]:
    return FILES_VERSION, load_catalog()


def set_catalog_source(source: CatalogSource | None) -> None:
    """Where the first engine's knowledge comes from (None: the data folder)."""
    global _source
    _source = source


def _shared_embedder() -> CachedEmbedder:
    """One embedder per process, with the cache of chunk vectors (only changed chunks are re-embedded)."""
    global _embedder
    if _embedder is None:
        from knowledge.embedding.embedders import get_embedder

        settings = get_settings()
        _embedder = CachedEmbedder(get_embedder(settings), settings.index_dir)
    return _embedder


def assemble_engine(catalog: Catalog, version: int | None, *, save_index: bool = True) -> Engine:
    """The engine for `catalog`, on the process's shared embedder (chunks already embedded come from its
    cache). With `save_index=False` the vector index stays in memory, so the index folder and its manifest
    keep describing the published version (the console's hit test builds draft engines this way)."""
    settings = get_settings()
    cached = _shared_embedder()
    embedder = with_query_cache(cached)  # one embedding per question (knowledge/learned)
    index_dir = settings.index_dir / cached.name if save_index else None
    dense = DenseChannel.open(catalog.chunks, embedder, index_dir, version=version)
    engine = Engine(
        catalog, dense, helpline=settings.helpline, region=settings.region, dense_top_k=settings.dense_top_k
    )
    learned = with_learned(engine, embedder, settings)  # learned kind gate + aspect predictor (knowledge/learned)
    limit_blas_threads(settings.blas_threads)  # after the heads: a BLAS their training loaded is limited too
    return learned


def build_engine(catalog: Catalog, version: int) -> LiveEngine:
    """A ready engine for `catalog`, its index saved for the next start."""
    started = time.perf_counter()
    engine = assemble_engine(catalog, version)
    engine.ask("护士执业注册需要什么材料")  # loads the model now, so "ready" means the first answer is fast
    logger.info(
        "knowledge engine ready: version %d, %d items, %d chunks, %.1f s",
        version,
        len(catalog.items),
        len(catalog.chunks),
        time.perf_counter() - started,
    )
    return LiveEngine(engine, version, catalog.content_hash)


def swap(live: LiveEngine) -> None:
    """Serve `live` from now on (one reference assignment: atomic for every thread of the process)."""
    global _live
    previous = _live
    _live = live
    logger.info("knowledge engine swapped: version %s -> %d", previous.version if previous else None, live.version)


def current() -> LiveEngine:
    """The live engine, building it from the catalog source on first use."""
    live = _live
    if live is not None:
        return live
    with _lock:
        if _live is None:
            version, catalog = (_source or _files_source)()
            swap(build_engine(catalog, version))
        assert _live is not None
        return _live


def rebuild(version: int, catalog: Catalog) -> LiveEngine:
    """Build an engine for a new version and swap it in (callers run this off the request threads)."""
    with _lock:
        live = build_engine(catalog, version)
        swap(live)
        return live


def get_engine() -> Engine:
    return current().engine


def live_version() -> int | None:
    """The knowledge version this process serves (None before the first build)."""
    live = _live
    return live.version if live is not None else None


def gate_verdict(text: str) -> GateVerdict | None:
    """The learned gate's verdict for a text (kind, confidence, confident, characters said beyond small talk,
    asks for a person), or None while the engine is not built or the gate is off (the chat gateway must not
    wait for a build)."""
    if not is_ready():
        return None
    gate = getattr(get_engine(), "gate", None)
    if gate is None:
        return None
    verdict: GateVerdict = gate(text)
    return verdict if verdict.kind else None


def query_vector_cached(text: str) -> bool:
    """True when the live engine holds the e5 vector of `text` (the gate or an earlier turn embedded it), so
    gating or answering it runs no model: short CPU work that the caller may run on its event loop instead of
    handing it to a thread. False before the first build, without a dense channel, or on a cache miss."""
    live = _live
    dense = getattr(live.engine, "dense", None) if live is not None else None
    embedder = getattr(dense, "embedder", None)
    return isinstance(embedder, QueryCachingEmbedder) and embedder.has(prepare(text))


def answer_runs_no_model(text: str) -> bool:
    """`query_vector_cached(text)`, and answering it will not make the FAQ channel embed the question's words beyond
    the item names (it names no item with FAQ entries, or those words are cached too): the whole answer is short
    CPU work that `/api/search` may run on its event loop instead of handing it to a thread."""
    if not query_vector_cached(text):
        return False
    live = _live
    channels = getattr(getattr(live.engine, "retriever", None), "channels", ()) if live is not None else ()
    faq = next((ch for ch in channels if isinstance(ch, FaqScorer)), None)
    return faq is None or not faq.may_embed(prepare(text))


def item_name(code: str) -> str | None:
    """The name of the live engine's item with this code, or None (an unknown code, or no engine built yet: the
    chat gateway must not wait for a build)."""
    live = _live
    item = live.engine.catalog.item_by_code.get(code) if live is not None else None
    return item.name if item is not None else None


def is_ready() -> bool:
    """True once an engine has been built (the health check must not trigger a build)."""
    return _live is not None


def reset() -> None:
    """Forget the engine, the source and the embedder (tests switch settings)."""
    global _live, _source, _embedder
    with _lock:
        _live = None
        _source = None
        _embedder = None
