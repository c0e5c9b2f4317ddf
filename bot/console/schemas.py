"""Request and response bodies of the console's store API (``/api/console/``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

MAX_NOTE = 500


class DraftIn(BaseModel):
    document: Any
    base_revision: int | None = None  # the draft revision the editor opened (None: the published document)
    base_version: int | None = None  # the published version the editor opened
    note: str = Field(default="", max_length=MAX_NOTE)


class NoteIn(BaseModel):
    note: str = Field(default="", max_length=MAX_NOTE)
    revision: int | None = None  # approve: the revision the reviewer read


class PublishIn(BaseModel):
    note: str = Field(default="", max_length=MAX_NOTE)
    draft_ids: list[int] | None = None


class DraftOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    key: str
    office: str | None
    revision: int
    base_version: int | None
    status: str
    author: str
    editors: list[str]
    note: str
    created_at: dt.datetime
    updated_at: dt.datetime
    reviewed_by: str | None
    reviewed_at: dt.datetime | None
    review_note: str
    published_version: int | None


class DraftDetail(DraftOut):
    document: Any
    changes: list[FieldChangeOut] = Field(default_factory=list)  # against the published document


class ItemSummary(BaseModel):
    code: str
    name: str
    category: str | None = None
    office: str | None = None
    aliases: list[str] = Field(default_factory=list)
    guides: int = 0
    review_due: str | None = None
    draft: DraftOut | None = None
    can_edit: bool = False


class DocumentOut(BaseModel):
    kind: str
    key: str
    document: Any
    revision: int | None  # the open draft's revision (None: published)
    published: Any
    version: int
    draft: DraftOut | None = None
    can_edit: bool = False


class VersionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    number: int
    created_at: dt.datetime
    created_by: str
    action: str
    note: str
    restores: int | None
    content_hash: str


class VersionList(BaseModel):
    published: int | None
    live: int | None  # what this process serves right now
    versions: list[VersionOut]


class FieldChangeOut(BaseModel):
    path: str
    old: Any = None
    new: Any = None


class DocumentDiffOut(BaseModel):
    kind: str
    key: str
    change: str
    fields: list[FieldChangeOut]


class AuditOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: dt.datetime
    actor: str | None
    action: str
    target: str | None
    status: int | None
    detail: dict[str, Any] | None


class ConsoleMe(BaseModel):
    username: str
    display_name: str
    role: str
    office: str | None
    offices: list[str]


DraftDetail.model_rebuild()
