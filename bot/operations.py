"""Wiring of the running-the-service parts for the app factory: dashboard, holiday calendar, 挂起,
metrics (middleware, collector, endpoint), the calendar's advisory health check."""

from __future__ import annotations

import logging

from fastapi import FastAPI

from bot import metrics
from bot.dashboard.router import router as dashboard_router
from bot.tickets.router_calendar import calendar_health
from bot.tickets.router_calendar import router as calendar_router
from bot.tickets.router_pause import router as pause_router

logger = logging.getLogger(__name__)


def install_operations(app: FastAPI) -> None:
    for router in (dashboard_router, calendar_router, pause_router, metrics.router):
        app.include_router(router)
    app.add_middleware(metrics.MetricsMiddleware)
    metrics.register_collector()
    checks = dict(getattr(app.state, "advisory_checks", None) or {})
    checks["calendar"] = calendar_health
    app.state.advisory_checks = checks
