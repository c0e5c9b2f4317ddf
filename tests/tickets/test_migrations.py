"""The Alembic migrations build exactly the schema the models describe, on both databases."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from bot.analytics import models as analytics_models  # noqa: F401  (operations tables)
from bot.channels import web_inbox  # noqa: F401  (table registration)
from bot.chat import offered_payloads  # noqa: F401  (table registration)
from bot.db import Base, get_engine, init_db
from bot.tickets import (
    models,  # noqa: F401
    operations_models,  # noqa: F401
)


def test_migrations_match_models_and_are_idempotent(tickets_env: str) -> None:
    engine = get_engine()
    init_db()  # a second run is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == [], diff
    tables = set(inspect(engine).get_table_names())
    expected = {
        "tickets",
        "ticket_events",
        "ticket_counters",
        "rectifications",
        "outbox_messages",
        "contact_vault",
        "handler_users",
        "web_inbox",
        "alembic_version",
    }
    assert expected <= tables


def test_sqlite_pragmas(tickets_env: str) -> None:
    engine = get_engine()
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert int(conn.exec_driver_sql("PRAGMA busy_timeout").scalar() or 0) >= 1000
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
