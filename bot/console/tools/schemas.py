"""Request and response shapes of the console tools' API (pydantic at the edge)."""

from __future__ import annotations

from pydantic import BaseModel, Field


class HitTestIn(BaseModel):
    question: str = Field(min_length=1, max_length=300)
    region: str | None = Field(default=None, max_length=40)


class ReviewRowOut(BaseModel):
    item_code: str
    item_name: str
    office: str | None
    guide_id: str | None
    reason: str
    reason_label: str
    message: str
    draft_id: int | None
    edit_url: str


class ReviewListOut(BaseModel):
    today: str
    region: str | None
    max_age_days: int
    total: int
    counts: dict[str, int]  # reason → rows
    rows: list[ReviewRowOut]


class RowErrorOut(BaseModel):
    column: str
    message: str


class ImportRowOut(BaseModel):
    row: int
    name: str
    item_code: str | None
    sub_item: str | None
    region: str | None
    guide_id: str | None
    action: str
    ok: bool
    time_limits: dict[str, int]
    errors: list[RowErrorOut]


class ImportDraftOut(BaseModel):
    item_code: str
    draft_id: int | None  # None on a dry run
    revision: int | None
    status: str | None  # editing, or submitted when the upload asked to submit for review
    rows: list[int]


class ImportOut(BaseModel):
    dry_run: bool
    filename: str
    total_rows: int
    valid_rows: int
    ignored_columns: list[str]
    rows: list[ImportRowOut]
    drafts: list[ImportDraftOut]
