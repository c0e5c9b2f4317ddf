"""Start-up of a replica against a shared database: wait for it, then migrate and seed under a lock.

Several app processes may start together on one database. Without a lock two of them migrate at once
(PostgreSQL: ``UniqueViolation`` on ``alembic_version``) and several create the first admin. Here:

- ``wait_for_database`` retries the first connection with exponential backoff (``DB_WAIT_TIMEOUT_S``,
  default 300 s) instead of exiting when the database is not up yet;
- ``startup_lock`` serialises migrations and seeding: a PostgreSQL advisory lock (session level, on a
  connection of its own), or an exclusive ``flock`` on ``<database file>.lock`` for SQLite.
"""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError, OperationalError

logger = logging.getLogger(__name__)

# Any fixed 64-bit number shared by every replica of this application ("bbc-startup").
ADVISORY_LOCK_KEY = 0x6262_632D_7374_7274


class DatabaseUnavailableError(RuntimeError):
    """The database did not answer within the wait timeout."""


def wait_for_database(
    engine: Engine,
    *,
    timeout_s: float = 300.0,
    first_delay_s: float = 0.5,
    max_delay_s: float = 10.0,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> int:
    """Block until ``SELECT 1`` succeeds; returns the number of failed attempts. Raises after ``timeout_s``."""
    deadline = clock() + timeout_s
    delay = first_delay_s
    failures = 0
    while True:
        try:
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            if failures:
                logger.info("database reachable after %d failed attempt(s)", failures)
            return failures
        except (OperationalError, DBAPIError) as exc:
            failures += 1
            if clock() + delay > deadline:
                raise DatabaseUnavailableError(
                    f"database {engine.url.render_as_string(hide_password=True)} unreachable for {timeout_s:.0f} s"
                ) from exc
            logger.warning("database not reachable yet (%s); retrying in %.1f s", type(exc).__name__, delay)
            sleep(delay)
            delay = min(delay * 2, max_delay_s)


@contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """Hold the start-up lock of this database (one replica at a time migrates and seeds)."""
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execute(text("SELECT pg_advisory_lock(:k)"), {"k": ADVISORY_LOCK_KEY})
            conn.commit()
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": ADVISORY_LOCK_KEY})
                conn.commit()
        return
    database = engine.url.database if engine.dialect.name == "sqlite" else None
    if not database or database == ":memory:":
        yield
        return
    lock_path = Path(database).with_name(Path(database).name + ".lock")
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with open(lock_path, "a+b") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
