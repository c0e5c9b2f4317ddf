"""Fixtures for the tickets tests: a throwaway database (SQLite file, or a fresh PostgreSQL database),
settings from the environment, and a tiny app with the internal and desk routers."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import socket
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

INTERNAL_TOKEN = "test-internal-token"
INTERNAL_HEADERS = {"X-Internal-Token": INTERNAL_TOKEN}
TEST_PII_KEY = "dGVzdC1rZXktZm9yLXBpaS1lbmNyeXB0aW9uLTMyYiE="  # a fixed Fernet key, tests only
PG_HOST = os.environ.get("TEST_PG_HOST", "127.0.0.1")
PG_PORT = int(os.environ.get("TEST_PG_PORT", "5432"))
PG_ADMIN_DB = os.environ.get("TEST_PG_ADMIN_DB", "test")
PG_USER = os.environ.get("TEST_PG_USER", "postgres")

ITEM_YAML = """\
code: demo-radiation-thing
name: 演示放射事项
category: 放射卫生
guides: []
"""


def _pg_reachable() -> bool:
    try:
        with socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
            return True
    except OSError:
        return False


def _reset_caches() -> None:
    from bot import db
    from bot.tickets import auth, config, pii_crypto, routing, working_days

    db.reset_engine()
    pii_crypto.reset_key_cache()
    config.get_ticket_settings.cache_clear()
    working_days.get_calendar.cache_clear()
    working_days.get_deadline_config.cache_clear()
    routing.get_routing.cache_clear()
    routing.get_item_categories.cache_clear()
    auth.reset_auth_cache()
    from bot.tickets import operations_config

    operations_config.get_operations_settings.cache_clear()
    from bot import retention

    retention.get_retention_settings.cache_clear()


def _migrate(url: str) -> None:
    from bot.db import init_db, make_engine

    engine = make_engine(url)
    try:
        init_db(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated SQLite file, copied for each test (migrating per test is slow)."""
    path = tmp_path_factory.mktemp("tpl") / "template.db"
    _migrate(f"sqlite:///{path}")
    return path


def _pg_admin_dsn() -> str:
    return f"host={PG_HOST} port={PG_PORT} user={PG_USER} dbname={PG_ADMIN_DB}"


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    """A migrated throwaway PostgreSQL database used as the template of each test's database."""
    if not _pg_reachable():
        pytest.skip(f"PostgreSQL not reachable on {PG_HOST}:{PG_PORT}")
    import psycopg

    name = f"bbc_tpl_{uuid.uuid4().hex[:12]}"
    try:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
    except psycopg.Error as exc:
        pytest.skip(f"cannot create a throwaway PostgreSQL database: {exc}")
    try:
        _migrate(f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}")
        yield name
    finally:
        with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(
    params=[
        "sqlite",
        pytest.param("postgres", marks=pytest.mark.postgres),
    ]
)
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A migrated database nobody else uses: a SQLite file in tmp_path, or a new PostgreSQL database."""
    if request.param == "sqlite":
        path = tmp_path / "tickets.db"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("pg_template")
    import psycopg

    name = f"bbc_test_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template}"')
    try:
        yield f"postgresql+psycopg://{PG_USER}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        from bot import db

        db.reset_engine()
        with psycopg.connect(_pg_admin_dsn(), autocommit=True, connect_timeout=3) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def tickets_env(db_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Environment for one test: its own migrated database, fast bcrypt, no hotline, a known secret."""
    items = tmp_path / "items"
    items.mkdir()
    (items / "demo-radiation-thing.yaml").write_text(ITEM_YAML, encoding="utf-8")
    for name in ("HOTLINE_12345_URL", "TICKETS_NOTIFY_URL", "INTERNAL_API_TOKEN", "DESK_ADMIN_PASSWORD", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("DESK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("INTERNAL_API_TOKEN", INTERNAL_TOKEN)
    monkeypatch.setenv("DESK_PASSWORD_MIN_SCORE", "2")  # the tests' passwords; the policy's default is 3
    monkeypatch.setenv("DESK_SECRET_KEY", "test-secret-" + uuid.uuid4().hex)
    monkeypatch.setenv("PII_ENCRYPTION_KEY", TEST_PII_KEY)
    monkeypatch.setenv("KNOWLEDGE_ITEMS_DIR", str(items))
    monkeypatch.setenv("OUTBOX_BACKOFF_BASE_S", "0.01")
    monkeypatch.setenv("OUTBOX_BACKOFF_MAX_S", "0.05")
    _reset_caches()
    yield db_url
    _reset_caches()


def make_app(now: Callable[[], dt.datetime] | None = None) -> FastAPI:
    from bot.tickets import dependencies, router_desk, router_internal

    app = FastAPI()
    app.include_router(router_internal.router)
    app.include_router(router_desk.router)
    if now is not None:
        app.dependency_overrides[dependencies.get_now] = now
    return app


class FrozenClock:
    """A settable 'now' for the app (UTC-aware)."""

    def __init__(self, at: dt.datetime) -> None:
        self.at = at

    def __call__(self) -> dt.datetime:
        return self.at


@pytest.fixture
def clock() -> FrozenClock:
    # Friday 13 February 2026, 10:00 Beijing time: the day before the 春节 调休 Saturday.
    return FrozenClock(dt.datetime(2026, 2, 13, 2, 0, tzinfo=dt.UTC))


@pytest.fixture
def client(tickets_env: str, clock: FrozenClock) -> Iterator[TestClient]:
    with TestClient(make_app(clock), headers=INTERNAL_HEADERS) as c:
        yield c


def create_user(username: str, password: str, role: str = "handler", office: str | None = None) -> None:
    from bot.db import session_scope
    from bot.tickets import auth
    from bot.tickets.enums import Role

    with session_scope() as db:
        auth.create_user(db, username, password, role=Role(role), office=office)


def login(client: TestClient, username: str, password: str) -> dict[str, Any]:
    resp = client.post("/api/desk/login", json={"username": username, "password": password})
    assert resp.status_code == 200, resp.text
    return resp.json()


def ticket_body(**over: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "session_id": "sess-citizen-1",
        "idempotency_key": "sess-citizen-1:turn-7",
        "item_code": "nurse-practice-registration",
        "item_name": "护士执业注册",
        "description": "网上提交护士执业注册三次都被退回，窗口说系统问题，办不成。",
        "place": "市政务服务中心",
        "contact_masked": "138****8000",
        "excerpt": [
            {"role": "user", "text": "护士执业注册网上一直提交不了"},
            {"role": "bot", "text": "很抱歉给您带来不便，我可以帮您反映“办不成事”。"},
        ],
    }
    body.update(over)
    return body
