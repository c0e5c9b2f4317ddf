"""The loaded knowledge base: items, guides and policy points by id, and their chunks."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from knowledge.documents import Chunk, build_chunks
from knowledge.schema import Guide, PolicyDocument, PolicyPoint, Referral, ServiceItem

_REGION_WORD = re.compile(r"([\u4e00-\u9fff]{2,8}?)(?:壮族自治区|回族自治区|维吾尔自治区|自治区|省|市|区|县)")


@dataclass
class Catalog:
    items: list[ServiceItem]
    policies: list[PolicyDocument]
    content_hash: str
    referrals: list[Referral] = field(default_factory=list)
    chunks: list[Chunk] = field(init=False)
    item_by_code: dict[str, ServiceItem] = field(init=False)
    guide_by_id: dict[str, tuple[ServiceItem, Guide]] = field(init=False)
    point_by_id: dict[str, tuple[PolicyDocument, PolicyPoint]] = field(init=False)
    region_words: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.chunks = build_chunks(self.items, self.policies)
        self.item_by_code = {i.code: i for i in self.items}
        self.guide_by_id = {g.id: (i, g) for i in self.items for g in i.guides}
        self.point_by_id = {p.id: (d, p) for d in self.policies for p in d.points}
        words: set[str] = set()
        for item in self.items:
            for guide in item.guides:
                for m in _REGION_WORD.finditer(guide.region):
                    words.add(m.group(1))
        # Drop words that are not place names ("全国" comes from "全国（国家法规）").
        places = (w for w in words if "全国" not in w and "国家" not in w)
        self.region_words = sorted(places, key=lambda w: (-len(w), w))  # one order in every process

    def referral_for(self, text: str) -> tuple[str, str] | None:
        """(keyword, department) when the text names another department's service."""
        for referral in self.referrals:
            for keyword in referral.keywords:
                if keyword in text:
                    return keyword, referral.department
        return None

    def region_in(self, text: str) -> str | None:
        for word in self.region_words:
            if word in text:
                return word
        return None


def documents_hash(items: Iterable[Mapping[str, Any]], policies: Iterable[Mapping[str, Any]], referrals: Any) -> str:
    """sha256 over the documents' canonical JSON: equal documents give equal hashes, wherever they live."""
    body = {"items": list(items), "policies": list(policies), "referrals": referrals or []}
    canonical = json.dumps(body, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def catalog_from_documents(
    items: Iterable[Mapping[str, Any]],
    policies: Iterable[Mapping[str, Any]],
    referrals: Iterable[Mapping[str, Any]] | None = None,
) -> Catalog:
    """A Catalog from plain documents (one YAML file's content each): the one loader of both sources,
    the data folder (`load_catalog`) and a store that keeps the documents elsewhere (the console's
    database). Raises pydantic's `ValidationError` on a document that does not match the schema."""
    item_docs = sorted((dict(d) for d in items), key=lambda d: str(d.get("code")))
    policy_docs = sorted((dict(d) for d in policies), key=lambda d: str(d.get("id")))
    referral_docs = [dict(d) for d in (referrals or [])]
    return Catalog(
        [ServiceItem.model_validate(d) for d in item_docs],
        [PolicyDocument.model_validate(d) for d in policy_docs],
        documents_hash(item_docs, policy_docs, referral_docs),
        [Referral.model_validate(d) for d in referral_docs],
    )


def load_catalog(root: Path | None = None) -> Catalog:
    """The catalog of the data folder (default: the knowledge root)."""
    from knowledge.loader import load_items, load_policies, load_referrals

    folder = root if root is not None else _data_root()
    items, policies, referrals = load_items(folder), load_policies(folder), load_referrals(folder)
    dump = {"mode": "json", "exclude_none": False}
    return catalog_from_documents(
        (i.model_dump(**dump) for i in items),  # type: ignore[arg-type]
        (p.model_dump(**dump) for p in policies),  # type: ignore[arg-type]
        [r.model_dump(**dump) for r in referrals],  # type: ignore[arg-type]
    )


def _data_root() -> Path:
    from knowledge.loader import knowledge_root

    return knowledge_root()
