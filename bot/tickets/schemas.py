"""Pydantic models at the edges of the tickets domain (internal API, desk API)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.tickets.enums import Rating, Role, TicketStatus


class ExcerptTurn(BaseModel):
    role: Literal["user", "bot", "citizen", "assistant", "system"] | str
    text: str = Field(max_length=4000)


class TicketCreate(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session_id: str = Field(min_length=1, max_length=128)
    idempotency_key: str = Field(min_length=1, max_length=128)
    item_code: str | None = Field(default=None, max_length=128)
    item_name: str = Field(min_length=1, max_length=200)
    category: str | None = Field(default=None, max_length=32)
    description: str = Field(min_length=1, max_length=4000)
    place: str | None = Field(default=None, max_length=200)
    contact_masked: str | None = Field(default=None, max_length=32)
    channel: str = Field(default="web", max_length=32)
    excerpt: list[ExcerptTurn] = Field(default_factory=list, max_length=60)


class TicketCreated(BaseModel):
    number: str
    status: TicketStatus
    office: str
    ack_due: dt.date
    resolve_due: dt.date


class CitizenStatus(BaseModel):
    """What anyone holding a ticket number may learn: nothing personal."""

    number: str
    status: TicketStatus
    item_name: str
    office: str
    resolve_due: dt.date
    updated_at: dt.datetime
    reply: str | None = None


class StatusLookupIn(BaseModel):
    """A citizen's status lookup, relayed by the action server (POST body: nothing in the URL)."""

    model_config = ConfigDict(extra="ignore")

    number: str = Field(min_length=1, max_length=64)
    session_id: str = Field(min_length=1, max_length=128)
    phone_last4: str | None = Field(default=None, pattern=r"^[0-9]{4}$")


class StatusLookupOut(BaseModel):
    """``visible`` is False alike for an unknown number and for someone else's ticket."""

    visible: bool
    ticket: CitizenStatus | None = None


class RatingIn(BaseModel):
    session_id: str = Field(min_length=1, max_length=128)
    rating: Rating
    comment: str | None = Field(default=None, max_length=2000)


class RatingOut(BaseModel):
    number: str
    rating: Rating
    rectification_due: dt.date | None = None
    message: str


# ---- desk ----


class LoginIn(BaseModel):
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)


class HandlerOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    username: str
    display_name: str
    role: Role
    office: str | None = None


class LoginOut(HandlerOut):
    """The session itself travels only in the HttpOnly cookie."""


class AccountOut(HandlerOut):
    active: bool
    created_at: dt.datetime | None = None
    last_login: dt.datetime | None = None  # the account's newest desk session


class PasswordSet(BaseModel):
    """An admin's password reset (checked by the password policy; never echoed)."""

    password: str = Field(min_length=1, max_length=256)


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str | None
    action: str
    target: str | None
    status: int | None
    client: str | None


class AuditPage(BaseModel):
    total: int
    limit: int
    offset: int
    items: list[AuditEntryOut]


class SessionsEnded(BaseModel):
    username: str
    ended: int


class UserCreate(BaseModel):
    username: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.\-]+$")
    password: str = Field(min_length=8, max_length=256)
    role: Role = Role.handler
    display_name: str = Field(default="", max_length=64)
    office: str | None = Field(default=None, max_length=64)


class TicketSummary(BaseModel):
    number: str
    item_name: str
    office: str
    status: TicketStatus
    assignee: str | None
    created_at: dt.datetime
    ack_due: dt.date
    resolve_due: dt.date
    overdue: bool
    due_soon: bool
    contact_masked: str | None
    rating: str | None
    rectification_status: str | None
    hotline: str | None  # 12345 delivery state in Chinese, None if never forwarded
    paused: bool = False  # 挂起: the resolve clock is stopped while waiting for the citizen
    paused_days_left: int | None = None  # working days left when it was paused (the deadline on resume)


class TicketList(BaseModel):
    total: int
    items: list[TicketSummary]


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    at: dt.datetime
    actor: str
    kind: str
    kind_label: str = ""
    from_status: str | None
    to_status: str | None
    note: str | None


class DeliveryOut(BaseModel):
    id: str
    kind: str
    status: str
    status_label: str
    attempts: int
    last_error: str | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None


class RectificationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    status: str
    opened_at: dt.datetime
    due: dt.date
    reason: str | None
    callback_note: str | None
    measures: str | None
    closed_at: dt.datetime | None
    closed_by: str | None
    overdue: bool = False


class TicketDetail(TicketSummary):
    item_code: str | None
    category: str | None
    routed_by: str
    description: str
    place: str | None
    contact: str | None  # raw, handlers only
    channel: str
    session_id: str
    excerpt: list[ExcerptTurn]
    reply_text: str | None
    rating_comment: str | None
    events: list[EventOut]
    deliveries: list[DeliveryOut]
    rectification: RectificationOut | None
    allowed_statuses: list[TicketStatus]


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=4000)


class OptionalNoteIn(BaseModel):
    note: str | None = Field(default=None, max_length=4000)


class AssignIn(BaseModel):
    assignee: str | None = Field(default=None, max_length=64)


class StatusIn(BaseModel):
    to: TicketStatus
    note: str | None = Field(default=None, max_length=4000)


class RerouteIn(BaseModel):
    office: str = Field(min_length=1, max_length=64)
    note: str | None = Field(default=None, max_length=4000)


class ReplyIn(BaseModel):
    text: str = Field(min_length=1, max_length=4000)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, v: str) -> str:
        if not v.strip():
            raise ValueError("reply text is blank")
        return v.strip()


class RectificationNoteIn(BaseModel):
    callback_note: str | None = Field(default=None, max_length=4000)
    measures: str | None = Field(default=None, max_length=4000)


class DeskMeta(BaseModel):
    offices: list[str]
    statuses: list[TicketStatus]
    handlers: list[HandlerOut]
    hotline_configured: bool
    failed_deliveries: int = 0  # deliveries failed for good: the desk shows an alert until a handler re-queues


class ContactCheckIn(BaseModel):
    """Does the vault hold the full number behind this masked one, for this conversation?"""

    session_id: str = Field(min_length=1, max_length=128)
    masked: str = Field(min_length=1, max_length=32)


class ContactCheckOut(BaseModel):
    known: bool
