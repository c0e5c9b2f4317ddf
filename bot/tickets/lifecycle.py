"""Start-up and shutdown of the tickets side, for the app's lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.db import get_engine, init_db
from bot.db_startup import startup_lock, wait_for_database
from bot.tickets.auth import ensure_first_admin
from bot.tickets.config import get_ticket_settings
from bot.tickets.outbox import start_outbox_worker, stop_outbox_worker

logger = logging.getLogger(__name__)


def prepare_tickets() -> None:
    """Wait for the database, then, under the start-up lock (replicas start together), migrate it to
    head and create the first admin from DESK_ADMIN_PASSWORD if none exists."""
    engine = get_engine()
    wait_for_database(engine, timeout_s=get_ticket_settings().db_wait_timeout_s)
    with startup_lock(engine):
        init_db(engine)
        ensure_first_admin()


@asynccontextmanager
async def tickets_lifespan(app: Any, *, worker: bool = True) -> AsyncIterator[None]:
    """``async with tickets_lifespan(app):`` inside the app's lifespan."""
    await asyncio.to_thread(prepare_tickets)
    if worker:
        await start_outbox_worker(app)
    try:
        yield
    finally:
        if worker:
            await stop_outbox_worker(app)
