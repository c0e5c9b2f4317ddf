"""The FastAPI application: chat gateway, knowledge search, tickets, handler desk and web pages.

`uvicorn bot.app:create_app --factory`. Nothing happens at import; the lifespan migrates the
database, warms the knowledge engine in the background and starts the periodic jobs listed in ``create_app``.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

logger = logging.getLogger(__name__)


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    from bot.console.live import knowledge_lifespan
    from bot.jobs import running_jobs
    from bot.tickets.lifecycle import tickets_lifespan

    # migrations and the first admin; the knowledge store (first import, engine warm-up); then the periodic jobs
    async with tickets_lifespan(app), knowledge_lifespan(app), running_jobs(app.state.jobs):
        yield


def create_app() -> FastAPI:
    from bot.analytics.recorder import TurnRecorder
    from bot.channels.wechat.config import get_wechat_settings
    from bot.channels.wechat.setup import install_wechat
    from bot.chat.router import build_default_service, install_chat_cors
    from bot.chat.router import router as chat_router
    from bot.console.config import get_console_settings
    from bot.console.live import knowledge_poll_job
    from bot.console.router_import import UPLOAD_PATH
    from bot.console.router_import import router as console_import_router
    from bot.console.router_pages import router as console_pages_router
    from bot.console.router_store import router as console_store_router
    from bot.console.router_tools import router as console_tools_router
    from bot.console.router_unanswered import router as unanswered_router
    from bot.console.unanswered.capture import capture_thumbs_down, capture_turn
    from bot.console.unanswered.loop import default_loop, retest_job
    from bot.core.secrets import APP_SECRETS, require
    from bot.core.security import get_security_settings, install_security
    from bot.core.timing import ServerTimingMiddleware
    from bot.feedback.router import router as feedback_router
    from bot.health import default_checks
    from bot.operations import install_operations
    from bot.pii import configure_logging
    from bot.retention import retention_job
    from bot.search.router import router as search_router
    from bot.tickets.lifecycle import ticket_retention_job
    from bot.tickets.operations_config import get_operations_settings
    from bot.tickets.outbox_delivery import outbox_job
    from bot.tickets.router_desk import router as desk_router
    from bot.tickets.router_internal import router as tickets_internal_router
    from bot.tickets.scheduler import deadline_scheduler_job
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
    install_security(app, security, own_limit_paths=(UPLOAD_PATH,))  # the import bounds its own upload
    for router in (chat_router, search_router, tickets_internal_router, desk_router, web_router):
        app.include_router(router)
    # the knowledge console: its API (drafts, review, versions) and its pages
    for router in (console_store_router, console_tools_router, console_import_router, console_pages_router):
        app.include_router(router)
    app.include_router(feedback_router)  # POST /api/chat/feedback: the widget's 👍/👎
    app.include_router(unanswered_router)  # /api/console/unanswered
    # Analytics of each chat turn; the unanswered-questions capture sees each row in its transaction.
    app.state.chat_service = build_default_service(record_turn=TurnRecorder(listeners=[capture_turn]))
    app.state.on_thumbs_down = [capture_thumbs_down]  # a 👎 is kept as an unanswered question too
    app.state.unanswered = default_loop()  # grouping (e5), office assignment, re-test against the live version
    if get_wechat_settings().enabled:  # GET/POST /wechat only when WECHAT_TOKEN is set
        install_wechat(app, offered=app.state.chat_service.offered_store)
    install_operations(app)  # dashboard, holiday calendar, 挂起, /metrics, calendar health (degraded)
    # The periodic jobs (bot/jobs.py: interval, log, stop), started by the lifespan once the database is migrated.
    app.state.jobs = [
        outbox_job(),  # tickets: 12345 forwarding, handler notifications, messages to other channels
        ticket_retention_job(),  # closed tickets anonymised after TICKETS_RETENTION_DAYS
        retention_job(),  # masked chat texts, votes, unanswered questions, the audit trail
        retest_job(app.state.unanswered),  # re-tests resolved groups when the served knowledge version changes
    ]
    if get_operations_settings().scheduler_enabled:
        app.state.jobs.append(deadline_scheduler_job())  # deadline reminders (leased: one replica a round)
    if get_console_settings().store_enabled:
        app.state.jobs.append(knowledge_poll_job())  # swaps in a newly published knowledge version
    app.add_middleware(ServerTimingMiddleware)  # Server-Timing of each hop, only when SERVER_TIMING=1 (bench/hops.py)
    return app
