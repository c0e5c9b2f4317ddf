"""A general question on an item with several sub-items: ask which one, before a default sub-item's answer.

"独生子女父母光荣证怎么办", "公共场所卫生许可证怎么办", "宝宝生下来医院给的那张证明想问问怎么弄",
"我想问问护士注册的事": the citizen asks how to go about the item (or only names it), tells no case,
and the item's sub-items need different things (办证 and 补办 list different materials). The sub-item
rule (`rules.sub_items`) compares only the aspect asked; for a process question it missed these: the
guides state no process (the conditions answered instead, `how_with_conditions`), or one sub-item's FAQ
entry answered ("怎么弄" → the 换发 entry), or the question named no aspect (the overview, which the
sub-item rule leaves alone). How to go about an item is its process and what to bring: where the
sub-items' processes or materials differ, asking which case is the answer.

Only a first question about the item: a follow-up in a conversation already about it keeps the
conversation's case, and a reply to a clarifying question (which item?) is answered, not asked about
again. A message telling its case (a sub-item cue, a told situation, words only one sub-item's guide
uses) is answered for that case.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.told_case import told_sub_item
from knowledge.query.model import Query
from knowledge.schema import Aspect

HOW_IT_GOES = (Aspect.materials, Aspect.process)
"""What going about an item takes: compared between its sub-items."""


def asks_in_general(q: Query, general_how: Sequence[str]) -> bool:
    """The question asks how to go about the item, or only names it: no aspect and no question word ("我想问问
    护士注册的事"), the process by a general how word alone ("怎么办", not "流程": lexicon `followup.general_how`),
    or the predictor's guess of the process or materials (no aspect cue: "需要办哪些手续", "具体怎么个办法")."""
    if not q.aspects:
        return not q.asks
    if q.aspect_source == "predictor":
        return q.aspects[0] in HOW_IT_GOES
    return q.aspects == (Aspect.process,) and bool(q.aspect_cues) and all(c in general_how for c in q.aspect_cues)


def general_question(decision: Decision, s: Situation, f: Facts) -> Decision:
    """An item answer to a first, general question telling no case, on an item whose sub-items differ in process
    or materials: the sub-item the question's own words point to, else a clarifying question (which case?)."""
    if not f.tuning.general_asks_sub_item:
        return decision
    if decision.kind != "answer" or decision.item_code is None or decision.sub_item or decision.policy_id:
        return decision
    q = s.query
    if (
        s.context.item_code == decision.item_code
        or q.sub_item
        or not asks_in_general(q, f.selector.cues.lexicon.followup.general_how)
    ):
        return decision
    if s.context.choices:  # a reply to a clarifying question ("公共场所的，开宾馆用"): asked once already
        return decision
    if decision.aspects[0] not in (*HOW_IT_GOES, Aspect.overview):  # its words point to a field (guide words)
        return decision
    if told_sub_item(f, decision.item_code, q) is not None:
        return decision
    item = f.catalog.item_by_code[decision.item_code]
    differing = f.selector.differing_sub_items(item, HOW_IT_GOES, decision.region)
    if not differing:
        return decision
    named = f.sub_item_words.sub_item_named(item, q.norm, differing)
    if named is not None:
        return replace(decision, sub_item=named, rule=f"{decision.rule}+sub_item_words")
    return replace(
        decision,
        kind="clarify",
        rule="clarify_sub_item_general",
        clarify_sub_items=tuple(c for c, _ in differing),
        faq_id=None,
    )
