"""A follow-up asking whether the item has a guide for a place it names ("我是广州的诊所，广州那边的指南有吗",
"我厂子在杭州，杭州的指南有没有"): when none of the item's guides covers that place, the honest no-answer naming the
place and the item (the conversation keeps its item), never another place's guide offered as if it were asked.

A place named with a question about part of the guide ("我们在陕西，那边办理时限多久") still answers with the nearest
guide and its notice that the place has none (compose/answer.py, `texts.REGION_MISSING`): only a message asking for
the guide itself — a word for the guide, or asking whether there is one and for no part of it — is this rule's.
`no_local_office` is the one exception: where to go or whom to call, for a place no guide covers."""

from __future__ import annotations

from dataclasses import replace

from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.places import Relation
from knowledge.query.model import Query
from knowledge.schema import Aspect, Status

# Words for the guide itself (办事指南, 指南, 办事流程说明 …), and words asking whether something exists.
GUIDE_WORDS = ("指南", "办事须知", "guide")
EXISTENCE_WORDS = ("有吗", "有没有", "有无", "有冇", "有没", "有不有", "is there", "do you have")


def asks_for_the_guide(norm: str, has_aspect_cue: bool) -> bool:
    """A message asking for the guide itself: it names the guide, or asks whether there is one for no part of it."""
    if any(w in norm for w in GUIDE_WORDS):
        return True
    return not has_aspect_cue and any(w in norm for w in EXISTENCE_WORDS)


def region_without_guide(s: Situation, f: Facts, code: str) -> Decision | None:
    """The no-answer for a follow-up about `code` asking for the guide of a place it names, where the item has none."""
    q = s.query
    if not q.region or not asks_for_the_guide(q.norm, bool(q.aspect_cues)):
        return None
    item = f.catalog.item_by_code[code]
    covered = any(g.status is Status.active and f.selector.region_covers(g.region, q.region) for g in item.guides)
    if covered:
        return None
    return Decision(
        kind="no_answer",
        rule="region_without_guide",
        item_code=code,
        region=q.region,
        region_named=True,
        confidence=0.9,
    )


def no_local_office(decision: Decision, query: Query, f: Facts) -> Decision:
    """An answer only about where to go or whom to call (the location aspect) for a place the citizen named that no
    guide of the item covers, the item having no national guide either ("北京朝阳区…放射诊疗许可…在哪办", where the
    only guide is 辽宁朝阳市's): another place's window, address and phone answer nothing there, so the honest
    no-answer naming the place (`texts.REGION_NO_GUIDE`, with the human channel) replaces "以下是…的指南，供参考".
    Only when the message itself asks where (its own cue, not a carried or guessed aspect), and no guide or FAQ entry
    of the item is the place's, above it or inside it. Other aspects keep the nearest guide with its notice:
    materials or conditions elsewhere are still a guide."""
    if decision.kind != "answer" or decision.item_code is None or not decision.region or not decision.region_named:
        return decision
    if decision.aspects != (Aspect.location,) or Aspect.location not in query.aspects:
        return decision
    if decision.policy_id or decision.faq_id:
        return decision
    item = f.catalog.item_by_code[decision.item_code]
    active = [g for g in item.guides if g.status is Status.active]
    if not active or any(g.national for g in active):
        return decision
    regions = [g.region for g in active] + [e.region for g in active for e in g.faq if e.region]
    if any(f.selector.region_relation(r, decision.region) >= Relation.below for r in regions):
        return decision  # a guide or FAQ of the place, above it or inside it ("辽宁" asked, 朝阳市's guide)
    return replace(decision, kind="no_answer", rule=f"{decision.rule}+no_local_office")
