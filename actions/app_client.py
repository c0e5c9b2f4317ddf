"""HTTP client from the action server to the app (FastAPI gateway, knowledge engine, tickets).

Environment (read once, on first use):
- ``APP_URL`` — base URL of the app, default ``http://127.0.0.1:8000``
- ``INTERNAL_API_TOKEN`` — sent as ``X-Internal-Token`` (the app refuses internal calls without it)
- ``APP_TIMEOUT_SECONDS`` — total timeout of one call, default 15
- ``HELPLINE_PHONE`` — the deployment's consultation phone, default ``12345``

Every call has a timeout. A transport failure or a 5xx raises :class:`AppUnavailableError`, which the
actions turn into a clear "system busy, call …" message.
"""

from __future__ import annotations

import asyncio
import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Any
from urllib.parse import quote

import aiohttp

logger = logging.getLogger(__name__)


class AppUnavailableError(Exception):
    """The app did not answer, or answered with a server error or unexpected body."""


class NotFoundError(Exception):
    """The app answered 404."""


class RequestRejectedError(AppUnavailableError):
    """The app refused the request (a 4xx other than 404), e.g. 403 or 409 on a rating."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class AppClientSettings:
    app_url: str = "http://127.0.0.1:8000"
    internal_token: str | None = None
    timeout_seconds: float = 15.0
    helpline_phone: str = "12345"

    @classmethod
    def from_env(cls) -> AppClientSettings:
        timeout = os.environ.get("APP_TIMEOUT_SECONDS", "").strip()
        return cls(
            app_url=(os.environ.get("APP_URL") or cls.app_url).rstrip("/"),
            internal_token=os.environ.get("INTERNAL_API_TOKEN") or None,
            timeout_seconds=float(timeout) if timeout else cls.timeout_seconds,
            helpline_phone=os.environ.get("HELPLINE_PHONE") or cls.helpline_phone,
        )


@lru_cache(maxsize=1)
def get_settings() -> AppClientSettings:
    return AppClientSettings.from_env()


class AppClient:
    """One method per contract endpoint of docs/ARCHITECTURE.md; returns the decoded JSON body."""

    def __init__(self, settings: AppClientSettings) -> None:
        self._settings = settings

    async def _request(
        self,
        method: str,
        path: str,
        *,
        json: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """One call; anything personal goes in the JSON body (there is deliberately no query-string support)."""
        url = self._settings.app_url + path
        headers = {"Accept": "application/json"}
        if self._settings.internal_token:
            headers["X-Internal-Token"] = self._settings.internal_token
        timeout = aiohttp.ClientTimeout(total=self._settings.timeout_seconds)
        try:
            async with _session().request(method, url, json=json, headers=headers, timeout=timeout) as resp:
                if resp.status == 404:
                    raise NotFoundError(path)
                if resp.status >= 400:
                    logger.warning("app %s %s answered %s", method, path, resp.status)
                    if resp.status < 500:
                        raise RequestRejectedError(f"{method} {path}: HTTP {resp.status}", resp.status)
                    raise AppUnavailableError(f"{method} {path}: HTTP {resp.status}")
                data = await resp.json(content_type=None)
        except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as exc:
            logger.warning("app %s %s failed: %s", method, path, exc)
            raise AppUnavailableError(f"{method} {path}: {exc}") from exc
        if not isinstance(data, dict):
            raise AppUnavailableError(f"{method} {path}: body is not an object")
        return data

    async def search(self, text: str, *, context: dict[str, Any], region: str | None = None) -> dict[str, Any]:
        return await self._request("POST", "/api/search", json={"text": text, "context": context, "region": region})

    async def match_item(self, text: str) -> dict[str, Any]:
        # POST: the citizen's text never goes into a URL (URLs reach access logs).
        return await self._request("POST", "/api/items/match", json={"text": text})

    async def create_ticket(self, body: dict[str, Any]) -> dict[str, Any]:
        return await self._request("POST", "/api/internal/tickets", json=body)

    async def contact_known(self, *, session_id: str, masked: str) -> dict[str, Any]:
        """Whether the gateway kept the full number behind ``masked`` for this session (``{"known": bool}``)."""
        return await self._request(
            "POST", "/api/internal/contacts/known", json={"session_id": session_id, "masked": masked}
        )

    async def ticket_status(self, number: str, *, session_id: str, phone_last4: str | None = None) -> dict[str, Any]:
        """``{"visible": bool, "ticket": {...} | None}``; raises ``RequestRejectedError`` (429) past the limit."""
        body = {"number": number, "session_id": session_id, "phone_last4": phone_last4}
        return await self._request("POST", "/api/internal/tickets/status", json=body)

    async def rate_ticket(
        self, number: str, *, session_id: str, rating: str, comment: str | None = None
    ) -> dict[str, Any]:
        return await self._request(
            "POST",
            f"/api/internal/tickets/{quote(number, safe='')}/rating",
            json={"session_id": session_id, "rating": rating, "comment": comment},
        )


KEEPALIVE_S = 4.0
_sessions: dict[asyncio.AbstractEventLoop, aiohttp.ClientSession] = {}


def _session() -> aiohttp.ClientSession:
    """One HTTP session (and its pool of keep-alive connections to the app) per event loop, made on first
    use: the action server runs one loop for its whole life, so every call reuses warm connections instead
    of opening a session, a connection and a DNS look-up per call."""
    loop = asyncio.get_running_loop()
    session = _sessions.get(loop)
    if session is None or session.closed:
        for old in [old for old in _sessions if old.is_closed()]:  # loops that ended (tests run one per test)
            _sessions.pop(old).detach()
        # Idle connections are dropped after 4 s, before the app's server would close them (uvicorn: 5 s),
        # so a call never races a server-side close.
        connector = aiohttp.TCPConnector(keepalive_timeout=KEEPALIVE_S)
        session = _sessions[loop] = aiohttp.ClientSession(connector=connector)
    return session


def get_client() -> AppClient:
    """A client for the current settings (cheap: the HTTP session is shared, see ``_session``)."""
    return AppClient(get_settings())
