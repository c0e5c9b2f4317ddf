"""Rasa's SQL tracker store with SQLite tuned for a server: WAL journal, synchronous=NORMAL, busy timeout.

`endpoints.yml` names this class (`type: rasa_server.tracker_store.TunedSQLTrackerStore`) with the same
settings as Rasa's own `type: SQL`. On PostgreSQL it is Rasa's `SQLTrackerStore` unchanged. On SQLite
(`make run`'s default) Rasa's store keeps SQLite's defaults, a rollback journal with synchronous=FULL:
every saved turn waits for several fsyncs (about 24 ms each on this machine's disk), and since Rasa's
SQL calls are synchronous inside its event loop, every other conversation waits too. With WAL and
synchronous=NORMAL a commit is a write into the log, fsynced at checkpoints: a crash of Rasa's process
loses nothing committed, only a power cut can lose the last turns (the tickets database runs the same
way, `bot/db.py`). Readers no longer block on the writer either.
"""

from __future__ import annotations

import logging
import sqlite3
from typing import Any

from rasa.core.tracker_store import SQLTrackerStore
from sqlalchemy import event
from sqlalchemy.engine import Engine

logger = logging.getLogger(__name__)

BUSY_TIMEOUT_MS = 5000
_installed = False


def _tune_sqlite(dbapi_connection: Any, _record: Any) -> None:
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def install_sqlite_tuning() -> None:
    """Tune every SQLite connection this process opens from now on (only Rasa's store opens any)."""
    global _installed
    if not _installed:
        event.listen(Engine, "connect", _tune_sqlite)
        _installed = True


class TunedSQLTrackerStore(SQLTrackerStore):
    """`SQLTrackerStore`, with WAL and synchronous=NORMAL when the database is SQLite."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        install_sqlite_tuning()  # before the parent opens its first connection
        super().__init__(*args, **kwargs)
        if self.engine.dialect.name == "sqlite":
            logger.info("tracker store: SQLite with WAL journal and synchronous=NORMAL")
