"""Renders answers from a guide's own fields, verbatim. No number is ever composed here.

A field the guide leaves null is said to be unstated, with the consultation phone or the helpline.
"""

from __future__ import annotations

from knowledge import texts
from knowledge.answer import SourceRef
from knowledge.documents import field_text, guide_title
from knowledge.schema import Aspect, Guide, PolicyDocument, PolicyPoint, ServiceItem, Status, Trust


def _human(guide: Guide, helpline: str) -> str:
    if guide.phone:
        return texts.ASK_HUMAN.format(phone=guide.phone)
    return texts.ASK_HUMAN_NO_PHONE.format(helpline=helpline)


def _not_stated(label: str, guide: Guide, helpline: str) -> str:
    return texts.NOT_STATED.format(label=label) + _human(guide, helpline)


def _labelled(guide: Guide, fields: list[str], helpline: str) -> list[str]:
    lines = []
    missing = []
    for field in fields:
        value = getattr(guide, field)
        label = texts.FIELD_LABELS[field]
        if value:
            lines.append(f"{label}：{value}")
        else:
            missing.append(label)
    if not lines:
        return [_not_stated("、".join(missing), guide, helpline)]
    if missing:
        lines.append(texts.NOT_STATED.format(label="、".join(missing)))
    return lines


def _materials(guide: Guide, helpline: str) -> list[str]:
    if not guide.materials:
        return [_not_stated(texts.ASPECT_NAMES["materials"], guide, helpline)]
    lines = []
    for n, m in enumerate(guide.materials, 1):
        detail = "，".join(p for p in (m.original_or_copy, m.copies, m.note) if p)
        lines.append(f"{n}. {m.name}" + (texts.MATERIAL_DETAIL.format(detail=detail) if detail else ""))
    if not guide.materials_complete:
        lines.append(texts.MATERIALS_INCOMPLETE)
    return lines


def _listed(values: list[str] | None, label: str, guide: Guide, helpline: str) -> list[str]:
    if not values:
        return [_not_stated(label, guide, helpline)]
    return [f"{n}. {v}" for n, v in enumerate(values, 1)]


def aspect_lines(guide: Guide, aspect: Aspect, helpline: str) -> list[str]:
    if aspect is Aspect.materials:
        return _materials(guide, helpline)
    if aspect is Aspect.conditions:
        return _listed(guide.conditions, texts.ASPECT_NAMES["conditions"], guide, helpline)
    if aspect is Aspect.process:
        return _listed(guide.process, texts.ASPECT_NAMES["process"], guide, helpline)
    fields = {
        Aspect.time_limit: ["statutory_time_limit", "promised_time_limit"],
        Aspect.fee: ["fee"],
        Aspect.location: ["location", "hours", "phone"],
        Aspect.online: ["online"],
        Aspect.result: ["result"],
        Aspect.validity: ["validity"],
        Aspect.basis: ["legal_basis"],
        Aspect.overview: [
            "item_type",
            "implementing_body",
            "statutory_time_limit",
            "promised_time_limit",
            "fee",
            "result",
        ],
    }[aspect]
    return _labelled(guide, fields, helpline)


def guide_sources(guide: Guide) -> list[SourceRef]:
    return [SourceRef(title=s.title, url=s.url, region=guide.region) for s in guide.sources]


def render_guide(
    item: ServiceItem,
    guide: Guide,
    aspect: Aspect,
    *,
    helpline: str,
    deployment_region: str | None,
    other_sub_items: list[str],
) -> str:
    lines = [
        texts.HEADER.format(
            title=guide_title(item, guide), aspect=texts.ASPECT_NAMES[aspect.value], region=guide.region
        )
    ]
    lines += aspect_lines(guide, aspect, helpline)
    if aspect is Aspect.overview and other_sub_items:
        lines.append(texts.OVERVIEW_SUB_ITEMS.format(names="、".join(other_sub_items)))
    stated = aspect is Aspect.overview or field_text(guide, aspect) is not None
    if guide.notes and (
        not stated or aspect in (Aspect.overview, Aspect.materials, Aspect.conditions, Aspect.time_limit)
    ):
        lines.append(texts.GUIDE_NOTE.format(note=guide.notes))
    if guide.status is Status.draft:
        lines.append(texts.DRAFT_NOTE)
    elif guide.status is Status.superseded:
        lines.append(texts.SUPERSEDED_NOTE)
    if all(s.trust is Trust.weak for s in guide.sources):
        lines.append(texts.WEAK_SOURCE_NOTE)
    if not guide.national and (deployment_region is None or deployment_region not in guide.region):
        lines.append(texts.LOCAL_NOTE.format(region=guide.region))
    if aspect is not Aspect.overview and other_sub_items:
        lines.append(texts.OTHER_SUB_ITEMS.format(names="、".join(other_sub_items)))
    lines.append(texts.SOURCE_LINE.format(title="；".join(s.title for s in guide.sources)))
    lines.append(texts.VERIFIED_LINE.format(region=guide.region, date=guide.last_verified.isoformat()))
    return "\n".join(lines)


def render_policy(doc: PolicyDocument, point: PolicyPoint) -> str:
    lines = [
        texts.POLICY_HEADER.format(topic=point.topic),
        point.text,
        texts.POLICY_SOURCE.format(title=doc.title, issuer=doc.issuer or doc.region, date=doc.date or "日期未载明"),
    ]
    return "\n".join(lines)


def policy_sources(doc: PolicyDocument) -> list[SourceRef]:
    url = doc.source.url if doc.source else None
    return [SourceRef(title=doc.title, url=url, region=doc.region)]
