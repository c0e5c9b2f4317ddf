"""Async client of Rasa's REST channel and readiness probe of Rasa and its action server."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

import httpx

from bot.chat.config import ChatSettings
from bot.chat.schemas import Button, Reply

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/webhooks/rest/webhook"
KEEPALIVE_S = 4.0


class RasaUnavailableError(Exception):
    """Rasa could not be reached, timed out, or answered with something unusable."""


@dataclass
class RasaTurn:
    """What Rasa answered to one message: the text replies in order and the last meta seen."""

    replies: list[Reply] = field(default_factory=list)
    meta: dict[str, Any] | None = None


def _parse_buttons(raw: Any) -> list[Button]:
    buttons: list[Button] = []
    if not isinstance(raw, list):
        return buttons
    for b in raw:
        if not isinstance(b, dict) or not isinstance(b.get("title"), str):
            continue
        payload = b.get("payload")
        buttons.append(Button(title=b["title"], payload=payload if isinstance(payload, str) else b["title"]))
    return buttons


def parse_messages(messages: Any) -> RasaTurn:
    """Turn the REST channel's list of bot messages into replies and the last meta.

    A message may carry ``text`` (with ``buttons``), ``custom`` (``{"meta": {...}}``) or both;
    anything else (images, attachments) is skipped.
    """
    turn = RasaTurn()
    if not isinstance(messages, list):
        raise RasaUnavailableError(f"expected a list of messages, got {type(messages).__name__}")
    for msg in messages:
        if not isinstance(msg, dict):
            continue
        text = msg.get("text")
        buttons = _parse_buttons(msg.get("buttons"))
        if isinstance(text, str) and text.strip():
            turn.replies.append(Reply(text=text, buttons=buttons))
        elif buttons and turn.replies:
            # buttons sent without text belong to the previous reply
            turn.replies[-1].buttons.extend(buttons)
        custom = msg.get("custom")
        if isinstance(custom, dict) and isinstance(custom.get("meta"), dict):
            turn.meta = custom["meta"]
    return turn


class RasaClient:
    def __init__(self, settings: ChatSettings, transport: httpx.AsyncBaseTransport | None = None) -> None:
        self._rasa_url = settings.rasa_url.rstrip("/")
        self._action_url = settings.action_server_url.rstrip("/")
        self._token = settings.rasa_token.get_secret_value() if settings.rasa_token else None
        self._timeout = httpx.Timeout(settings.chat_rasa_timeout_seconds, connect=5.0)
        self._health_timeout = httpx.Timeout(settings.chat_health_timeout_seconds)
        self._transport = transport
        self._clients: dict[asyncio.AbstractEventLoop, httpx.AsyncClient] = {}

    def _client(self) -> httpx.AsyncClient:
        """One client (a pool of keep-alive connections to Rasa) per event loop, made on first use.

        The app serves on one loop for its life, so turns reuse warm connections; tests that run each turn
        in a fresh loop get a fresh client. Idle connections are dropped after 4 s, before Rasa's server
        closes them (Sanic: 5 s), so a turn never races a server-side close.
        """
        loop = asyncio.get_running_loop()
        client = self._clients.get(loop)
        if client is None or client.is_closed:
            for ended in [old for old in self._clients if old.is_closed()]:
                del self._clients[ended]
            limits = httpx.Limits(max_connections=None, max_keepalive_connections=64, keepalive_expiry=KEEPALIVE_S)
            client = httpx.AsyncClient(timeout=self._timeout, transport=self._transport, limits=limits)
            self._clients[loop] = client
        return client

    def _params(self) -> dict[str, str]:
        return {"token": self._token} if self._token else {}

    async def send(self, session_id: str, masked_text: str, metadata: dict[str, Any] | None = None) -> RasaTurn:
        """Send one (already masked) message as ``sender=session_id``, with optional REST ``metadata``
        (the question gate's verdict, read by Rasa's NLU pipeline)."""
        body: dict[str, Any] = {"sender": session_id, "message": masked_text}
        if metadata:
            body["metadata"] = metadata
        try:
            resp = await self._client().post(self._rasa_url + WEBHOOK_PATH, json=body, params=self._params())
        except httpx.HTTPError as exc:
            raise RasaUnavailableError(f"{type(exc).__name__} calling Rasa") from exc
        if resp.status_code != 200:
            raise RasaUnavailableError(f"Rasa answered HTTP {resp.status_code}")
        try:
            data = resp.json()
        except ValueError as exc:
            raise RasaUnavailableError("Rasa answered with invalid JSON") from exc
        return parse_messages(data)

    async def ready(self) -> dict[str, bool]:
        """``{"rasa": …, "action_server": …}``: Rasa has a model loaded, the action server is up.

        ``GET /status`` (needs ``rasa run --enable-api``) must report a model file. When that
        API is not enabled (404/401/403) the REST channel's own health route is used instead:
        ``rasa run`` accepts connections only once the model is loaded.
        """
        async with httpx.AsyncClient(timeout=self._health_timeout, transport=self._transport) as client:
            return {
                "rasa": await self._rasa_ready(client),
                "action_server": await self._get_ok(client, self._action_url + "/health"),
            }

    async def _rasa_ready(self, client: httpx.AsyncClient) -> bool:
        try:
            resp = await client.get(self._rasa_url + "/status", params=self._params())
        except httpx.HTTPError as exc:
            logger.info("Rasa not reachable: %s", type(exc).__name__)
            return False
        if resp.status_code == 200:
            try:
                status = resp.json()
            except ValueError:
                return False
            return bool(isinstance(status, dict) and (status.get("model_file") or status.get("model_id")))
        if resp.status_code in (401, 403, 404):
            return await self._get_ok(client, self._rasa_url + "/webhooks/rest/")
        logger.info("Rasa /status answered HTTP %s", resp.status_code)
        return False

    async def _get_ok(self, client: httpx.AsyncClient, url: str) -> bool:
        try:
            resp = await client.get(url)
        except httpx.HTTPError as exc:
            logger.info("%s not reachable: %s", url, type(exc).__name__)
            return False
        return resp.status_code == 200
