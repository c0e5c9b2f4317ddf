"""Fixtures of the chat gateway tests: a real HTTP server on loopback that plays Rasa's REST
channel (and the action server's /health), and builders of the gateway around it."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi import FastAPI

from bot.chat.config import ChatSettings
from bot.chat.rasa_client import RasaClient
from bot.chat.router import router as chat_router
from bot.chat.service import ChatService
from bot.web.router import router as web_router

GUIDE_SOURCE = {
    "title": "护士执业注册办事指南",
    "url": "https://zwfw.example.gov.cn/guide/nurse-practice-registration",
    "region": "市本级",
}
PUBLIC_PLACE_SOURCE = {"title": "公共场所卫生许可办事指南", "url": None, "region": "某某区"}
CLARIFY_BUTTONS = [
    {"title": "公共场所卫生许可", "payload": '/ask_item{"item_code": "public-place-hygiene-license"}'},
    {"title": "供水单位卫生许可", "payload": '/ask_item{"item_code": "water-supply-hygiene-license"}'},
]


def scripted_rasa(sender: str, message: str) -> list[dict[str, Any]]:
    """A tiny stand-in for the trained assistant: enough turns to drive the widget."""
    if message.startswith('/ask_item{"item_code": "public-place'):
        return [
            {"recipient_id": sender, "text": "公共场所卫生许可（新办）需要：\n1. 卫生许可申请表\n2. 营业执照复印件"},
            {
                "recipient_id": sender,
                "custom": {
                    "meta": {
                        "kind": "answer",
                        "item": {"code": "public-place-hygiene-license", "name": "公共场所卫生许可"},
                        "aspect": "materials",
                        "confidence": 0.82,
                        "sources": [PUBLIC_PLACE_SOURCE],
                    }
                },
            },
        ]
    if "许可证" in message:
        return [
            {"recipient_id": sender, "text": "您想办理哪一项许可？", "buttons": CLARIFY_BUTTONS},
            {"recipient_id": sender, "custom": {"meta": {"kind": "clarify"}}},
        ]
    if "材料" in message:
        return [
            {"recipient_id": sender, "text": "护士执业首次注册需要提交：护士执业注册申请审核表、健康体检证明。"},
            {
                "recipient_id": sender,
                "custom": {
                    "meta": {
                        "kind": "answer",
                        "item": {"code": "nurse-practice-registration", "name": "护士执业注册"},
                        "aspect": "materials",
                        "confidence": 0.91,
                        "sources": [GUIDE_SOURCE],
                    }
                },
            },
        ]
    if message.startswith("回声"):
        return [{"recipient_id": sender, "text": "您说的是：" + message}]
    if message == "在吗":
        return [{"recipient_id": sender, "text": "您好，我在。"}]
    return []


@dataclass
class FakeRasa:
    """State of the loopback server: what it received and how it answers."""

    url: str = ""
    received: list[dict[str, Any]] = field(default_factory=list)
    respond: Callable[[str, str], list[dict[str, Any]]] = scripted_rasa
    webhook_status: int = 200
    status_model: bool = True
    status_code: int = 200
    action_health: bool = True
    tracker_events: list[tuple[str, dict[str, Any]]] = field(default_factory=list)  # (sender, event) appended


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _make_handler(fake: FakeRasa) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

        def _json(self, status: int, body: Any) -> None:
            raw = json.dumps(body, ensure_ascii=False).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0]
            if path == "/status":
                if fake.status_code != 200:
                    self._json(fake.status_code, {"status": "failure"})
                else:
                    self._json(200, {"model_file": "models/test.tar.gz" if fake.status_model else None})
            elif path == "/webhooks/rest/":
                self._json(200, {"status": "ok"})
            elif path == "/health":
                self._json(200 if fake.action_health else 500, {"status": "ok"})
            else:
                self._json(404, {"status": "not found"})

        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            path = self.path.split("?", 1)[0]
            if path.startswith("/conversations/") and path.endswith("/tracker/events"):
                fake.tracker_events.append((path.split("/")[2], body))
                self._json(200, {"sender_id": path.split("/")[2], "events": []})
                return
            if path != "/webhooks/rest/webhook":
                self._json(404, {"status": "not found"})
                return
            fake.received.append(body)
            if fake.webhook_status != 200:
                self._json(fake.webhook_status, {"error": "boom"})
                return
            self._json(200, fake.respond(body["sender"], body["message"]))

    return Handler


@pytest.fixture
def fake_rasa() -> Iterator[FakeRasa]:
    fake = FakeRasa()
    port = _free_port()
    server = ThreadingHTTPServer(("127.0.0.1", port), _make_handler(fake))
    fake.url = f"http://127.0.0.1:{port}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture
def dead_url() -> str:
    """A loopback URL where nothing listens."""
    return f"http://127.0.0.1:{_free_port()}"


class MemoryVault:
    """Records what the gateway hands to the contact vault (the vault is not under test here)."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, str, str]] = []

    def remember(self, session_id: str, masked: str, raw: str) -> None:
        self.entries.append((session_id, masked, raw))


class MemoryOffered:
    """Offered payloads in memory (the database-backed store has its own tests)."""

    def __init__(self) -> None:
        self.offered: dict[str, set[str]] = {}

    def remember(self, session_id: str, payloads: Any) -> None:
        self.offered.setdefault(session_id, set()).update(payloads)

    def was_offered(self, session_id: str, payload: str) -> bool:
        return payload in self.offered.get(session_id, set())


class MemoryInbox:
    """Messages handlers queued for sessions; fetching marks them delivered, like the web inbox."""

    def __init__(self) -> None:
        self.pending: dict[str, list[dict[str, Any]]] = {}

    def add(self, session_id: str, text: str, buttons: list[dict[str, str]] | None = None) -> None:
        self.pending.setdefault(session_id, []).append({"text": text, "buttons": buttons or []})

    def fetch_undelivered(self, session_id: str) -> list[dict[str, Any]]:
        return self.pending.pop(session_id, [])


def make_settings(rasa_url: str, **kw: Any) -> ChatSettings:
    return ChatSettings(
        rasa_url=rasa_url,
        action_server_url=kw.pop("action_server_url", rasa_url),
        chat_rasa_timeout_seconds=kw.pop("timeout", 5.0),
        **kw,
    )


def make_service(
    rasa_url: str, vault: MemoryVault | None = None, inbox: MemoryInbox | None = None, **kw: Any
) -> ChatService:
    offered = kw.pop("offered", None)
    item_name = kw.pop("item_name", None)
    settings = make_settings(rasa_url, **kw)
    return ChatService(
        settings=settings,
        backend=RasaClient(settings),
        remember_contact=vault.remember if vault else None,
        fetch_inbox=inbox.fetch_undelivered if inbox else None,
        offered=offered or MemoryOffered(),
        item_name=item_name,
    )


def make_app(service: ChatService, knowledge_ready: bool = True) -> FastAPI:
    app = FastAPI()
    app.include_router(chat_router)
    app.include_router(web_router)
    app.state.chat_service = service
    app.state.health_checks = {"knowledge": lambda: knowledge_ready}
    return app


@pytest.fixture
def memory_vault() -> MemoryVault:
    return MemoryVault()


@pytest.fixture
def memory_inbox() -> MemoryInbox:
    return MemoryInbox()


@pytest.fixture
def build_service() -> Callable[..., ChatService]:
    return make_service


@pytest.fixture
def build_app() -> Callable[..., FastAPI]:
    return make_app
