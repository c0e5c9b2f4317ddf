"""Wiring of the WeChat channel into the app (called by the app factory when ``WECHAT_TOKEN`` is set)."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

import httpx
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker

from bot.channels.base import OutgoingMessage, register_adapter
from bot.channels.wechat.adapter import WeChatAdapter
from bot.channels.wechat.api import CustomerServiceApi, TokenCache
from bot.channels.wechat.config import WeChatSettings, get_wechat_settings
from bot.channels.wechat.conversation import WeChatConversation
from bot.channels.wechat.endpoint import WeChatProtocol
from bot.channels.wechat.router import router
from bot.channels.wechat.store import WeChatStore
from bot.chat.contracts import OfferedStore, TurnOutcome
from bot.chat.schemas import ChatRequest
from bot.chat.service import ChatService
from bot.db import get_sessionmaker
from bot.tickets import outbox
from bot.tickets.enums import OutboxKind

logger = logging.getLogger(__name__)

CHANNEL = "wechat"


def enqueue_parts(session_factory: Callable[[], sessionmaker[Session]], session_id: str, parts: list[str]) -> None:
    """Queue each part as its own customer-service message, in order (one outbox row per WeChat message)."""
    now = dt.datetime.now(dt.UTC)
    messages = [OutgoingMessage(text=part).model_dump() for part in parts]
    with session_factory()() as db:
        for i, message in enumerate(messages):
            outbox.enqueue(
                db,
                kind=OutboxKind.channel,
                ticket_id=None,
                payload={"channel": CHANNEL, "session_id": session_id, "message": message},
                now=now + dt.timedelta(milliseconds=i),
            )
        db.commit()


def install_wechat(
    app: FastAPI,
    *,
    settings: WeChatSettings | None = None,
    session_factory: Callable[[], sessionmaker[Session]] = get_sessionmaker,
    http_client: httpx.Client | None = None,
    offered: OfferedStore | None = None,
) -> None:
    """Mount ``GET/POST /wechat`` and register the WeChat adapter for the outbox. ``offered`` is the chat
    gateway's store of offered buttons: buttons a handler's message carries to WeChat are remembered there,
    so the citizen's numbered answer is honoured as a button press."""
    settings = settings or get_wechat_settings()
    http = http_client or httpx.Client(timeout=settings.http_timeout_s)
    store = WeChatStore(session_factory)
    api = CustomerServiceApi(settings, TokenCache(settings, session_factory, http), http)
    register_adapter(
        CHANNEL, WeChatAdapter(store=store, api=api, text_max_bytes=settings.text_max_bytes, offered=offered)
    )

    async def turn(request: ChatRequest) -> TurnOutcome:
        service: ChatService | None = getattr(app.state, "chat_service", None)
        if service is None:
            from bot.chat.router import build_default_service

            service = build_default_service()
            app.state.chat_service = service
        return await service.handle_turn(request)

    app.state.wechat_protocol = WeChatProtocol(settings)
    app.state.wechat_max_body = settings.max_body_bytes
    app.state.wechat_conversation = WeChatConversation(
        turn=turn,
        store=store,
        enqueue_parts=lambda session_id, parts: enqueue_parts(session_factory, session_id, parts),
        reply_budget_s=settings.reply_budget_s,
        text_max_bytes=settings.text_max_bytes,
        dedupe_ttl_s=settings.dedupe_ttl_s,
    )
    app.include_router(router)
    mode = "encrypted" if settings.aes_keys else "plaintext"
    logger.info("WeChat channel enabled at /wechat (%s mode, API %s)", mode, settings.api_base)
