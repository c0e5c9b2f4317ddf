"""What a version changed against the one before it, document by document and field by field."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.console.documents import KnowledgeSnapshot, body_hash
from bot.console.versions import snapshot_of


@dataclass(frozen=True)
class FieldChange:
    path: str
    old: Any
    new: Any


@dataclass(frozen=True)
class DocumentDiff:
    kind: str
    key: str
    change: str  # added / removed / changed
    fields: list[FieldChange]


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted paths to leaf values: {"guides.0.materials.1.name": "…"}; empty lists and dicts are leaves."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(flatten(v, f"{prefix}.{k}" if prefix else str(k)))
        return out
    if isinstance(value, list) and value:
        out = {}
        for n, v in enumerate(value):
            out.update(flatten(v, f"{prefix}.{n}" if prefix else str(n)))
        return out
    return {prefix: value}


def diff_documents(old: Any, new: Any) -> list[FieldChange]:
    a, b = flatten(old), flatten(new)
    return [FieldChange(p, a.get(p), b.get(p)) for p in sorted(set(a) | set(b)) if a.get(p) != b.get(p)]


def diff_snapshots(old: KnowledgeSnapshot, new: KnowledgeSnapshot) -> list[DocumentDiff]:
    before = {(k, key): body for k, key, body in old.documents()}
    after = {(k, key): body for k, key, body in new.documents()}
    diffs = []
    for kind, key in sorted(set(before) | set(after)):
        a, b = before.get((kind, key)), after.get((kind, key))
        if a is not None and b is not None and body_hash(a) == body_hash(b):
            continue
        change = "added" if a is None else "removed" if b is None else "changed"
        diffs.append(DocumentDiff(kind, key, change, diff_documents(a or {}, b or {})))
    return diffs


def version_diff(session: Session, number: int) -> list[DocumentDiff]:
    """What version `number` changed against the version before it, field by field."""
    new = snapshot_of(session, number)
    old = snapshot_of(session, number - 1) if number > 1 else KnowledgeSnapshot(version=0)
    return diff_snapshots(old, new)
