"""How to go about it, where the guide does not say: the conditions say what has to be done.

"我想在两家医院多点执业 咋弄" asks for the process; the guide answering (医师多机构执业, from the law) states no
process, only the conditions ("应当以一个医疗卫生机构为主，并按照国家有关规定办理相关手续"). An item answer asking for
the process alone, whose guide states no process but states the conditions, gets both: the honest "本指南未载明办理流程"
and the conditions, verbatim. A guide stating the process, or stating neither, is left as it is.

Where, likewise: "上海的病媒生物防制备案在哪办" asks for the place; the Shanghai guide states none, but its online field
says where it is done ("通过本市“一网通办”平台办理"). A place-only item answer whose guide states no place but the
online service gets both. A guide stating neither a place, nor its implementing body, nor an online service, whose
process says where to go ("到现户籍地或原办证的乡镇人民政府或街道办事处申请办理"), answers "补的话上哪儿" by that
process.
"""

from __future__ import annotations

from dataclasses import replace

from knowledge.decide.guide_select import process_says_where
from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts
from knowledge.documents import field_text
from knowledge.schema import Aspect


def _with_fallback(decision: Decision, f: Facts, asked: Aspect, fallback: Aspect, suffix: str) -> Decision:
    """An item answer asking only ``asked`` whose guide states nothing for it but states ``fallback``: both."""
    if decision.kind != "answer" or decision.item_code is None or decision.policy_id or decision.faq_id:
        return decision
    if decision.aspects != (asked,):
        return decision
    item = f.catalog.item_by_code[decision.item_code]
    guide = f.selector.choose(
        item, asked, decision.sub_item, decision.region, decision.guide_hint, decision.region_named
    )
    if field_text(guide, asked) or not field_text(guide, fallback):
        return decision
    return replace(decision, aspects=(asked, fallback), rule=f"{decision.rule}+{suffix}")


def how_with_conditions(decision: Decision, f: Facts) -> Decision:
    """A process-only item answer whose guide states no process but the conditions: the conditions too."""
    return _with_fallback(decision, f, Aspect.process, Aspect.conditions, "conditions")


def where_with_online(decision: Decision, f: Facts) -> Decision:
    """A location-only item answer whose guide states no place but the online service: the online service too."""
    return _with_fallback(decision, f, Aspect.location, Aspect.online, "online")


def where_with_process(decision: Decision, f: Facts) -> Decision:
    """A location-only item answer whose guide says nothing of where (no place, implementing body or online service)
    but whose process tells where to go: the process too."""
    if decision.kind != "answer" or decision.item_code is None or decision.policy_id or decision.faq_id:
        return decision
    if decision.aspects != (Aspect.location,):
        return decision
    item = f.catalog.item_by_code[decision.item_code]
    guide = f.selector.choose(
        item, Aspect.location, decision.sub_item, decision.region, decision.guide_hint, decision.region_named
    )
    if field_text(guide, Aspect.location) or guide.implementing_body or field_text(guide, Aspect.online):
        return decision
    if not process_says_where(guide):
        return decision
    return replace(decision, aspects=(Aspect.location, Aspect.process), rule=f"{decision.rule}+process")
