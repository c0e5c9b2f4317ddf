"""Documents of the knowledge store: the plain dict of one YAML file's content.

An item (``knowledge/data/items/<code>.yaml``), a policy document (``knowledge/data/policies/<id>.yaml``)
or the referrals list (``knowledge/data/referrals.yaml``). A `KnowledgeSnapshot` is one whole knowledge
base made of them; ``to_catalog`` hands it to the knowledge library (which knows nothing of the database).
"""

from __future__ import annotations

import copy
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.catalog import Catalog, catalog_from_documents, documents_hash
from knowledge.loader import ITEMS_DIR, POLICIES_DIR, REFERRALS_FILE
from knowledge.validate import RawDocuments

Document = dict[str, Any]


def canonical_json(body: Any) -> str:
    return json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def body_hash(body: Any) -> str:
    return hashlib.sha256(canonical_json(body).encode("utf-8")).hexdigest()


def where_of(kind: str, key: str) -> str:
    """How the validator names a document (its file path under the data folder)."""
    if kind == "item":
        return f"{ITEMS_DIR}/{key}.yaml"
    if kind == "policy":
        return f"{POLICIES_DIR}/{key}.yaml"
    return REFERRALS_FILE


@dataclass
class KnowledgeSnapshot:
    """A whole knowledge base: items by code, policy documents by id, the referrals list."""

    version: int
    items: dict[str, Document] = field(default_factory=dict)
    policies: dict[str, Document] = field(default_factory=dict)
    referrals: list[Document] = field(default_factory=list)

    def copy(self) -> KnowledgeSnapshot:
        return copy.deepcopy(self)

    def document(self, kind: str, key: str) -> Any:
        if kind == "item":
            return self.items.get(key)
        if kind == "policy":
            return self.policies.get(key)
        return self.referrals

    def put(self, kind: str, key: str, body: Any) -> None:
        if kind == "item":
            self.items[key] = body
        elif kind == "policy":
            self.policies[key] = body
        else:
            self.referrals = list(body)

    def documents(self) -> list[tuple[str, str, Any]]:
        """Every document as (kind, key, body), sorted."""
        docs: list[tuple[str, str, Any]] = [("item", k, self.items[k]) for k in sorted(self.items)]
        docs += [("policy", k, self.policies[k]) for k in sorted(self.policies)]
        docs.append(("referrals", "referrals", self.referrals))
        return docs

    @property
    def content_hash(self) -> str:
        return documents_hash(
            [self.items[k] for k in sorted(self.items)],
            [self.policies[k] for k in sorted(self.policies)],
            self.referrals,
        )

    def raw_documents(self) -> RawDocuments:
        """The documents as the validator takes them (one place for the rules: knowledge/validate.py)."""
        return RawDocuments(
            items=[(where_of("item", k), self.items[k]) for k in sorted(self.items)],
            policies=[(where_of("policy", k), self.policies[k]) for k in sorted(self.policies)],
            referrals=self.referrals,
        )

    def to_catalog(self) -> Catalog:
        return catalog_from_documents(self.items.values(), self.policies.values(), self.referrals)


def read_folder(root: Path) -> KnowledgeSnapshot:
    """The documents of a data folder (the YAML files as they are, nothing added), as version 0."""
    from knowledge.validate import read_documents

    raw = read_documents(root)
    if raw.unreadable:
        where, why = raw.unreadable[0]
        raise ValueError(f"{where}: {why}")
    snapshot = KnowledgeSnapshot(version=0)
    for where, body in raw.items:
        snapshot.items[Path(where).stem] = _json_safe(body)
    for where, body in raw.policies:
        snapshot.policies[Path(where).stem] = _json_safe(body)
    snapshot.referrals = _json_safe(raw.referrals or [])
    return snapshot


def _json_safe(body: Any) -> Any:
    """YAML dates become ISO strings (the database stores JSON; the schema parses them back)."""
    result: Any = json.loads(json.dumps(body, ensure_ascii=False, default=str))  # key order kept
    return result
