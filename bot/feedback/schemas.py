"""Request and response bodies of ``POST /api/chat/feedback``."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Vote = Literal["up", "down"]
Reason = Literal["off_topic", "outdated", "unclear", "other"]


class FeedbackIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    session_id: str = Field(min_length=1, max_length=128, pattern=r"^[A-Za-z0-9_.:\-]+$")
    turn_id: str = Field(min_length=8, max_length=32, pattern=r"^[A-Za-z0-9_\-]+$")
    vote: Vote
    reason: Reason | None = None
    comment: str | None = Field(default=None, max_length=2000)  # free text, kept only with reason "other"


class FeedbackOut(BaseModel):
    turn_id: str
    vote: Vote
    reason: Reason | None = None
    replaced: bool  # True when this vote replaced an earlier one on the same turn
