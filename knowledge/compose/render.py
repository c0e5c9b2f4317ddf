"""Renders answers from a guide's own fields, verbatim. No number is ever composed here.

A field the guide leaves null is said to be unstated, with the consultation phone or the helpline.
"""

from __future__ import annotations

from collections.abc import Sequence

from knowledge import texts
from knowledge.answer import SourceRef
from knowledge.documents import field_text, guide_title
from knowledge.faq import FaqEntry
from knowledge.schema import Aspect, Guide, PolicyDocument, PolicyPoint, ServiceItem, Status, Trust

NOT_STATED_PREFIX = texts.NOT_STATED.split("{", 1)[0]
"""How a line saying a field is not stated ("本指南未载明…") starts: never offered as a related line."""


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
    if aspect is Aspect.location and guide.implementing_body:
        # where to go is also who handles it (实施机关): "交到哪个部门", "找谁补", "哪一级审批"
        fields = ["implementing_body", *fields]
    return _labelled(guide, fields, helpline)


def guide_sources(guide: Guide) -> list[SourceRef]:
    return [SourceRef(title=s.title, url=s.url, region=guide.region) for s in guide.sources]


def shows_note(guide: Guide, asked: Sequence[Aspect]) -> bool:
    """Whether a guide's answer for these aspects (the first the primary) shows the guide's note: with the overview,
    materials, conditions and time limit, or when an asked field is not stated."""
    if not guide.notes or not asked:
        return False
    aspect = asked[0]
    stated = aspect is Aspect.overview or all(field_text(guide, a) is not None for a in asked)
    return not stated or aspect in (Aspect.overview, Aspect.materials, Aspect.conditions, Aspect.time_limit)


def render_guide(
    item: ServiceItem,
    guide: Guide,
    aspect: Aspect,
    *,
    helpline: str,
    deployment_region: str | None,
    other_sub_items: list[str],
    more_aspects: Sequence[Aspect] = (),
    related: tuple[str, str] | None = None,
    level: Sequence[tuple[str, str]] = (),
) -> str:
    """One guide's answer for one aspect (or several: "材料和费用" gets both, each verbatim), and `related`, a line of
    another field the question's words point to (`knowledge/compose/related.py`: (aspect or "note", line)), and
    `level`, the lines naming a level for a question asking which level approves (`compose/level_lines.py`)."""
    asked = [aspect, *(a for a in more_aspects if a is not aspect)]
    names = "、".join(texts.ASPECT_NAMES[a.value] for a in asked)
    lines = [texts.HEADER.format(title=guide_title(item, guide), aspect=names, region=guide.region)]
    for a in asked:
        if len(asked) > 1:
            lines.append(texts.ASPECT_SECTION.format(aspect=texts.ASPECT_NAMES[a.value]))
        lines += aspect_lines(guide, a, helpline)
    if aspect is Aspect.overview and other_sub_items:
        lines.append(texts.OVERVIEW_SUB_ITEMS.format(names="、".join(other_sub_items)))
    if shows_note(guide, asked):
        lines.append(texts.GUIDE_NOTE.format(note=guide.notes))
    for key, line in [*([related] if related is not None else []), *(p for p in level if p != related)]:
        label = texts.ASPECT_NAMES.get(key) or texts.RELATED_LABELS.get(key, texts.RELATED_LABELS["note"])
        labelled = "：" in line[:9]  # "办理结果：…" carries its own label
        lines.append(texts.RELATED_LINE.format(label="" if labelled else f"{label}：", line=line))
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


def render_faq(item: ServiceItem, entry: FaqEntry) -> str:
    """A FAQ entry's question and answer, verbatim, with its source and region."""
    faq, region = entry.faq, entry.region
    lines = [
        texts.FAQ_HEADER.format(name=item.name, region=region),
        texts.FAQ_QUESTION.format(question=faq.question),
        texts.FAQ_ANSWER.format(answer=faq.answer),
    ]
    if faq.source.trust is Trust.weak:
        lines.append(texts.WEAK_SOURCE_NOTE)
    known = region.strip() and "不详" not in region
    lines.append(texts.FAQ_LOCAL_NOTE.format(region=region) if known else texts.FAQ_REGION_UNSTATED)
    lines.append(texts.SOURCE_LINE.format(title=faq.source.title))
    lines.append(texts.FAQ_VERIFIED_LINE.format(date=entry.guide.last_verified.isoformat()))
    return "\n".join(lines)


def faq_sources(entry: FaqEntry) -> list[SourceRef]:
    return [SourceRef(title=entry.faq.source.title, url=entry.faq.source.url, region=entry.region)]


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


def render_side_by_side(
    item: ServiceItem, guides: Sequence[tuple[str, Guide]], aspect: Aspect, *, helpline: str
) -> str:
    """The asked aspect of each sub-item's guide, one after another, each verbatim."""
    lines = [texts.SIDE_BY_SIDE_HEADER.format(name=item.name, aspect=texts.ASPECT_NAMES[aspect.value])]
    for canonical, guide in guides:
        lines.append(texts.SIDE_BY_SIDE_ENTRY.format(label=guide.sub_item or canonical, region=guide.region))
        lines += aspect_lines(guide, aspect, helpline)
    titles = dict.fromkeys(s.title for _, g in guides for s in g.sources)
    lines.append(texts.SOURCE_LINE.format(title="；".join(titles)))
    dates = sorted({g.last_verified.isoformat() for _, g in guides})
    lines.append(texts.VERIFIED_LINE.format(region=guides[0][1].region, date=dates[0]))
    return "\n".join(lines)


def common_materials(guides: Sequence[Guide]) -> list[str]:
    """Material names every one of these guides lists (in the first guide's order), verbatim."""
    if not guides or any(not g.materials for g in guides):
        return []
    rest = [{m.name for m in g.materials or []} for g in guides[1:]]
    return [m.name for m in guides[0].materials or [] if all(m.name in r for r in rest)]
