"""Database engine and session factory shared by the tickets, the desk and the web inbox.

SQLite by default (``sqlite:///var/tickets.db``, WAL journal, busy timeout), PostgreSQL through
``DATABASE_URL`` (``postgresql://…`` is rewritten to the psycopg 3 driver). Nothing connects at import;
``init_db()`` applies the Alembic migrations programmatically.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import DateTime, Engine, MetaData, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import TypeDecorator

logger = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parent.parent

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class UTCDateTime(TypeDecorator[dt.datetime]):
    """Stores UTC; always returns timezone-aware UTC datetimes (SQLite drops the zone otherwise)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTCDateTime column")
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: dt.datetime | None, dialect: Any) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


class DatabaseSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    database_url: str = Field(
        default="sqlite:///var/tickets.db", validation_alias=AliasChoices("DATABASE_URL", "database_url")
    )
    sqlite_busy_timeout_ms: int = Field(
        default=10_000, validation_alias=AliasChoices("SQLITE_BUSY_TIMEOUT_MS", "sqlite_busy_timeout_ms")
    )


@lru_cache(maxsize=1)
def get_db_settings() -> DatabaseSettings:
    return DatabaseSettings()


def normalise_url(url: str) -> str:
    """Point plain PostgreSQL URLs at psycopg 3 and relative SQLite paths at the repository root."""
    if url.startswith(("postgres://", "postgresql://")):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////") and ":memory:" not in url:
        rel = url[len("sqlite:///") :]
        return "sqlite:///" + str(REPO_ROOT / rel)
    return url


def make_engine(url: str, *, busy_timeout_ms: int = 10_000) -> Engine:
    url = normalise_url(url)
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_ms / 1000},
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy drive transactions; BEGIN IMMEDIATE is issued in "begin" below.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # Take the write lock up front: a deferred transaction that reads then writes fails with
            # SQLITE_BUSY under WAL instead of waiting for the busy timeout. A read-only transaction
            # (``read_scope``) takes no lock: under WAL it reads a snapshot while a writer commits.
            if conn.get_execution_options().get(READ_ONLY_OPTION):
                conn.exec_driver_sql("BEGIN")
            else:
                conn.exec_driver_sql("BEGIN IMMEDIATE")

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


READ_ONLY_OPTION = "bbc_read_only"
"""Execution option of a transaction that only reads (``read_scope``): on SQLite it begins without the write lock."""

_engine: Engine | None = None
_sessionmaker: sessionmaker[Session] | None = None


def get_engine() -> Engine:
    global _engine
    if _engine is None:
        settings = get_db_settings()
        _engine = make_engine(settings.database_url, busy_timeout_ms=settings.sqlite_busy_timeout_ms)
        logger.info("database engine ready (%s)", _engine.url.get_backend_name())
    return _engine


def get_sessionmaker() -> sessionmaker[Session]:
    global _sessionmaker
    if _sessionmaker is None:
        _sessionmaker = sessionmaker(bind=get_engine(), expire_on_commit=False)
    return _sessionmaker


def reset_engine() -> None:
    """Dispose the engine and forget settings (tests switch databases through DATABASE_URL)."""
    global _engine, _sessionmaker
    if _engine is not None:
        _engine.dispose()
    _engine = None
    _sessionmaker = None
    get_db_settings.cache_clear()


@contextmanager
def session_scope() -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    session = get_sessionmaker()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@contextmanager
def read_scope() -> Iterator[Session]:
    """A session for reads only: on SQLite its transaction takes no write lock, so it neither waits behind
    a writer nor holds one up (a write in it fails: use ``session_scope``). PostgreSQL: an ordinary session."""
    session = get_sessionmaker()(execution_options={READ_ONLY_OPTION: True})
    try:
        yield session
    finally:
        session.rollback()
        session.close()


def get_session() -> Iterator[Session]:
    """FastAPI dependency: one session per request, committed by the service functions."""
    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.close()


def alembic_config(engine: Engine | None = None) -> Any:
    from alembic.config import Config

    cfg = Config(str(REPO_ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(REPO_ROOT / "migrations"))
    if engine is not None:
        cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    return cfg


def init_db(engine: Engine | None = None) -> None:
    """Apply every Alembic migration up to head on the configured (or given) engine."""
    from alembic import command

    engine = engine or get_engine()
    cfg = alembic_config(engine)
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")
    logger.info("database migrated to head")
