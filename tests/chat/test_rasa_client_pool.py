"""The gateway keeps its connections to Rasa: turns in one event loop reuse one keep-alive connection
(no client and connection per turn), and a new loop gets a working client of its own."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from bot.chat.rasa_client import RasaClient
from tests.chat.conftest import make_settings


@pytest.fixture
def keepalive_rasa() -> Iterator[tuple[str, list[int]]]:
    """An HTTP/1.1 stand-in of Rasa's REST webhook; yields its URL and the client port of every request."""
    ports: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self) -> None:
            sent = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            ports.append(self.client_address[1])
            body = json.dumps([{"recipient_id": sent["sender"], "text": "您好：" + sent["message"]}]).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", ports
    server.shutdown()
    server.server_close()


def test_turns_in_one_loop_share_one_connection(keepalive_rasa: tuple[str, list[int]]) -> None:
    url, ports = keepalive_rasa
    client = RasaClient(make_settings(url))

    async def three_turns() -> list[str]:
        return [(await client.send("s-1", f"问{n}")).replies[0].text for n in range(3)]

    assert asyncio.run(three_turns()) == ["您好：问0", "您好：问1", "您好：问2"]
    assert len(ports) == 3 and len(set(ports)) == 1  # one connection, reused


def test_a_new_event_loop_gets_a_working_client(keepalive_rasa: tuple[str, list[int]]) -> None:
    url, ports = keepalive_rasa
    client = RasaClient(make_settings(url))
    assert asyncio.run(client.send("s-2", "一")).replies[0].text == "您好：一"
    assert asyncio.run(client.send("s-2", "二")).replies[0].text == "您好：二"
    assert len(ports) == 2
