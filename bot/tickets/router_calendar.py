"""Holiday calendar API: ``GET /api/calendar`` (any staff login), ``GET /api/calendar/status`` (the desk's and
the dashboard's warning), ``PUT``/``DELETE /api/calendar/years/{year}`` (admins import or revert a year)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, HTTPException, Path, status
from pydantic import BaseModel, Field

from bot.tickets import auth, calendar_store
from bot.tickets.clock import local_today
from bot.tickets.dependencies import NowDep, SessionDep

router = APIRouter(tags=["calendar"])

YearPath = Path(ge=2000, le=2100)


class NoticeIn(BaseModel):
    source: str = Field(min_length=4, max_length=300, description="the notice's title and number")
    text: str = Field(
        min_length=5, max_length=20_000, description="lines: 放假 YYYY-MM-DD [至 YYYY-MM-DD] 名称 / 上班 YYYY-MM-DD"
    )


def calendar_status(now: dt.datetime) -> dict[str, Any]:
    return calendar_store.coverage(calendar_store.get_calendar(), local_today(now)).as_dict()


@router.get("/api/calendar/status")
def status_(user: auth.CurrentHandler, now: NowDep) -> dict[str, Any]:
    return calendar_status(now)


def _day_list(block: dict[str, Any]) -> tuple[list[dict[str, str]], list[str]]:
    holidays = []
    for h in block.get("holidays") or []:
        holidays.append({"name": str(h.get("name") or ""), "from": str(h["from"]), "to": str(h["to"])})
    workdays = [str(w) for w in block.get("workdays") or []]
    return holidays, workdays


@router.get("/api/calendar")
def calendar(user: auth.CurrentHandler, db: SessionDep, now: NowDep) -> dict[str, Any]:
    years = []
    for year, block in sorted(calendar_store.merged_data(db).items()):
        holidays, workdays = _day_list(block)
        years.append(
            {
                "year": year,
                "source": block.get("source") or "",
                "origin": block.get("origin"),
                "holidays": holidays,
                "workdays": workdays,
            }
        )
    return {"years": years, "status": calendar_status(now)}


@router.put("/api/calendar/years/{year}")
def import_year(
    body: NoticeIn, admin: auth.CurrentAdmin, db: SessionDep, now: NowDep, year: int = YearPath
) -> dict[str, Any]:
    try:
        notice = calendar_store.parse_notice(year, body.text)
    except calendar_store.NoticeError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(exc)) from None
    calendar_store.save_year(db, year, notice, source=body.source.strip(), actor=admin.username, now=now)
    return {
        "year": year,
        "holidays": len(notice.holidays),
        "workdays": len(notice.workdays),
        "status": calendar_status(now),
    }


@router.delete("/api/calendar/years/{year}")
def revert_year(admin: auth.CurrentAdmin, db: SessionDep, now: NowDep, year: int = YearPath) -> dict[str, Any]:
    if not calendar_store.remove_year(db, year):
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no maintained calendar for this year")
    return {"year": year, "status": calendar_status(now)}


def calendar_health() -> bool:
    """The degraded (advisory) health check: the calendar covers the next 90 days."""
    return calendar_store.coverage(calendar_store.get_calendar(), local_today(dt.datetime.now(dt.UTC))).ok
