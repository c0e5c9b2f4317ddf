"""Rasa's call to the action server (`EndpointConfig.request`, as `RemoteAction.run` makes it) as our
launcher installs it: one kept-alive connection, and one retry when the connection was closed under the
call (the previous soak's four 503s). The action server here is a small HTTP/1.1 server on loopback
that can close its first connections without answering."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
import pytest


class ActionServer:
    """Answers POSTs with ``{"events": [], "responses": []}`` (or ``status``), keeping connections open."""

    def __init__(self, *, drop_first: int = 0, status: int = 200) -> None:
        self.drop_first = drop_first
        self.status = status
        self.connections = 0
        self.requests = 0
        self.url = ""
        self._server: asyncio.AbstractServer | None = None

    async def __aenter__(self) -> ActionServer:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}/webhook"
        return self

    async def __aexit__(self, *_exc: Any) -> None:
        assert self._server is not None
        self._server.close()
        await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        if self.connections <= self.drop_first:
            writer.close()  # closed under the caller, nothing read or answered
            return
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                length = 0
                for line in head.decode("latin-1").split("\r\n"):
                    if line.lower().startswith("content-length:"):
                        length = int(line.split(":", 1)[1])
                await reader.readexactly(length)
                self.requests += 1
                body = json.dumps({"events": [], "responses": []}).encode()
                writer.write(
                    f"HTTP/1.1 {self.status} X\r\nContent-Type: application/json\r\n"
                    f"Content-Length: {len(body)}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            writer.close()


def _endpoint(url: str) -> Any:
    from rasa.utils.endpoints import EndpointConfig

    return EndpointConfig(url, headers={"X-Action-Token": "t"})


async def _call(endpoint: Any) -> Any:
    return await endpoint.request(json={"next_action": "action_answer"}, method="post", timeout=10)


@pytest.fixture
def pooled(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.utils.endpoints import EndpointConfig

    from rasa_server.action_endpoint import pooled_request

    monkeypatch.setattr(EndpointConfig, "request", pooled_request)


def test_rasas_own_call_fails_when_the_connection_is_closed_under_it() -> None:
    """The defect: one closed connection and the turn's action fails (the citizen gets 系统繁忙)."""

    async def run() -> None:
        async with ActionServer(drop_first=1) as server:
            with pytest.raises(aiohttp.ClientConnectionError):
                await _call(_endpoint(server.url))

    asyncio.run(run())


def test_a_connection_closed_under_the_call_is_retried_once(pooled: None) -> None:
    async def run() -> None:
        async with ActionServer(drop_first=1) as server:
            assert await _call(_endpoint(server.url)) == {"events": [], "responses": []}
            assert server.connections == 2 and server.requests == 1

    asyncio.run(run())


def test_only_once(pooled: None) -> None:
    async def run() -> None:
        async with ActionServer(drop_first=10) as server:
            with pytest.raises(aiohttp.ClientConnectionError):
                await _call(_endpoint(server.url))
            assert server.connections == 2

    asyncio.run(run())


def test_an_error_status_is_rasas_error_and_not_retried(pooled: None) -> None:
    from rasa.utils.endpoints import ClientResponseError

    async def run() -> None:
        async with ActionServer(status=500) as server:
            with pytest.raises(ClientResponseError) as caught:
                await _call(_endpoint(server.url))
            assert caught.value.status == 500
            assert server.requests == 1

    asyncio.run(run())


def test_calls_share_one_kept_alive_connection(pooled: None) -> None:
    async def run() -> None:
        async with ActionServer() as server:
            endpoint = _endpoint(server.url)
            for _ in range(4):
                assert await _call(endpoint) == {"events": [], "responses": []}
            assert server.requests == 4 and server.connections == 1

    asyncio.run(run())


def test_the_launcher_installs_it(monkeypatch: pytest.MonkeyPatch) -> None:
    from rasa.utils.endpoints import EndpointConfig

    from rasa_server.action_endpoint import install_pooled_endpoint_requests, pooled_request

    monkeypatch.setattr(EndpointConfig, "request", EndpointConfig.request)
    install_pooled_endpoint_requests()
    assert EndpointConfig.request is pooled_request
