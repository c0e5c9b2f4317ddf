"""Start-up and shutdown of the tickets side, for the app's lifespan."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.db import init_db
from bot.tickets import pii_crypto
from bot.tickets.auth import ensure_first_admin
from bot.tickets.outbox import start_outbox_worker, stop_outbox_worker

logger = logging.getLogger(__name__)


def prepare_tickets() -> None:
    """Check the contact encryption key, migrate the database to head and create the first admin from
    DESK_ADMIN_PASSWORD if none exists."""
    pii_crypto.check_key()  # no key, no start: contacts are never stored in clear
    init_db()
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
