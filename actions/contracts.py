"""Pydantic models of the app's JSON answers (docs/ARCHITECTURE.md), parsed at the edge.

Written for pydantic 1.10 (Rasa's pin); unknown keys are ignored, missing optional keys default.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field


class _Loose(BaseModel):
    class Config:
        extra = "ignore"


class ItemRef(_Loose):
    code: str
    name: str

    def as_meta(self) -> dict[str, str]:
        return {"code": self.code, "name": self.name}


class Choice(_Loose):
    """An option the engine offers, as data; `actions.answer` turns it into a Rasa button payload."""

    title: str
    item_code: str
    sub_item: str | None = None


class SourceRef(_Loose):
    title: str
    url: str | None = None
    region: str | None = None

    def as_meta(self) -> dict[str, Any]:
        return {"title": self.title, "url": self.url, "region": self.region}


class SearchAnswer(_Loose):
    kind: str
    item: ItemRef | None = None
    guide_id: str | None = None
    policy_id: str | None = None  # the policy point the answer cites: the next question may continue it
    sub_item: str | None = None
    aspect: str | None = None
    confidence: float | None = None
    text: str = ""
    choices: list[Choice] = Field(default_factory=list)
    sources: list[SourceRef] = Field(default_factory=list)
    region_asked: str | None = None  # the place the question named: kept in the `region` slot
    knowledge_version: int | None = None


class ItemMatch(_Loose):
    item: ItemRef | None = None
    candidates: list[ItemRef] = Field(default_factory=list)


class TicketCreated(_Loose):
    number: str
    status: str = "已提交"
    office: str | None = None
    ack_due: str | None = None
    resolve_due: str | None = None


class TicketStatus(_Loose):
    number: str
    status: str
    item_name: str | None = None
    office: str | None = None
    resolve_due: str | None = None
    updated_at: str | None = None
    reply: str | None = None
