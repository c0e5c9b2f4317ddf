"""An item the citizen points to by what they mention, not by its name (round 17).

"医院疼痛科要用吗啡给晚期病人止痛，要去哪申请那个购药的卡", "我们门诊要新添一台拍牙片的机器 就是口腔CBCT", "我们医院
从日本请了个专家过来做半年手术", "周末想去民营医院坐诊": no name is said, the guides hold none of these words, so
retrieval ranks the item far down (the seal card not among the five best for 吗啡, the head sure of it at 0.75), and
`described_item` — which wants the head's item among retrieval's three best — gives the no answer. The lexicon's
`item_clues` (`knowledge/query/item_clues.py`) say which mentioned things point to which item.

    clued_item      (a rule, before `described_item`) a first question naming no item, whose clues point to one item,
                    the learned views not against it (`clue_gate`), retrieval's best item not one the same words
                    belong to as well (`shared_with`: a DSA room is the building project's too): that item
    clue_switch     (for `followup`) a follow-up whose clues point to another item than the conversation's, the
                    conversation's item not sharing the clue's words, the learned views not against it: a new question
                    about that item ("另外我们医院请了个日本专家来做三个月手术，要办什么" after 医师多机构执业;
                    "拍片的两个小姑娘是不是也得办个什么证才能上岗操作" after 放射诊疗许可)

The learned views must not speak against the clue: the kind sure of an in-domain question (`described_in_domain_prob`),
the item head giving the clued item `clue_min_head_prob` at least and `clue_min_head_share` of its most probable item of
ours (a Korean surgeon asking what a cosmetic clinic's chief physician must meet: the head sees 医疗美容), and "none of
ours" at most `clue_max_none`. Without
the learned predictors the clues never decide.
"""

from __future__ import annotations

from knowledge.decide.item_decision import confidence, item_decision
from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.query.item_clues import ItemClue
from knowledge.query.predictors import ITEM_NONE


def told_clue(s: Situation, f: Facts) -> ItemClue | None:
    """The clue the message tells, when its clues point to one item of the catalog (several clues of one item: the
    first); None when they point to none or to several items, or the message names an item verbatim."""
    if s.scores.exact:
        return None
    clues = [c for c in f.selector.cues.clues_in(s.query.norm) if c.item in f.catalog.item_by_code]
    if not clues or len({c.item for c in clues}) > 1:
        return None
    return clues[0]


def clue_gate(s: Situation, f: Facts, code: str, *, first: bool = True) -> bool:
    """The learned views do not speak against the clued item: the kind sure of an in-domain question, the item head
    giving the item `clue_min_head_prob` at least and "none of ours" `clue_max_none` at most — and, for a first
    question (`first`), `clue_min_head_share` of the head's favourite item of ours. A follow-up's head reads the
    message without its conversation ("拍片的两个小姑娘…办个什么证" after 放射诊疗许可: 光荣证 first, for the girls),
    so its favourite says little there."""
    q, t = s.query, f.tuning
    if not q.item_probs or q.kind != "in_domain" or q.kind_probs.get("in_domain", 0.0) < t.described_in_domain_prob:
        return False
    prob = q.item_probs.get(code, 0.0)
    ours = max((p for c, p in q.item_probs.items() if c != ITEM_NONE), default=0.0)
    if prob < t.clue_min_head_prob or (first and prob < t.clue_min_head_share * ours):
        return False  # the head does not see the item, or clearly prefers another one
    return q.item_probs.get(ITEM_NONE, 0.0) <= t.clue_max_none


def clued_item(s: Situation, f: Facts) -> Decision | None:
    clue = told_clue(s, f)
    if clue is None or not clue_gate(s, f, clue.item):
        return None
    ranked = s.scores.ranked
    if ranked and ranked[0][0] in clue.shared_with:  # "新建DSA机房…预评价": the building project's, retrieval says
        return None
    score = s.scores.items.get(clue.item, 0.0)
    return item_decision(s, f, clue.item, "clued_item", confidence(score, False, f.tuning))


def clue_switch(s: Situation, f: Facts) -> str | None:
    """The item a follow-up's clue switches the conversation to, or None (see the module doc)."""
    ctx = s.context.item_code
    clue = told_clue(s, f)
    if clue is None or ctx is None or clue.item == ctx or ctx in clue.shared_with:
        return None
    return clue.item if clue_gate(s, f, clue.item, first=False) else None
