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

    warm = asyncio.create_task(_warm_engine(), name="warm-knowledge-engine")
    async with tickets_lifespan(app):  # migrations, first admin, outbox worker
        yield
    warm.cancel()


def create_app() -> FastAPI:
    from bot.chat.router import install_chat_cors
    from bot.chat.router import router as chat_router
    from bot.health import default_checks
    from bot.pii import configure_logging
    from bot.search.router import router as search_router
    from bot.tickets.router_desk import router as desk_router
    from bot.tickets.router_internal import router as tickets_internal_router
    from bot.web.router import router as web_router
    from knowledge.service import is_ready

    configure_logging()
    app = FastAPI(title="卫生健康政务服务助手", version="0.1.0", lifespan=lifespan)
    app.state.health_checks = {"knowledge": is_ready, **default_checks()}  # index, database, Rasa → actions
    install_chat_cors(app)
    for router in (chat_router, search_router, tickets_internal_router, desk_router, web_router):
        app.include_router(router)
    return app
