"""`POST /api/search` returns the engine's answer with choices as data (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient


@pytest.fixture
def client(fake_engine, monkeypatch):  # type: ignore[no-untyped-def]
    from bot.search import router as search

    monkeypatch.setattr(search, "get_engine", lambda: fake_engine)
    app = FastAPI()
    app.include_router(search.router)
    return TestClient(app)


def test_sub_item_clarify_over_http(client) -> None:  # type: ignore[no-untyped-def]
    resp = client.post("/api/search", json={"text": "护士执业注册要什么材料"})
    assert resp.status_code == 200
    body = resp.json()
    assert body["kind"] == "clarify" and body["rule"] == "clarify_sub_item"
    assert body["item"] == {"code": "nurse-practice-registration", "name": "护士执业注册"}
    assert body["choices"][0] == {
        "title": "护士执业注册（首次注册）",
        "item_code": "nurse-practice-registration",
        "sub_item": "首次",
    }
    assert all("payload" not in c for c in body["choices"])


def test_choice_answers_with_context_over_http(client) -> None:  # type: ignore[no-untyped-def]
    context = {"item_code": "nurse-practice-registration", "sub_item": "延续", "aspect": None}
    body = client.post("/api/search", json={"text": "护士执业注册要什么材料", "context": context}).json()
    assert body["kind"] == "answer" and body["sub_item"] == "延续" and body["aspects"] == ["materials"]
    assert body["guide_ids"] == [body["guide_id"]]
