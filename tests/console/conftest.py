"""Fixtures of the console tests: a migrated SQLite database holding the shipped YAML as version 1,
staff users of each role, and a small app with the desk login and the console routers."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.tickets.conftest import TEST_PII_KEY, _migrate, _reset_caches

PASSWORD = "console-test-pass-42"


@dataclass(frozen=True)
class StaffUser:
    username: str
    role: str
    office: str | None = None


EDITOR = StaffUser("editor-a", "editor", "行政审批科")  # owns nurse-practice-registration
EDITOR_B = StaffUser("editor-b", "editor", "行政审批科")
OTHER_EDITOR = StaffUser("editor-mch", "editor", "妇幼健康科")
REVIEWER = StaffUser("reviewer-a", "reviewer", None)
ADMIN = StaffUser("admin-a", "admin", None)
HANDLER = StaffUser("handler-a", "handler", "行政审批科")
ALL_USERS = (EDITOR, EDITOR_B, OTHER_EDITOR, REVIEWER, ADMIN, HANDLER)


@pytest.fixture(scope="session")
def console_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite file with the shipped YAML imported as version 1 (copied for each test)."""
    from bot.console import versions
    from bot.console.documents import read_folder
    from bot.db import make_engine
    from knowledge.loader import knowledge_root

    path = tmp_path_factory.mktemp("console-tpl") / "template.db"
    _migrate(f"sqlite:///{path}")
    engine = make_engine(f"sqlite:///{path}")
    with Session(engine, expire_on_commit=False) as session:
        versions.ensure_imported(session, read_folder(knowledge_root()))
    engine.dispose()
    return path


@pytest.fixture
def console_env(console_template: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    path = tmp_path / "console.db"
    shutil.copyfile(console_template, path)
    url = f"sqlite:///{path}"
    for name in ("DESK_ADMIN_PASSWORD", "INTERNAL_API_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("DESK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("DESK_PASSWORD_MIN_SCORE", "2")
    monkeypatch.setenv("DESK_SECRET_KEY", "test-secret-" + uuid.uuid4().hex)
    monkeypatch.setenv("PII_ENCRYPTION_KEY", TEST_PII_KEY)
    _reset_caches()
    yield url
    _reset_caches()


@pytest.fixture
def session(console_env: str) -> Iterator[Session]:
    from bot.db import get_sessionmaker

    with get_sessionmaker()() as s:
        yield s


def make_console_app() -> FastAPI:
    from bot.console import router_pages, router_store
    from bot.tickets import router_desk

    app = FastAPI()
    for router in (router_desk.router, router_store.router, router_pages.router):
        app.include_router(router)
    return app


@pytest.fixture
def api(console_env: str) -> Iterator[TestClient]:
    from bot.db import session_scope
    from bot.tickets import auth
    from bot.tickets.enums import Role

    with session_scope() as db:
        for user in ALL_USERS:
            auth.create_user(db, user.username, PASSWORD, role=Role(user.role), office=user.office)
    with TestClient(make_console_app()) as client:
        yield client


def login_as(client: TestClient, user: StaffUser) -> None:
    client.cookies.clear()
    resp = client.post("/api/desk/login", json={"username": user.username, "password": PASSWORD})
    assert resp.status_code == 200, resp.text
