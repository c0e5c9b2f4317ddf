"""Alembic environment: the tickets and web-inbox models on the engine of bot.db (or a given connection)."""

from __future__ import annotations

import logging
from logging.config import fileConfig

from alembic import context
from sqlalchemy.engine import Connection

from bot.analytics import models as analytics_models  # noqa: F401  (operations tables)
from bot.channels import web_inbox  # noqa: F401  (registers its table)
from bot.channels.wechat import models as wechat_models  # noqa: F401  (registers the WeChat tables)
from bot.chat import offered_payloads  # noqa: F401  (registers its table)
from bot.console import models as console_models  # noqa: F401  (the knowledge store)
from bot.db import Base, get_db_settings, make_engine
from bot.tickets import (
    models,  # noqa: F401  (registers the tables)
    operations_models,  # noqa: F401
    staff_models,  # noqa: F401
)

config = context.config
# Only configure logging when run from the alembic CLI, not when the app migrates at start-up.
if config.config_file_name is not None and not config.attributes.get("connection"):
    fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_offline() -> None:
    url = config.get_main_option("sqlalchemy.url") or get_db_settings().database_url
    context.configure(url=url, target_metadata=target_metadata, literal_binds=True, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = config.get_main_option("sqlalchemy.url") or get_db_settings().database_url
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
        conn.commit()
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
