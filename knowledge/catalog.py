"""The loaded knowledge base: items, guides and policy points by id, and their chunks."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

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
        self.region_words = sorted((w for w in words if "全国" not in w and "国家" not in w), key=len, reverse=True)

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


def load_catalog() -> Catalog:
    from knowledge.config import get_settings
    from knowledge.loader import content_hash, load_items, load_policies, load_referrals

    root = get_settings().data_dir
    return Catalog(load_items(root), load_policies(root), content_hash(root), load_referrals(root))
