"""Start-up and shutdown of the tickets side, for the app's lifespan."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from bot.db import get_engine, init_db, session_scope
from bot.db_startup import startup_lock, wait_for_database
from bot.jobs import PeriodicJob
from bot.tickets import pii_crypto
from bot.tickets.config import get_ticket_settings
from bot.tickets.first_admin import ensure_first_admin
from bot.tickets.privacy import remove_expired_personal_data

logger = logging.getLogger(__name__)


def prepare_tickets() -> None:
    """Check the contact encryption key, wait for the database, then, under the start-up lock (replicas
    start together), migrate it to head and create the first admin if no staff account exists
    (``bot.tickets.first_admin``: DESK_ADMIN_PASSWORD, or a generated password shown once on the terminal)."""
    pii_crypto.check_key()  # no key, no start: contacts are never stored in clear
    engine = get_engine()
    wait_for_database(engine, timeout_s=get_ticket_settings().db_wait_timeout_s)
    with startup_lock(engine):
        init_db(engine)
        ensure_first_admin()


def run_retention_once() -> int:
    """Anonymise closed tickets past ``TICKETS_RETENTION_DAYS``; returns how many."""
    settings = get_ticket_settings()
    with session_scope() as db:
        return remove_expired_personal_data(db, now=dt.datetime.now(dt.UTC), days=settings.retention_days)


def ticket_retention_job() -> PeriodicJob:
    """Anonymise closed tickets past ``TICKETS_RETENTION_DAYS`` every ``TICKETS_RETENTION_INTERVAL_S``."""
    return PeriodicJob(
        "tickets-retention", get_ticket_settings().retention_interval_s, run_retention_once, traceback=False
    )


@asynccontextmanager
async def tickets_lifespan(app: Any) -> AsyncIterator[None]:
    """``async with tickets_lifespan(app):`` inside the app's lifespan: the database is ready before the jobs start
    (the outbox and retention jobs are listed in the app factory, ``bot/app.py``)."""
    await asyncio.to_thread(prepare_tickets)
    yield
