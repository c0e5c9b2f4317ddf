"""The FastAPI application: chat gateway, knowledge search, tickets, handler desk and web pages.

`uvicorn bot.app:create_app --factory`. Nothing happens at import; the lifespan migrates the
database, starts the outbox worker and warms the knowledge engine in the background.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

logger = logging.getLogger(__name__)


async def _warm_engine() -> None:
    from knowledge.service import get_engine

    try:
        await asyncio.to_thread(get_engine)
    except Exception:
        logger.exception("the knowledge engine failed to build; /api/health stays unavailable")


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from bot.tickets.lifecycle import tickets_lifespan
    from bot.tickets.scheduler import scheduler_running

    warm = asyncio.create_task(_warm_engine(), name="warm-knowledge-engine")
    async with tickets_lifespan(app), scheduler_running(app):  # migrations, first admin, outbox worker; deadlines
        yield
    warm.cancel()


def create_app() -> FastAPI:
    from bot.analytics.recorder import record_turn
    from bot.channels.wechat.config import get_wechat_settings
    from bot.channels.wechat.setup import install_wechat
    from bot.chat.router import build_default_service, install_chat_cors
    from bot.chat.router import router as chat_router
    from bot.core.secrets import APP_SECRETS, require
    from bot.core.security import get_security_settings, install_security
    from bot.core.timing import ServerTimingMiddleware
    from bot.health import default_checks
    from bot.operations import install_operations
    from bot.pii import configure_logging
    from bot.search.router import router as search_router
    from bot.tickets.router_desk import router as desk_router
    from bot.tickets.router_internal import router as tickets_internal_router
    from bot.web.router import router as web_router
    from knowledge.service import is_ready

    configure_logging()
    require(APP_SECRETS)  # outside local development a missing secret stops the start here
    security = get_security_settings()
    docs = security.app_docs_enabled  # /docs and /openapi.json only when enabled
    app = FastAPI(
        title="卫生健康政务服务助手",
        version="0.1.0",
        lifespan=lifespan,
        docs_url="/docs" if docs else None,
        redoc_url=None,
        openapi_url="/openapi.json" if docs else None,
    )
    app.state.health_checks = {"knowledge": is_ready, **default_checks()}  # index, database, Rasa → actions
    install_chat_cors(app)
    install_security(app, security)
    for router in (chat_router, search_router, tickets_internal_router, desk_router, web_router):
        app.include_router(router)
    app.state.chat_service = build_default_service(record_turn=record_turn)  # analytics of each chat turn
    if get_wechat_settings().enabled:  # GET/POST /wechat only when WECHAT_TOKEN is set
        install_wechat(app, offered=app.state.chat_service.offered_store)
    install_operations(app)  # dashboard, holiday calendar, 挂起, /metrics, calendar health (degraded)
    app.add_middleware(ServerTimingMiddleware)  # Server-Timing of each hop, only when SERVER_TIMING=1 (bench/hops.py)
    return app
