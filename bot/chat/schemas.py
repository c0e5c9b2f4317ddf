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
MAX_PAYLOAD_CHARS = 1_000


class ChatRequest(BaseModel):
    """``text`` is what the citizen typed (never taken as a command); ``payload`` is a pressed button's
    payload (``/intent{…}``), honoured only when the assistant offered it to this session."""

    model_config = ConfigDict(extra="ignore")

    session_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
    # A button press: the offered button's payload (the WeChat channel sends it for a numbered choice).
    text: str = Field(default="", max_length=HARD_MAX_TEXT_CHARS)
    payload: str | None = Field(default=None, max_length=MAX_PAYLOAD_CHARS)


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
    guide: str | None = None  # the guide the answer quotes (its id), when it quotes one
    policy: str | None = None  # the policy point the answer cites (its id), when it cites one
    # Set by the gateway once the turn is recorded: an opaque, unguessable id the widget's 👍/👎 names.
    turn_id: str | None = None
    knowledge_version: int | None = None  # the published knowledge version the answer came from


class ChatResponse(BaseModel):
    session_id: str
    replies: list[Reply]
    meta: Meta


class InboxResponse(BaseModel):
    session_id: str
    replies: list[Reply]


class HealthResponse(BaseModel):
    status: Literal["ok", "degraded", "unavailable"]
    checks: dict[str, bool]
    advisory: dict[str, bool] = Field(default_factory=dict)  # false → "degraded", still HTTP 200
