"""Building an item decision, shared by the decision rules (`rules.py`) and the follow-up rule (`followup.py`):
the asked aspects (the conversation's when none), the place whose guide to prefer, the sub-item carried over, the
confidence from the fused score."""

from __future__ import annotations

from knowledge.answer import Context
from knowledge.decide.guide_select import NATIONAL, SUB_ITEM_ORDER, names_the_nation
from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.told_case import cued_sub_item, told_case_how, told_sub_item
from knowledge.decide.tuning import Tuning
from knowledge.places import Relation
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.query.model import Query
from knowledge.schema import Aspect


def confidence(fused: float, named: bool, tuning: Tuning) -> float:
    base = (fused - tuning.no_answer_below) / 0.15
    return round(max(0.0, min(1.0, 0.5 + base + (0.3 if named else 0.0))), 3)


def aspects_of(query: Query, context: Context | None = None) -> tuple[Aspect, ...]:
    if query.aspects:
        return query.aspects
    if context is not None and context.aspect:
        return (context.aspect,)
    return (Aspect.overview,)


def region_of(query: Query) -> str | None:
    """The place whose guide to prefer: the one named, else the national level when asked for, else the dialogue's."""
    if query.region:
        return query.region
    return NATIONAL if names_the_nation(query.norm) else query.region_hint


def context_resolves(s: Situation, f: Facts) -> str | None:
    """The context item, when it is among the few items an ambiguous question could mean."""
    code = s.context.item_code
    if code and code in [c for c, _ in s.scores.ranked[: f.tuning.context_window]]:
        return code
    return None


def context_sub_item(s: Situation, f: Facts, code: str) -> str | None:
    """The conversation's sub-item for its own item when it is one the citizen could have chosen (首次, 延续 …; a
    guide's label such as "首次注册" counts as its canonical word); a label naming none ("（县级）护士执业注册",
    "法规层面") only says which guide answered last, and must not pin that guide when a region is named later; a label
    naming several is kept while no place is named (`_covers_several`)."""
    if code != s.context.item_code or not s.context.sub_item:
        return None
    canonical = f.selector.cues.canonical_sub_item(s.context.sub_item)
    if canonical in SUB_ITEM_ORDER:
        return canonical
    return s.context.sub_item if _covers_several(s, f) else None


def _covers_several(s: Situation, f: Facts) -> bool:
    """The conversation's guide label covers several sub-items ("首次签发（机构内/机构外）、换发") and the message names
    no place: the guide that answered covers the citizen's case, so the next question about the same item is asked
    of it, not answered by asking which sub-item again. A place named moves to that place's guides."""
    label = s.context.sub_item or ""
    covered = [c for c in SUB_ITEM_ORDER if f.selector.cues.sub_item_matches(label, c)]
    return len(covered) >= 2 and s.query.region is None


def guide_hint(s: Situation, code: str, f: Facts | None = None) -> str | None:
    """The guide the conversation's last answer quoted, when the message asks about that answer's item again and names
    no place nor the national rule: the selector prefers it while it states what is asked. A place named in the message
    decides by its guides; a place remembered from earlier keeps the last guide only when that guide is the place's own
    (or of a place inside it: 韶山's guide after "湘潭韶山市…"), never a national or another place's guide."""
    q, ctx = s.query, s.context
    if code != ctx.item_code or not ctx.guide_id or q.region or names_the_nation(q.norm):
        return None
    if not ctx.guide_id.startswith(f"{code}."):
        return None
    if q.region_hint:
        if f is None or (found := f.catalog.guide_by_id.get(ctx.guide_id)) is None:
            return None
        if f.selector.region_relation(found[1].region, q.region_hint) not in (Relation.same, Relation.below):
            return None
    return ctx.guide_id


def item_decision(
    s: Situation, f: Facts, code: str, rule: str, conf: float, aspects: tuple[Aspect, ...] | None = None
) -> Decision:
    q = s.query
    # a cue names the case, else the story settles it ("资格考试…过线了": 首次), else the conversation's case
    told = None if q.sub_item else told_sub_item(f, code, q)
    sub_item = cued_sub_item(f, code, q) or told or context_sub_item(s, f, code)
    if aspects is None and told_case_how(q, told):  # "在家里生的…出生证明怎么办": what the case needs, how it goes
        aspects = SUB_ITEM_HOW
    return Decision(
        kind="answer",
        rule=rule,
        item_code=code,
        aspects=aspects or aspects_of(q),
        sub_item=sub_item,
        region=region_of(q),
        region_named=q.region is not None,
        guide_hint=guide_hint(s, code, f),
        confidence=conf,
    )


def best_named(s: Situation) -> str:
    """The item named verbatim with the best name score (then the best fused score)."""
    return max(s.scores.exact, key=lambda c: (s.scores.named.get(c, 0.0), s.scores.items.get(c, 0.0)))


def within(q: Query, chars: int, words: int) -> bool:
    """Whether a message is at most this long: characters, or words for an English one."""
    return len(q.norm.split()) <= words if q.language == "en" else len(q.norm) <= chars
