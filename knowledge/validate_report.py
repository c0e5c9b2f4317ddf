"""What a knowledge-base validation reads and finds: the raw documents (from files or the console's database),
the issues (error / warning, where, the fields at fault) and the report; the staleness and weak-source rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

from knowledge.loader import ITEMS_DIR, POLICIES_DIR, REFERRALS_FILE, KnowledgeDataError, read_yaml
from knowledge.schema import PolicyDocument, ServiceItem, Trust

DEFAULT_MAX_AGE_DAYS = 365
"""`last_verified` older than this many days is stale (here and in the console's review list)."""


def stale_days(last_verified: dt.date, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> int | None:
    """How many days old a verification is, when that is past the limit; None while it is fresh."""
    age = (today - last_verified).days
    return age if age > max_age_days else None


def only_weak(trusts: Sequence[str]) -> bool:
    """A guide resting only on weak sources (third-party agents, low-credibility mirrors)."""
    return bool(trusts) and all(Trust(t) is Trust.weak for t in trusts)


class Level(StrEnum):
    error = "ERROR"
    warning = "WARN"


@dataclass(frozen=True)
class Issue:
    level: Level
    where: str  # relative file path, optionally with "#guide-id"
    message: str
    # The fields at fault inside the document, as (dotted path, message): "guides.0.fee" (the console
    # shows them beside its form fields). Empty when the issue concerns the document as a whole.
    fields: tuple[tuple[str, str], ...] = ()

    def line(self) -> str:
        return f"{self.level.value:<5} {self.where}: {self.message}"


@dataclass
class ValidationReport:
    items: list[ServiceItem] = field(default_factory=list)
    policies: list[PolicyDocument] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.level is Level.error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if i.level is Level.warning]

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        guides = sum(len(i.guides) for i in self.items)
        points = sum(len(p.points) for p in self.policies)
        verdict = "OK" if self.ok else "FAILED"
        return (
            f"知识库校验 {verdict}: {len(self.items)} 个事项 items, {guides} 份指南 guides, "
            f"{len(self.policies)} 份政策文件 policies ({points} 个要点 points); "
            f"错误 errors {len(self.errors)}, 警告 warnings {len(self.warnings)}"
        )


@dataclass
class RawDocuments:
    """The knowledge base as plain documents (one YAML file's content each), from files or a database.

    ``items`` and ``policies`` are (where, document) pairs; ``where`` names the document the way the
    issues do (``items/<code>.yaml``). ``referrals`` is the raw list of ``referrals.yaml`` (None: absent).
    """

    items: list[tuple[str, Any]] = field(default_factory=list)
    policies: list[tuple[str, Any]] = field(default_factory=list)
    referrals: Any = None
    unreadable: list[tuple[str, str]] = field(default_factory=list)  # (where, why) of files that did not parse


def read_documents(root: Path) -> RawDocuments:
    """Every data file under ``root`` as raw documents (unreadable files are listed, not raised)."""
    docs = RawDocuments()
    for sub, target in ((ITEMS_DIR, docs.items), (POLICIES_DIR, docs.policies)):
        for path in sorted((root / sub).glob("*.yaml")):
            where = f"{sub}/{path.name}"
            try:
                target.append((where, read_yaml(path)))
            except KnowledgeDataError as exc:
                docs.unreadable.append((where, exc.detail))
    if (root / REFERRALS_FILE).is_file():
        try:
            docs.referrals = read_yaml(root / REFERRALS_FILE) or []
        except KnowledgeDataError as exc:
            docs.unreadable.append((REFERRALS_FILE, exc.detail))
    return docs
