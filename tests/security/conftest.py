"""Fixtures of the in-process security tests: the tickets tests' throwaway database and the full app.

The attacks on the real running stack (``test_attacks_e2e.py``) use the suite-wide ``stack`` fixture.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from tests.tickets import conftest as tickets_fixtures
from tests.tickets.conftest import INTERNAL_HEADERS, FrozenClock

# The tickets tests' throwaway database (SQLite, and PostgreSQL when reachable), reused here.
tickets_env = tickets_fixtures.tickets_env
db_url = tickets_fixtures.db_url
sqlite_template = tickets_fixtures.sqlite_template
pg_template = tickets_fixtures.pg_template
clock = tickets_fixtures.clock


def reset_app_caches() -> None:
    from bot.core.security import get_security_settings

    get_security_settings.cache_clear()


@pytest.fixture
def desk_client(tickets_env: str, clock: FrozenClock) -> Iterator[TestClient]:
    """The tickets tests' small app (internal and desk routers) on a throwaway database."""
    with TestClient(tickets_fixtures.make_app(clock), headers=INTERNAL_HEADERS) as c:
        yield c


@pytest.fixture
def app_client(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The whole app from the factory (no lifespan: the database is already migrated)."""
    from bot.app import create_app

    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "hashing")
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")  # nothing listens: chat answers "busy"
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:9")
    reset_app_caches()
    yield TestClient(create_app())  # not entered: no lifespan, no outbox worker, no engine warm-up
    reset_app_caches()
