"""Handler desk API: the queue of tickets (filtered, office-scoped) and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status
from pydantic import BaseModel, Field

from bot.tickets import auth, privacy, queries, texts
from bot.tickets.clock import local_day_start, local_today
from bot.tickets.config import get_ticket_settings
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep
from bot.tickets.desk_payloads import hotline_labels, summary_of
from bot.tickets.enums import TicketStatus
from bot.tickets.models import HandlerUser
from bot.tickets.schemas import TicketList

router = APIRouter()  # included by router_desk, behind its same-origin check and audit


class QueueFilters(BaseModel):
    """The queue's and the export's filters, one definition for both (query parameters)."""

    office: str | None = None
    status: TicketStatus | None = None
    overdue: bool | None = None
    due_soon: bool | None = None
    rectification: bool | None = None
    assignee: str | None = None
    q: str | None = Field(default=None, max_length=100)
    created_from: dt.date | None = None
    created_to: dt.date | None = None

    def to_filter(self, office: str) -> queries.TicketFilter:
        """The query filter, for the office the user may see (`_office_scope`)."""
        return queries.TicketFilter(
            office=office or None,
            status=self.status,
            overdue=self.overdue,
            due_soon=self.due_soon,
            rectification=self.rectification,
            assignee=self.assignee or None,
            q=self.q or None,
            created_from=local_day_start(self.created_from) if self.created_from else None,
            created_before=local_day_start(self.created_to + dt.timedelta(days=1)) if self.created_to else None,
        )


FiltersDep = Annotated[QueueFilters, Query()]


@router.get("/api/desk/tickets", response_model=TicketList)
def list_tickets(
    user: auth.CurrentDeskUser,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
    filters: FiltersDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TicketList:
    f = filters.to_filter(_office_scope(user, filters.office))
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    total, rows = queries.list_tickets(db, f, today=today, soon_limit=soon, limit=limit, offset=offset)
    labels = hotline_labels(db, rows)
    return TicketList(
        total=total, items=[summary_of(t, today=today, soon=soon, hotline=labels.get(t.id)) for t in rows]
    )


def _office_scope(user: HandlerUser, requested: str | None) -> str:
    """The office a queue or export may cover: handlers only their own (checked here, not only in the UI)."""
    allowed, office = privacy.scoped_office(user, requested)
    if not allowed:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "handlers see their own office's tickets only")
    return office or ""


def _csv_cell(value: object) -> str:
    text = "" if value is None else str(value)
    # Spreadsheet formula injection: a leading = + - @ is neutralised.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@router.get("/api/desk/tickets/export.csv")
def export_csv(
    user: auth.CurrentDeskUser,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
    filters: FiltersDep,
) -> Response:
    """CSV for reporting (UTF-8 with BOM for spreadsheet tools); contacts are masked."""
    f = filters.to_filter(_office_scope(user, filters.office))
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    _, rows = queries.list_tickets(db, f, today=today, soon_limit=soon, limit=100_000)
    buf = io.StringIO()
    buf.write("\ufeff")
    writer = csv.writer(buf)
    writer.writerow(texts.CSV_HEADER)
    for t in rows:
        writer.writerow(
            [
                _csv_cell(x)
                for x in (
                    t.number,
                    t.item_name,
                    t.item_code,
                    t.office,
                    t.status,
                    t.channel,
                    _local(t.created_at),
                    t.ack_due.isoformat(),
                    t.resolve_due.isoformat(),
                    texts.YES if queries.is_overdue(t, today) else texts.NO,
                    t.assignee,
                    _local(t.replied_at),
                    _local(t.closed_at),
                    t.rating,
                    t.rectification.status if t.rectification else None,
                    t.contact_masked,
                    t.description,
                    t.place,
                )
            ]
        )
    filename = f"tickets-{today.isoformat()}.csv"
    return Response(
        content=buf.getvalue().encode("utf-8"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"},
    )


def _local(value: dt.datetime | None) -> str:
    if value is None:
        return ""
    from zoneinfo import ZoneInfo

    return value.astimezone(ZoneInfo(get_ticket_settings().timezone)).strftime("%Y-%m-%d %H:%M")
