"""Request and response bodies of ``POST /api/chat`` and ``GET /api/chat/inbox``."""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

Kind = Literal[
    "answer",
    "clarify",
    "no_answer",
    "escalate",
    "ticket_created",
    "ticket_status",
    "handoff",
    "out_of_scope",
    "smalltalk",
    "rejected",
]
KINDS: frozenset[str] = frozenset(get_args(Kind))

# Absolute cap enforced by validation (HTTP 422). The citizen-facing limit (2,000 characters
# by default) is checked by the input guard and answered with kind "rejected".
HARD_MAX_TEXT_CHARS = 10_000


class ChatRequest(BaseModel):
    model_config = ConfigDict(extra="ignore")

    session_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
    text: str = Field(max_length=HARD_MAX_TEXT_CHARS)


class Button(BaseModel):
    title: str
    payload: str


class Reply(BaseModel):
    text: str
    buttons: list[Button] = Field(default_factory=list)


class ItemRef(BaseModel):
    code: str
    name: str


class Source(BaseModel):
    title: str
    url: str | None = None
    region: str | None = None


class TicketRef(BaseModel):
    id: str
    status: str | None = None


class Meta(BaseModel):
    kind: Kind = "smalltalk"
    item: ItemRef | None = None
    aspect: str | None = None
    confidence: float | None = None
    sources: list[Source] = Field(default_factory=list)
    ticket: TicketRef | None = None


class ChatResponse(BaseModel):
    session_id: str
    replies: list[Reply]
    meta: Meta


class InboxResponse(BaseModel):
    session_id: str
    replies: list[Reply]


class HealthResponse(BaseModel):
    status: Literal["ok", "unavailable"]
    checks: dict[str, bool]
