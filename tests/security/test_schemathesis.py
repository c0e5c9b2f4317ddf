"""Schemathesis against the app's own OpenAPI schema (in process): no request may end in a 500.

Every operation is called with generated (valid and invalid) data, with the internal token and a
logged-in admin's cookie so the checks reach past authentication. Rasa is not running: the chat
answers 503 "busy", which is allowed; a 500 is not.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tests.security.conftest import reset_app_caches

TOKEN = "schemathesis-internal-token"


@pytest.fixture
def api_schema(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    from bot.app import create_app
    from bot.db import init_db, session_scope
    from bot.tickets import auth
    from bot.tickets.enums import Role
    from tests.tickets.conftest import _reset_caches

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'st.db'}")
    monkeypatch.setenv("INTERNAL_API_TOKEN", TOKEN)
    monkeypatch.setenv("DESK_SECRET_KEY", "schemathesis-desk-secret")
    monkeypatch.setenv("PII_ENCRYPTION_KEY", "c2NoZW1hdGhlc2lzLW9ubHkta2V5LWZvci10ZXN0cyE=")  # tests only
    monkeypatch.setenv("DESK_BCRYPT_ROUNDS", "4")
    monkeypatch.setenv("APP_DOCS_ENABLED", "true")
    monkeypatch.setenv("KNOWLEDGE_EMBEDDER", "hashing")
    monkeypatch.setenv("KNOWLEDGE_INDEX_DIR", str(tmp_path / "index"))
    monkeypatch.setenv("RASA_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:9")
    _reset_caches()
    reset_app_caches()
    init_db()
    with session_scope() as db:
        admin = auth.create_user(db, "fuzz-admin", "Quiet-river-Lantern-42", role=Role.admin)
        cookie = auth.issue_session(db, admin)
    app = create_app()
    app.state.fuzz_headers = {"X-Internal-Token": TOKEN, "Cookie": f"desk_session={cookie}"}
    yield schemathesis.openapi.from_asgi("/openapi.json", app)
    _reset_caches()
    reset_app_caches()


def test_no_server_errors(api_schema: Any) -> None:
    # One Hypothesis run per operation (schemathesis' own pytest plugin does not work with pytest 9).
    headers = api_schema.app.state.fuzz_headers
    failures: list[str] = []
    statuses: Counter[int] = Counter()
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 20  # the whole API is in the schema

    for operation in operations:

        @settings(max_examples=12, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy())
        def run(case: Any) -> None:
            response = case.call(headers=headers)
            statuses[response.status_code] += 1
            if response.status_code == 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.text[:200]}")

        run()
    assert not failures, "\n".join(failures[:10])
    # The calls got past authentication and validation often enough to mean something.
    assert sum(n for code, n in statuses.items() if 200 <= code < 300) >= 30, statuses
