"""Handler desk API: the queue of tickets (filtered, office-scoped) and its CSV export."""

from __future__ import annotations

import csv
import datetime as dt
import io
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, Response, status

from bot.tickets import auth, privacy, queries, texts
from bot.tickets.clock import local_day_start, local_today
from bot.tickets.config import get_ticket_settings
from bot.tickets.dependencies import ClockDep, NowDep, SessionDep
from bot.tickets.desk_payloads import hotline_labels, summary_of
from bot.tickets.enums import TicketStatus
from bot.tickets.models import HandlerUser
from bot.tickets.schemas import TicketList

router = APIRouter()  # included by router_desk, behind its same-origin check and audit


def _filter(
    office: str | None,
    status_: TicketStatus | None,
    overdue: bool | None,
    due_soon: bool | None,
    rectification: bool | None,
    assignee: str | None,
    q: str | None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> queries.TicketFilter:
    return queries.TicketFilter(
        office=office or None,
        status=status_,
        overdue=overdue,
        due_soon=due_soon,
        rectification=rectification,
        assignee=assignee or None,
        q=q or None,
        created_from=local_day_start(created_from) if created_from else None,
        created_before=local_day_start(created_to + dt.timedelta(days=1)) if created_to else None,
    )


@router.get("/api/desk/tickets", response_model=TicketList)
def list_tickets(
    user: auth.CurrentDeskUser,
    db: SessionDep,
    now: NowDep,
    clock: ClockDep,
    office: str | None = None,
    status_: Annotated[TicketStatus | None, Query(alias="status")] = None,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    rectification: bool | None = None,
    assignee: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> TicketList:
    office = _office_scope(user, office)
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    f = _filter(office, status_, overdue, due_soon, rectification, assignee, q)
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
    office: str | None = None,
    status_: Annotated[TicketStatus | None, Query(alias="status")] = None,
    overdue: bool | None = None,
    due_soon: bool | None = None,
    rectification: bool | None = None,
    assignee: str | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
    created_from: dt.date | None = None,
    created_to: dt.date | None = None,
) -> Response:
    """CSV for reporting (UTF-8 with BOM for spreadsheet tools); contacts are masked."""
    office = _office_scope(user, office)
    today = local_today(now)
    soon = queries.due_soon_limit(today, clock)
    f = _filter(office, status_, overdue, due_soon, rectification, assignee, q, created_from, created_to)
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
