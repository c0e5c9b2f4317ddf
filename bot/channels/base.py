"""The channel adapter interface and a registry of adapters by channel name."""

from __future__ import annotations

import logging
from typing import Any, Protocol, runtime_checkable

from pydantic import BaseModel, Field

logger = logging.getLogger(__name__)


class Button(BaseModel):
    title: str
    payload: str


class OutgoingMessage(BaseModel):
    """A message for a citizen, independent of the channel that carries it."""

    text: str
    buttons: list[Button] = Field(default_factory=list)
    meta: dict[str, Any] = Field(default_factory=dict)


@runtime_checkable
class ChannelAdapter(Protocol):
    """Delivers a message to a citizen's conversation on one channel. Raises on failure (the outbox retries)."""

    def deliver(self, session_id: str, message: OutgoingMessage) -> None: ...


_registry: dict[str, ChannelAdapter] = {}

# Conversations whose session id starts with one of these belong to that channel (not the web chat).
SESSION_PREFIX_CHANNELS: dict[str, str] = {"wx-": "wechat"}


def channel_for_session(session_id: str, declared: str = "web") -> str:
    """The channel a session's messages go back through: the declared one, else by session id prefix."""
    if declared != "web":
        return declared
    return next((ch for prefix, ch in SESSION_PREFIX_CHANNELS.items() if session_id.startswith(prefix)), "web")


def register_adapter(name: str, adapter: ChannelAdapter) -> None:
    _registry[name] = adapter
    logger.info("channel adapter registered: %s", name)


def get_adapter(name: str) -> ChannelAdapter:
    """The adapter for a channel; the web inbox is always available under "web"."""
    if name not in _registry and name == "web":
        from bot.channels.web_inbox import WebInboxAdapter

        _registry["web"] = WebInboxAdapter()
    try:
        return _registry[name]
    except KeyError:
        raise LookupError(f"no channel adapter registered for {name!r}") from None


def registered_channels() -> list[str]:
    return sorted({"web", *_registry})
