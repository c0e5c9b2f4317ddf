"""Turns curated items and policy points into retrievable chunks, each carrying where it came from.

One chunk per guide field that has content (so a question about fees meets the fee text), one overview
chunk per guide, one name chunk per item (its name and aliases), one chunk per policy point.
Chunk ids are content hashes, so an index can tell when the knowledge changed.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from knowledge.schema import Aspect, Guide, PolicyDocument, PolicyPoint, ServiceItem


@dataclass(frozen=True)
class Chunk:
    id: str
    text: str  # what is embedded and indexed
    item_code: str | None
    guide_id: str | None
    policy_id: str | None
    aspect: Aspect


def field_text(guide: Guide, aspect: Aspect) -> str | None:
    """The guide's own words for one aspect, or None when the guide does not state it."""
    if aspect is Aspect.materials and guide.materials:
        return "；".join(m.name for m in guide.materials)
    if aspect is Aspect.time_limit:
        parts = [p for p in (guide.statutory_time_limit, guide.promised_time_limit) if p]
        return "；".join(parts) or None
    if aspect is Aspect.conditions and guide.conditions:
        return "；".join(guide.conditions)
    if aspect is Aspect.process and guide.process:
        return "；".join(guide.process)
    if aspect is Aspect.location:
        parts = [p for p in (guide.location, guide.hours) if p]
        return "；".join(parts) or None
    simple = {
        Aspect.fee: guide.fee,
        Aspect.online: guide.online,
        Aspect.result: guide.result,
        Aspect.validity: guide.validity,
        Aspect.basis: guide.legal_basis,
    }
    return simple.get(aspect)


_LABELS = {
    Aspect.materials: "申请材料",
    Aspect.time_limit: "办结时限",
    Aspect.fee: "收费标准",
    Aspect.conditions: "受理条件",
    Aspect.location: "办理地点",
    Aspect.online: "网上办理",
    Aspect.result: "办理结果",
    Aspect.validity: "有效期",
    Aspect.basis: "设定依据",
    Aspect.process: "办理流程",
}


def _hash(*parts: str) -> str:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()[:16]


def guide_title(item: ServiceItem, guide: Guide) -> str:
    sub = f"（{guide.sub_item}）" if guide.sub_item else ""
    return f"{item.name}{sub}"


def item_chunks(item: ServiceItem) -> list[Chunk]:
    chunks: list[Chunk] = []
    names = "、".join([item.name, *item.aliases])
    chunks.append(Chunk(_hash(item.code, "names", names), f"{names}", item.code, None, None, Aspect.overview))
    english = [a for a in item.aliases if a.isascii()]
    if english:  # an English question meets the item's English names in its own language (e5 across languages is weak)
        text = "; ".join(english)
        chunks.append(Chunk(_hash(item.code, "names-en", text), text, item.code, None, None, Aspect.overview))
    for guide in item.guides:
        head = f"{guide_title(item, guide)} {guide.region}"
        overview = " ".join(p for p in (head, guide.item_type, item.summary, guide.notes) if p)
        chunks.append(
            Chunk(_hash(guide.id, "overview", overview), overview, item.code, guide.id, None, Aspect.overview)
        )
        for aspect, label in _LABELS.items():
            body = field_text(guide, aspect)
            if body:
                text = f"{head} {label}：{body}"
                chunks.append(Chunk(_hash(guide.id, aspect.value, text), text, item.code, guide.id, None, aspect))
        for n, faq in enumerate(guide.faq):
            text = f"{head} 问：{faq.question} 答：{faq.answer}"
            chunks.append(Chunk(_hash(guide.id, f"faq{n}", text), text, item.code, guide.id, None, Aspect.overview))
    return chunks


def policy_chunks(doc: PolicyDocument, point: PolicyPoint) -> Chunk:
    text = f"{point.topic} {'、'.join(point.keywords)} {point.text}"
    item = point.related_items[0] if len(point.related_items) == 1 else None
    return Chunk(_hash(doc.id, point.id, text), text, item, None, point.id, Aspect.overview)


def build_chunks(items: list[ServiceItem], policies: list[PolicyDocument]) -> list[Chunk]:
    chunks = [c for item in items for c in item_chunks(item)]
    chunks += [policy_chunks(doc, p) for doc in policies for p in doc.points]
    return chunks
