"""HTTP API of the gateway and the widget's static files, through FastAPI's TestClient."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from bot.chat.router import install_chat_cors


@pytest.fixture
def client(fake_rasa: Any, build_service: Any, build_app: Any, memory_vault: Any, memory_inbox: Any) -> TestClient:
    app = build_app(build_service(fake_rasa.url, vault=memory_vault, inbox=memory_inbox))
    app.state.test_inbox = memory_inbox
    return TestClient(app)


def test_chat_contract(client: TestClient) -> None:
    r = client.post("/api/chat", json={"session_id": "web-abc", "text": "护士执业注册要什么材料"})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"session_id", "replies", "meta"}
    assert body["session_id"] == "web-abc"
    assert set(body["replies"][0]) == {"text", "buttons"}
    assert set(body["meta"]) == {
        "kind",
        "item",
        "aspect",
        "confidence",
        "sources",
        "ticket",
        "guide",
        "policy",
        "turn_id",
        "knowledge_version",
    }
    assert body["meta"]["kind"] == "answer"
    assert body["meta"]["item"] == {"code": "nurse-practice-registration", "name": "护士执业注册"}
    assert set(body["meta"]["sources"][0]) == {"title", "url", "region"}
    assert r.headers["cache-control"] == "no-store"


def test_buttons_in_response(client: TestClient) -> None:
    body = client.post("/api/chat", json={"session_id": "web-b", "text": "我要办许可证"}).json()
    assert body["meta"]["kind"] == "clarify"
    assert body["replies"][0]["buttons"][0] == {
        "title": "公共场所卫生许可",
        "payload": '/ask_item{"item_code": "public-place-hygiene-license"}',
    }


def test_empty_text_is_rejected_with_a_message(client: TestClient) -> None:
    body = client.post("/api/chat", json={"session_id": "web-e", "text": ""}).json()
    assert body["meta"]["kind"] == "rejected"
    assert body["replies"][0]["text"]


@pytest.mark.parametrize(
    "payload",
    [
        {"text": "你好"},  # no session
        {"session_id": "", "text": "你好"},
        {"session_id": "bad id<script>", "text": "你好"},
        {"session_id": "web-x", "text": 5},
        {"session_id": "web-x", "text": "问" * 10_001},
    ],
)
def test_malformed_requests_get_422_json(client: TestClient, payload: dict[str, Any]) -> None:
    r = client.post("/api/chat", json=payload)
    assert r.status_code == 422
    assert "detail" in r.json()


def test_rasa_down_is_503_with_a_usable_body(dead_url: str, build_service: Any, build_app: Any) -> None:
    client = TestClient(build_app(build_service(dead_url)))
    r = client.post("/api/chat", json={"session_id": "web-d", "text": "在吗"})
    assert r.status_code == 503
    assert r.headers["retry-after"] == "30"
    assert r.json()["meta"]["kind"] == "handoff"


def test_inbox_endpoint(client: TestClient) -> None:
    client.app.state.test_inbox.add("web-i", "您的诉求已转交区卫生健康局办理。")  # type: ignore[attr-defined]
    r = client.get("/api/chat/inbox", params={"session_id": "web-i"})
    assert r.status_code == 200
    assert r.json() == {"session_id": "web-i", "replies": [{"text": "您的诉求已转交区卫生健康局办理。", "buttons": []}]}
    assert client.get("/api/chat/inbox", params={"session_id": "web-i"}).json()["replies"] == []
    assert client.get("/api/chat/inbox").status_code == 422


def test_health_ok_when_all_ready(client: TestClient) -> None:
    r = client.get("/api/health")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "checks": {"rasa": True, "action_server": True, "knowledge": True}}


def test_health_503_when_knowledge_not_ready(fake_rasa: Any, build_service: Any, build_app: Any) -> None:
    client = TestClient(build_app(build_service(fake_rasa.url), knowledge_ready=False))
    r = client.get("/api/health")
    assert r.status_code == 503
    assert r.json()["checks"] == {"rasa": True, "action_server": True, "knowledge": False}


def test_health_503_when_rasa_has_no_model(fake_rasa: Any, client: TestClient) -> None:
    fake_rasa.status_model = False
    r = client.get("/api/health")
    assert r.status_code == 503 and r.json()["checks"]["rasa"] is False


def test_health_falls_back_when_rasa_api_disabled(fake_rasa: Any, client: TestClient) -> None:
    fake_rasa.status_code = 404  # rasa run without --enable-api
    assert client.get("/api/health").status_code == 200


def test_health_503_when_action_server_down(fake_rasa: Any, client: TestClient) -> None:
    fake_rasa.action_health = False
    r = client.get("/api/health")
    assert r.status_code == 503 and r.json()["checks"]["action_server"] is False


def test_health_503_when_everything_down(dead_url: str, build_service: Any, build_app: Any) -> None:
    r = TestClient(build_app(build_service(dead_url))).get("/api/health")
    assert r.status_code == 503
    assert r.json()["checks"]["rasa"] is False and r.json()["checks"]["action_server"] is False


def test_health_check_that_raises_counts_as_not_ready(client: TestClient) -> None:
    def broken() -> bool:
        raise RuntimeError("index missing")

    client.app.state.health_checks = {"knowledge": broken}  # type: ignore[attr-defined]
    assert client.get("/api/health").status_code == 503


def test_widget_files_are_served(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert '<script src="/widget.js"' in page.text and 'lang="zh-CN"' in page.text
    js = client.get("/widget.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"]
    assert "innerHTML" not in js.text  # texts go in with textContent only
    assert client.get("/widget.css").headers["content-type"].startswith("text/css")
    demo = client.get("/embed-demo.html")
    assert demo.status_code == 200 and demo.text.count("<script") == 1


def test_cors_for_embedding_sites(fake_rasa: Any, build_service: Any, build_app: Any) -> None:
    app: FastAPI = build_app(build_service(fake_rasa.url))
    install_chat_cors(app, ["https://www.example.gov.cn"])
    client = TestClient(app)
    pre = client.options(
        "/api/chat",
        headers={
            "Origin": "https://www.example.gov.cn",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
    )
    assert pre.status_code == 200
    assert pre.headers["access-control-allow-origin"] == "https://www.example.gov.cn"
    other = client.post(
        "/api/chat", json={"session_id": "w", "text": "在吗"}, headers={"Origin": "https://evil.example"}
    )
    assert "access-control-allow-origin" not in other.headers
