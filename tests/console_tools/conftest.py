"""Fixtures for the console tools' API tests: a migrated database with the knowledge imported as
version 1, staff users, and an app with the desk login, the console store and the tools' routers.
The knowledge engine runs on the fast hashing embedder, its index in a temporary folder."""

from __future__ import annotations

import datetime as dt
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.tickets.conftest import (  # noqa: F401  (fixtures used by name)
    create_user,
    login,
    sqlite_template,
    tickets_env,
)

TODAY = dt.date(2026, 6, 1)
PASSWORD = "console-tools-pass-1"
USERS = {
    "handler1": ("handler", "行政审批科"),
    "editor-approval": ("editor", "行政审批科"),
    "editor-mch": ("editor", "妇幼健康科"),
    "reviewer1": ("reviewer", None),
}


def _reset_knowledge() -> None:
    from bot.console.tools import config as tools_config
    from bot.console.tools import draft_engine
    from knowledge import config, service

    service.reset()
    config.get_settings.cache_clear()
    tools_config.get_tools_settings.cache_clear()
    draft_engine.draft_engines.cache_clear()


@pytest.fixture
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated SQLite file of this test's own (the store's PostgreSQL paths are console-store's tests)."""
    path = tmp_path / "console.db"
    shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def console_env(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    url: str = request.getfixturevalue("tickets_env")  # a migrated throwaway database (tests/tickets)
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "hashing")
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("KNOWLEDGE_LEARNED", "false")
    monkeypatch.setenv("CONSOLE_IMPORT_MAX_BYTES", str(1024 * 1024))
    monkeypatch.delenv("KNOWLEDGE_REGION", raising=False)
    _reset_knowledge()
    from bot.console import live, versions
    from bot.console.documents import read_folder
    from bot.db import session_scope
    from knowledge import service
    from knowledge.loader import knowledge_root

    with session_scope() as session:
        versions.ensure_imported(session, read_folder(knowledge_root()))
    service.set_catalog_source(live.database_source)
    for name, (role, office) in USERS.items():
        create_user(name, PASSWORD, role=role, office=office)
    yield url
    _reset_knowledge()


def make_console_app() -> FastAPI:
    from bot.console import router_import, router_pages, router_store, router_tools
    from bot.tickets import router_desk

    app = FastAPI()
    for module in (router_desk, router_store, router_tools, router_import, router_pages):
        app.include_router(module.router)
    app.dependency_overrides[router_tools.today] = lambda: TODAY
    return app


@pytest.fixture
def app_client(console_env: str) -> Iterator[TestClient]:
    with TestClient(make_console_app()) as client:
        yield client


def as_user(client: TestClient, name: str) -> TestClient:
    client.cookies.clear()
    login(client, name, PASSWORD)
    return client
