"""The live knowledge of an app process: imported on first start, served from the published version,
swapped within ``KNOWLEDGE_POLL_S`` of a publish in every process (replicas included).

- ``import_on_first_start``: under the start-up lock (``bot/db_startup.py``), an empty store gets the data
  folder's YAML as published version 1.
- ``database_source``: what ``knowledge.service`` builds the first engine from (the published version).
- ``knowledge_poll_job``: every ``KNOWLEDGE_POLL_S`` read the published-version pointer; when it moved, build
  the new engine in a background thread (only changed chunks are re-embedded) and swap it in.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

from bot.console import versions
from bot.console.config import get_console_settings
from bot.console.documents import read_folder
from bot.db import get_engine, session_scope
from bot.db_startup import startup_lock
from bot.jobs import PeriodicJob
from knowledge import service
from knowledge.catalog import Catalog
from knowledge.loader import knowledge_root

logger = logging.getLogger(__name__)


def import_on_first_start() -> int | None:
    """Import the data folder as version 1 when the store is empty; returns the version created (or None)."""
    with startup_lock(get_engine()), session_scope() as session:
        created = versions.ensure_imported(session, read_folder(knowledge_root()))
    if created is not None:
        logger.info("knowledge store: imported %s as version %d", knowledge_root(), created)
    return created


def database_source() -> tuple[int, Catalog]:
    with session_scope() as session:
        snapshot = versions.published_snapshot(session)
    return snapshot.version, snapshot.to_catalog()


def published_version() -> int | None:
    with session_scope() as session:
        return versions.current_version(session)


def refresh_once(failed: set[int]) -> int | None:
    """Swap in the published version if this process serves another one; returns the version now served."""
    served = service.live_version()
    if served is None:  # the first build is still running
        return None
    wanted = published_version()
    if wanted is None or wanted == served or wanted in failed:
        return served
    try:
        with session_scope() as session:
            snapshot = versions.snapshot_of(session, wanted)
        service.rebuild(wanted, snapshot.to_catalog())
    except Exception:
        failed.add(wanted)  # not retried in a loop; the next publish is
        logger.exception("could not build knowledge version %d; still serving %d", wanted, served)
        return served
    return wanted


def knowledge_poll_job() -> PeriodicJob:
    """Every ``KNOWLEDGE_POLL_S``, swap in a newly published version (the app factory lists it when the store is on);
    a version that failed to build is not retried until the next publish."""
    failed: set[int] = set()
    return PeriodicJob("knowledge-poll", get_console_settings().poll_s, partial(refresh_once, failed), wait_first=True)


async def _warm() -> None:
    try:
        await asyncio.to_thread(service.current)
    except Exception:
        logger.exception("the knowledge engine failed to build; /api/health stays unavailable")


@asynccontextmanager
async def knowledge_lifespan(app: Any) -> AsyncIterator[None]:
    """Inside the app's lifespan, after the migrations: import, then warm the engine (the publish poll is a job)."""
    settings = get_console_settings()
    if settings.store_enabled:
        await asyncio.to_thread(import_on_first_start)
        service.set_catalog_source(database_source)
    warm = asyncio.create_task(_warm(), name="warm-knowledge-engine")
    try:
        yield
    finally:
        warm.cancel()
