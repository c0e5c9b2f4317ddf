"""The hit test's draft engine: built from the draft snapshot's catalog, like the live one, but in memory.

It shares the process's embedder and its chunk-vector cache (knowledge/service.py), so only chunks
the drafts changed are embedded; its vector index is never saved, so the index folder and its
manifest keep describing the published version. Engines are kept by the draft catalog's content hash.
"""

from __future__ import annotations

import logging
import time
from functools import lru_cache
from typing import Any

from bot.console.tools.hit_test import DraftEngines
from knowledge import service
from knowledge.catalog import Catalog

logger = logging.getLogger(__name__)


def build_draft_engine(catalog: Catalog) -> Any:
    started = time.perf_counter()
    engine = service.assemble_engine(catalog, None, save_index=False)  # the saved index stays the live one
    logger.info("draft engine built: %d chunks, %.1f s", len(catalog.chunks), time.perf_counter() - started)
    return engine


@lru_cache(maxsize=1)
def draft_engines() -> DraftEngines:
    return DraftEngines(build_draft_engine)
