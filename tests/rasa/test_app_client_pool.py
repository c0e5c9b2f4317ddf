"""The action server's client to the app keeps its connections: calls in one event loop reuse one
keep-alive connection (no session, connection and handshake per call), and a new loop gets a working
session of its own."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

ANSWER = {"kind": "no_answer", "item": None, "aspect": None, "confidence": 0.1, "text": "无", "choices": []}


@pytest.fixture
def keepalive_app(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """An HTTP/1.1 app on loopback answering /api/search; yields the client port of every request."""
    from actions.app_client import get_settings

    ports: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers["Content-Length"]))
            ports.append(self.client_address[1])
            body = json.dumps(ANSWER).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    monkeypatch.setenv("APP_URL", f"http://127.0.0.1:{server.server_address[1]}")
    get_settings.cache_clear()
    yield ports
    get_settings.cache_clear()
    server.shutdown()
    server.server_close()


def test_calls_in_one_loop_share_one_connection(keepalive_app: list[int]) -> None:
    from actions.app_client import get_client

    async def three_searches() -> list[dict[str, Any]]:
        return [await get_client().search("护士注册", context={}) for _ in range(3)]

    answers = asyncio.run(three_searches())
    assert [a["kind"] for a in answers] == ["no_answer"] * 3
    assert len(keepalive_app) == 3 and len(set(keepalive_app)) == 1  # one connection, reused


def test_a_new_event_loop_gets_a_working_session(keepalive_app: list[int]) -> None:
    from actions.app_client import get_client

    first = asyncio.run(get_client().search("一", context={}))
    second = asyncio.run(get_client().search("二", context={}))
    assert first["kind"] == second["kind"] == "no_answer"
    assert len(keepalive_app) == 2 and keepalive_app[0] != keepalive_app[1]  # the old loop's connection is gone
