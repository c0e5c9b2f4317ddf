"""Errors and headers of the whole app (in process): undecodable bodies, short 422s, framing, docs."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from tests.security.conftest import reset_app_caches

JSON = {"Content-Type": "application/json"}


def test_lone_surrogate_is_a_400_with_a_short_reason(app_client: TestClient) -> None:
    for path in ("/api/chat", "/api/search", "/api/desk/login"):
        resp = app_client.post(
            path, content=b'{"session_id": "s1", "text": "\\ud800", "username": "\\udfff"}', headers=JSON
        )
        assert resp.status_code == 400, (path, resp.text)
        assert "surrogate" in resp.json()["detail"] and len(resp.content) < 200


def test_undecodable_text_is_a_400(app_client: TestClient) -> None:
    resp = app_client.post("/api/chat", content=b'{"session_id": "s1", "text": "\xff\xfe\xc3"}', headers=JSON)
    assert resp.status_code == 400 and "UTF-8" in resp.json()["detail"]


def test_validation_errors_never_echo_the_input(app_client: TestClient) -> None:
    big = "办" * 15_000  # 45–90 kB per copy, under the body limit
    resp = app_client.post("/api/chat", json={"session_id": big, "text": {"nested": big}})
    assert resp.status_code == 422
    assert len(resp.content) < 1000 and "办办办" not in resp.text
    assert {e["type"] for e in resp.json()["detail"]} >= {"string_too_long"}


def test_oversized_body_refused_without_echo(app_client: TestClient) -> None:
    resp = app_client.post("/api/chat", content=b'{"text": "' + b"x" * 1_000_000 + b'"}', headers=JSON)
    assert resp.status_code == 413 and len(resp.content) < 200


def test_framing_limited_to_configured_sites(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import create_app

    monkeypatch.setenv("CHAT_ALLOWED_ORIGINS", "https://www.example.gov.cn, https://evil.example'; script-src *")
    reset_app_caches()
    client = TestClient(create_app())
    page = client.get("/")
    csp = page.headers["content-security-policy"]
    assert "frame-ancestors 'self' https://www.example.gov.cn" in csp
    assert "evil" not in csp and "script-src *" not in csp
    assert page.headers["x-content-type-options"] == "nosniff"
    api = client.get("/api/desk/me")
    assert "frame-ancestors 'self' https://www.example.gov.cn" in api.headers["content-security-policy"]
    assert api.headers["x-content-type-options"] == "nosniff"
    assert "frame-ancestors 'none'" in client.get("/desk").headers["content-security-policy"]  # desk: never framed
    assert "strict-transport-security" not in page.headers  # plain http
    tls = TestClient(create_app(), base_url="https://testserver").get("/")
    assert tls.headers["strict-transport-security"].startswith("max-age=")


def test_docs_closed_by_default_and_opened_by_setting(tickets_env: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from bot.app import create_app

    monkeypatch.delenv("APP_DOCS_ENABLED", raising=False)
    reset_app_caches()
    closed = TestClient(create_app())
    for path in ("/docs", "/openapi.json", "/redoc"):
        assert closed.get(path).status_code == 404
    monkeypatch.setenv("APP_DOCS_ENABLED", "true")
    reset_app_caches()
    opened = TestClient(create_app())
    assert opened.get("/openapi.json").status_code == 200 and opened.get("/docs").status_code == 200
