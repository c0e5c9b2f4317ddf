"""The gateway's default wiring with the real contact vault and web inbox (SQLite in a temp dir)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

contact_vault = pytest.importorskip("bot.tickets.contact_vault", reason="tickets part not present")
web_inbox = pytest.importorskip("bot.channels.web_inbox", reason="web inbox not present")

from bot import db  # noqa: E402
from bot.channels.base import OutgoingMessage  # noqa: E402
from bot.chat.config import get_chat_settings  # noqa: E402
from bot.chat.router import router as chat_router  # noqa: E402
from bot.tickets import pii_crypto  # noqa: E402


@pytest.fixture
def wired_client(fake_rasa: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'chat.db'}")
    monkeypatch.setenv("RASA_URL", fake_rasa.url)
    monkeypatch.setenv("ACTION_SERVER_URL", fake_rasa.url)
    monkeypatch.setenv("PII_ENCRYPTION_KEY", "dGVzdC1rZXktZm9yLXBpaS1lbmNyeXB0aW9uLTMyYiE=")
    pii_crypto.reset_key_cache()
    db.reset_engine()
    get_chat_settings.cache_clear()
    db.init_db()
    app = FastAPI()
    app.include_router(chat_router)  # no chat_service on app.state: the router builds the default
    try:
        yield TestClient(app)
    finally:
        db.reset_engine()
        get_chat_settings.cache_clear()


def test_phone_reaches_the_real_vault_and_only_masked_text_reaches_rasa(
    wired_client: TestClient, fake_rasa: Any
) -> None:
    r = wired_client.post("/api/chat", json={"session_id": "web-wired", "text": "回声 联系电话13800138000"})
    assert r.status_code == 200
    assert fake_rasa.received[-1]["message"] == "回声 联系电话138****8000"
    with db.session_scope() as session:
        assert contact_vault.take(session, "web-wired", "138****8000") == "13800138000"


def test_handler_message_from_the_real_inbox_is_polled_once(wired_client: TestClient) -> None:
    web_inbox.WebInboxAdapter().deliver("web-wired", OutgoingMessage(text="您的诉求已受理", buttons=[]))
    first = wired_client.get("/api/chat/inbox", params={"session_id": "web-wired"}).json()
    assert [m["text"] for m in first["replies"]] == ["您的诉求已受理"]
    assert wired_client.get("/api/chat/inbox", params={"session_id": "web-wired"}).json()["replies"] == []


def test_offered_payload_is_remembered_in_the_database_and_honoured(wired_client: TestClient, fake_rasa: Any) -> None:
    r = wired_client.post("/api/chat", json={"session_id": "web-btn", "text": "我要办许可证"})
    payload = r.json()["replies"][0]["buttons"][0]["payload"]
    assert payload.startswith("/ask_item")
    # Another session cannot press this session's button: its press is typed text, slash removed.
    wired_client.post("/api/chat", json={"session_id": "web-other", "text": payload, "payload": payload})
    assert fake_rasa.received[-1]["message"] == payload.lstrip("/")
    # The session it was offered to can.
    wired_client.post("/api/chat", json={"session_id": "web-btn", "text": "公共场所卫生许可", "payload": payload})
    assert fake_rasa.received[-1]["message"] == payload
