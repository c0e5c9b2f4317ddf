"""``/dashboard`` (page, assets, ECharts from ``node_modules``) and its API ``/api/dashboard/…``.

Same login as the desk. Admins see every office and may filter by one; any other account sees its own
office only (the office filter is forced to it).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import logging
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, status
from fastapi.responses import FileResponse, Response

from bot.core.security import staff_page_headers
from bot.dashboard import figures
from bot.tickets import auth, calendar_store
from bot.tickets.clock import local_today
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep
from bot.tickets.enums import Role
from bot.tickets.models import HandlerUser
from bot.tickets.routing import get_routing

logger = logging.getLogger(__name__)

STATIC_DIR = Path(__file__).resolve().parent / "static"
REPO_ROOT = Path(__file__).resolve().parent.parent.parent
ECHARTS_FILE = REPO_ROOT / "node_modules" / "echarts" / "dist" / "echarts.min.js"
ASSETS = {
    "dashboard.js": "text/javascript",
    "dashboard.css": "text/css",
    "calendar-banner.js": "text/javascript",
}
MAX_DAYS = 366
DEFAULT_DAYS = 30

router = APIRouter(tags=["dashboard"])


@router.get("/dashboard", include_in_schema=False)
def dashboard_page() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html", media_type="text/html", headers=staff_page_headers())


@router.get("/dashboard/vendor/echarts.min.js", include_in_schema=False)
def echarts_js() -> FileResponse:
    if not ECHARTS_FILE.exists():
        logger.error("ECharts missing at %s: run `make setup` (npm ci)", ECHARTS_FILE)
        raise HTTPException(status.HTTP_404_NOT_FOUND, "echarts not installed: make setup")
    return FileResponse(ECHARTS_FILE, media_type="text/javascript", headers={"Cache-Control": "max-age=3600"})


@router.get("/dashboard/{asset}", include_in_schema=False)
def dashboard_asset(asset: str) -> FileResponse:
    if asset not in ASSETS:
        raise HTTPException(status.HTTP_404_NOT_FOUND)
    return FileResponse(STATIC_DIR / asset, media_type=ASSETS[asset], headers=staff_page_headers())


def _scope(user: HandlerUser, office: str | None) -> str | None:
    if user.role == Role.admin.value:
        return office or None
    if not user.office:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "no office assigned to this account")
    return user.office


def _period(start: dt.date | None, end: dt.date | None, today: dt.date) -> figures.Period:
    end = end or today
    start = start or end - dt.timedelta(days=DEFAULT_DAYS - 1)
    if start > end:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "from is after to")
    if (end - start).days + 1 > MAX_DAYS:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"at most {MAX_DAYS} days")
    return figures.Period(start, end)


FromQ = Annotated[dt.date | None, Query(alias="from")]
ToQ = Annotated[dt.date | None, Query(alias="to")]
OfficeQ = Annotated[str | None, Query(max_length=64)]


def _compute(
    user: HandlerUser,
    db: SessionDep,
    now: dt.datetime,
    clock: Any,
    start: dt.date | None,
    end: dt.date | None,
    office: str | None,
) -> dict[str, Any]:
    today = local_today(now)
    scope = _scope(user, office)
    period = _period(start, end, today)
    out = figures.all_figures(
        db, period, scope, today=today, calendar=clock.calendar, due_soon_days=clock.deadlines.due_soon
    )
    out["calendar"] = calendar_store.coverage(clock.calendar, today).as_dict()
    out["offices"] = get_routing().all_offices() if user.role == Role.admin.value else [scope]
    out["user"] = {"username": user.username, "role": user.role, "office": user.office}
    return out


@router.get("/api/dashboard/figures")
def dashboard_figures(
    user: auth.CurrentHandler,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
    start: FromQ = None,
    end: ToQ = None,
    office: OfficeQ = None,
) -> dict[str, Any]:
    return _compute(user, db, now, clock, start, end, office)


@router.get("/api/dashboard/export.csv")
def dashboard_export(
    user: auth.CurrentHandler,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
    figure: Annotated[str, Query(max_length=64)],
    start: FromQ = None,
    end: ToQ = None,
    office: OfficeQ = None,
) -> Response:
    data = _compute(user, db, now, clock, start, end, office)
    table = figures.tables(data).get(figure)
    if table is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "unknown figure")
    header, rows = table
    buf = io.StringIO()
    buf.write("\ufeff")  # Excel opens UTF-8 Chinese text correctly with a BOM
    writer = csv.writer(buf)
    writer.writerow(header)
    writer.writerows(rows)
    name = f"{figure}_{data['period']['from']}_{data['period']['to']}.csv"
    return Response(
        buf.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"},
    )
