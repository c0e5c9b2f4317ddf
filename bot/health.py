"""Health checks of what a citizen's turn needs, for ``GET /api/health`` (wired in ``bot/app.py``).

- ``database``: ``SELECT 1`` on the tickets database, within ``HEALTH_TIMEOUT_S``.
- ``action_path``: a canary through Rasa to the action server: ``POST /conversations/<id>/execute``
  of ``action_health_canary``, which answers a fixed marker and creates nothing. It proves Rasa is up,
  its tracker and lock stores work, and Rasa reaches the action server. The canary writes a few events
  to Rasa's tracker store under ``health-canary-<host>-<pid>-<UTC hour>``, so its result is cached for
  ``HEALTH_CANARY_TTL_S`` (default 30 s) to keep that small.

The knowledge index check (``knowledge.service.is_ready``) is wired beside these.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable
from functools import lru_cache

import httpx
from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict
from sqlalchemy import Engine, text

logger = logging.getLogger(__name__)

CANARY_ACTION = "action_health_canary"
CANARY_MARKER = "health-canary-ok"  # actions/health.py sends the same
FAILURE_TTL_S = 3.0


class HealthSettings(BaseSettings):
    model_config = SettingsConfigDict(extra="ignore")

    health_timeout_s: float = Field(default=3.0, gt=0, validation_alias=AliasChoices("HEALTH_TIMEOUT_S"))
    canary_ttl_s: float = Field(default=30.0, ge=0, validation_alias=AliasChoices("HEALTH_CANARY_TTL_S"))


@lru_cache(maxsize=1)
def get_health_settings() -> HealthSettings:
    return HealthSettings()


def database_check(get_engine: Callable[[], Engine], *, timeout_s: float) -> Callable[[], Awaitable[bool]]:
    def probe() -> bool:
        with get_engine().connect() as conn:
            return conn.execute(text("SELECT 1")).scalar() == 1

    async def check() -> bool:
        try:
            return await asyncio.wait_for(asyncio.to_thread(probe), timeout=timeout_s)
        except Exception as exc:
            logger.warning("health: database unreachable (%s)", type(exc).__name__)
            return False

    return check


def canary_sender(now: dt.datetime | None = None) -> str:
    hour = (now or dt.datetime.now(dt.UTC)).strftime("%Y%m%d%H")
    return f"health-canary-{socket.gethostname()}-{os.getpid()}-{hour}"


class ActionPathCanary:
    """Runs ``action_health_canary`` through Rasa; True only if the action server's marker comes back."""

    def __init__(
        self,
        rasa_url: str,
        *,
        token: str | None,
        timeout_s: float,
        ttl_s: float,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._rasa_url = rasa_url.rstrip("/")
        self._token = token
        self._timeout = timeout_s
        self._ttl = ttl_s
        self._transport = transport
        self._clock = clock
        self._cached: tuple[float, bool] | None = None

    async def __call__(self) -> bool:
        now = self._clock()
        if self._cached is not None:
            at, ok = self._cached
            # A success holds for the TTL; a failure only briefly, so recovery (and start-up) shows at once.
            if now - at < (self._ttl if ok else min(self._ttl, FAILURE_TTL_S)):
                return ok
        ok = await self._probe()
        self._cached = (now, ok)
        return ok

    async def _probe(self) -> bool:
        params = {"include_events": "NONE"}
        if self._token:
            params["token"] = self._token
        base = f"{self._rasa_url}/conversations/{canary_sender()}"
        try:
            async with httpx.AsyncClient(timeout=self._timeout, transport=self._transport) as client:
                resp = await client.post(f"{base}/execute", json={"name": CANARY_ACTION}, params=params)
                if resp.status_code == 404:  # Rasa executes only in an existing conversation: start it
                    start = {"event": "action", "name": "action_listen"}
                    await client.post(f"{base}/tracker/events", json=start, params=params)
                    resp = await client.post(f"{base}/execute", json={"name": CANARY_ACTION}, params=params)
        except httpx.HTTPError as exc:
            logger.warning("health: canary through Rasa failed (%s)", type(exc).__name__)
            return False
        if resp.status_code != 200:
            logger.warning("health: canary through Rasa answered HTTP %s", resp.status_code)
            return False
        try:
            messages = resp.json().get("messages") or []
        except (ValueError, AttributeError):
            return False
        ok = any(isinstance(m, dict) and (m.get("custom") or {}).get("canary") == CANARY_MARKER for m in messages)
        if not ok:
            logger.warning("health: Rasa ran the canary but the action server did not answer it")
        return ok


def default_checks() -> dict[str, Callable[[], Awaitable[bool]]]:
    """The database and action-path checks for the app's ``health_checks``."""
    from bot.chat.config import get_chat_settings
    from bot.db import get_engine

    health = get_health_settings()
    chat = get_chat_settings()
    canary = ActionPathCanary(
        chat.rasa_url,
        token=chat.rasa_token.get_secret_value() if chat.rasa_token else None,
        timeout_s=max(health.health_timeout_s, chat.chat_health_timeout_seconds),
        ttl_s=health.canary_ttl_s,
    )
    return {"database": database_check(get_engine, timeout_s=health.health_timeout_s), "action_path": canary}
