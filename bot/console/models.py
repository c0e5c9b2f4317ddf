"""Tables of the knowledge store (migration 0007_knowledge_store).

A published version is immutable and made of per-document rows: ``kb_version_docs`` lists, for each
version, which stored document body (``kb_doc_bodies``, content-addressed by sha256) each document
had. A version therefore costs one small row per document (about 40), an unchanged document's body
is stored once however many versions carry it, and the diff of two versions starts from comparing
hashes. ``kb_pointer`` (one row) names the published version every app process polls.
Drafts (``kb_drafts``) are edits of one document not yet published, with a revision number against
lost updates.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from bot.db import Base, UTCDateTime
from bot.tickets.clock import utcnow

# Document kinds: one item file, one policy file, or the referrals list (key "referrals").
KIND_ITEM = "item"
KIND_POLICY = "policy"
KIND_REFERRALS = "referrals"
REFERRALS_KEY = "referrals"
DOC_KINDS = (KIND_ITEM, KIND_POLICY, KIND_REFERRALS)


class KbDocBody(Base):
    """One document's content, stored once per distinct content (sha256 of its canonical JSON)."""

    __tablename__ = "kb_doc_bodies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    sha256: Mapped[str] = mapped_column(String(64), unique=True)
    body: Mapped[Any] = mapped_column(JSON)


class KbVersion(Base):
    """A published version: who published it, why, and (for a rollback) which version it restores."""

    __tablename__ = "kb_versions"

    number: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(16))  # import / publish / rollback
    note: Mapped[str] = mapped_column(Text, default="")
    restores: Mapped[int | None] = mapped_column(Integer, nullable=True)  # a rollback's source version
    content_hash: Mapped[str] = mapped_column(String(64))


class KbVersionDoc(Base):
    """Document ``(kind, key)`` of version ``version`` has body ``body_id``."""

    __tablename__ = "kb_version_docs"

    version: Mapped[int] = mapped_column(ForeignKey("kb_versions.number"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    body_id: Mapped[int] = mapped_column(ForeignKey("kb_doc_bodies.id"))


class KbPointer(Base):
    """The one row naming the published version (what every process serves within KNOWLEDGE_POLL_S)."""

    __tablename__ = "kb_pointer"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(ForeignKey("kb_versions.number"))
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)


class KbDraft(Base):
    """An unpublished edit of one document.

    status: ``editing`` → ``submitted`` → ``approved`` → ``published``; ``rejected`` returns it to its
    editors; ``withdrawn`` closes it unpublished. At most one open draft (editing, submitted, approved,
    rejected) per document: editors share it, and ``revision`` (+1 per save) refuses a stale save.
    """

    __tablename__ = "kb_drafts"
    __table_args__ = (Index("ix_kb_drafts_kind_key_status", "kind", "key", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(128))
    office: Mapped[str | None] = mapped_column(String(64), nullable=True)
    body: Mapped[Any] = mapped_column(JSON)
    revision: Mapped[int] = mapped_column(Integer, default=1)
    base_version: Mapped[int | None] = mapped_column(Integer, nullable=True)  # published version it started from
    status: Mapped[str] = mapped_column(String(16), default="editing", index=True)
    author: Mapped[str] = mapped_column(String(64))  # the last editor
    editors: Mapped[list[str]] = mapped_column(JSON, default=list)  # everyone who saved it
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime(), default=utcnow)
    reviewed_by: Mapped[str | None] = mapped_column(String(64), nullable=True)
    reviewed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime(), nullable=True)
    review_note: Mapped[str] = mapped_column(Text, default="")
    published_version: Mapped[int | None] = mapped_column(Integer, nullable=True)


OPEN_STATUSES = ("editing", "submitted", "approved", "rejected")

__all__ = [
    "DOC_KINDS",
    "KIND_ITEM",
    "KIND_POLICY",
    "KIND_REFERRALS",
    "OPEN_STATUSES",
    "REFERRALS_KEY",
    "KbDocBody",
    "KbDraft",
    "KbPointer",
    "KbVersion",
    "KbVersionDoc",
]
