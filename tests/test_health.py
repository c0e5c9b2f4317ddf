"""Honest health: the database and the action path (a canary through Rasa to the action server)."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from bot.db import make_engine
from bot.health import CANARY_ACTION, CANARY_MARKER, ActionPathCanary, database_check


class FakeRasaExecute:
    """Rasa's ``/conversations/<id>/execute``: with the action server up the canary's marker comes back;
    with it down Rasa still answers 200, with no messages (it logs the failure and carries on)."""

    def __init__(self) -> None:
        self.action_server_up = True
        self.calls: list[tuple[str, dict[str, Any]]] = []
        self.conversations: set[str] = set()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def _send(self, status: int, payload: dict[str, Any]) -> None:
                raw = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                conversation = self.path.split("/")[2]
                if self.path.split("?")[0].endswith("/tracker/events"):
                    fake.conversations.add(conversation)
                    self._send(200, {})
                    return
                if conversation not in fake.conversations:  # Rasa: "Conversation ID not found."
                    self._send(404, {"message": "Conversation ID not found."})
                    return
                fake.calls.append((self.path, body))
                messages = [{"recipient_id": "x", "custom": {"canary": CANARY_MARKER}}] if fake.action_server_up else []
                raw = json.dumps({"tracker": {}, "messages": messages}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def rasa() -> Iterator[FakeRasaExecute]:
    fake = FakeRasaExecute()
    yield fake
    fake.server.shutdown()
    fake.server.server_close()


def test_canary_sees_the_action_server_through_rasa(rasa: FakeRasaExecute) -> None:
    canary = ActionPathCanary(rasa.url, token="t0k", timeout_s=2, ttl_s=0)
    assert asyncio.run(canary()) is True
    path, body = rasa.calls[0]
    assert body == {"name": CANARY_ACTION}
    assert path.startswith("/conversations/health-canary-") and "/execute?" in path and "token=t0k" in path
    # The reported fault: Rasa up, action server unreachable from Rasa, health still "ok".
    rasa.action_server_up = False
    assert asyncio.run(canary()) is False


def test_canary_result_is_cached_for_its_ttl(rasa: FakeRasaExecute) -> None:
    now = [100.0]
    canary = ActionPathCanary(rasa.url, token=None, timeout_s=2, ttl_s=30, clock=lambda: now[0])
    assert asyncio.run(canary()) and asyncio.run(canary())
    assert len(rasa.calls) == 1
    now[0] += 31
    rasa.action_server_up = False
    assert asyncio.run(canary()) is False
    assert len(rasa.calls) == 2
    now[0] += 1  # a failure is kept only briefly: recovery shows within seconds
    assert asyncio.run(canary()) is False and len(rasa.calls) == 2
    rasa.action_server_up = True
    now[0] += 3
    assert asyncio.run(canary()) is True and len(rasa.calls) == 3


def test_canary_with_rasa_down_is_false() -> None:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    assert asyncio.run(ActionPathCanary(f"http://127.0.0.1:{port}", token=None, timeout_s=1, ttl_s=0)()) is False


def test_database_check(tmp_path: Path) -> None:
    """The reported fault: /api/health said "ok" through a database outage."""
    good = make_engine(f"sqlite:///{tmp_path / 'h.db'}")
    assert asyncio.run(database_check(lambda: good, timeout_s=3)()) is True
    bad = make_engine("postgresql+psycopg://postgres@127.0.0.1:1/nothing")
    assert asyncio.run(database_check(lambda: bad, timeout_s=3)()) is False


def test_the_app_wires_every_check() -> None:
    from bot.app import create_app

    assert {"knowledge", "database", "action_path"} <= set(create_app().state.health_checks)
