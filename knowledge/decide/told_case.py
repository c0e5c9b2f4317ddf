"""The sub-item the citizen's own story settles, where no sub-item cue names it.

"卫校三年读完了，上个月资格考试的分数也出来过线了…要带哪些东西" names no sub-item, but a passed qualifying exam
is the first registration's case; "她那个证明年一月份就满五年了" is a renewal's; "产品上市前要拿卫健的批件吗" a
first permit's; "医院把孩子爸爸的名字打成同音字了" a replacement's. The lexicon's `situations` say which words tell
which case (`CueMatcher.situations_in`); a told case counts only for an item whose guides cover that sub-item, and
only when the story tells exactly one such case. The item's other sub-items then need not be asked about.

    told_sub_item   the one sub-item of this item the message's story settles, or None
    cued_sub_item   of the sub-items the message's cues name, the one this item has ("搬家弄丢了": 搬家 tells 变更,
                    which 出生医学证明 does not have; 弄丢 tells 补发, which it has)
    new_case_told   a follow-up telling a case other than the conversation's and asking nothing of its own: what that
                    case needs, then how it goes (as "证丢了咋办" is read in one message)
    told_case_how   a question telling its case by a situation and asking only a vague how
                    ("在家里生的…出生证明怎么办"): what the case needs, then how it goes, as when a sub-item cue tells
                    the case ("证丢了咋办")
"""

from __future__ import annotations

from knowledge.decide.situation import Facts, Situation
from knowledge.query.model import Query


def told_sub_item(f: Facts, code: str, query: Query) -> str | None:
    """The one sub-item of the item `code` that the situations the message tells settle (lexicon `situations`),
    among the sub-items the item's guides cover; None when it tells none of them, or several."""
    item = f.catalog.item_by_code.get(code)
    if item is None:
        return None
    offered = f.selector.sub_items(item)
    covered = f.selector.cues.situations_in(query.norm, offered)
    return covered[0] if len(covered) == 1 else None


def cued_sub_item(f: Facts, code: str, query: Query) -> str | None:
    """Rule `cued_sub_item`: the message's sub-item (`Query.sub_item`, the first cue by the lexicon's priority) when
    the item `code` has it, else the one other sub-item its cues name that the item has (`CueMatcher.sub_items_in`),
    else the message's sub-item as it is."""
    item = f.catalog.item_by_code.get(code)
    if query.sub_item is None or item is None:
        return query.sub_item
    offered = f.selector.sub_items(item)
    if query.sub_item in offered:
        return query.sub_item
    others = [c for c in f.selector.cues.sub_items_in(query.norm) if c in offered]
    return others[0] if len(others) == 1 else query.sub_item


def told_case_how(query: Query, told: str | None) -> bool:
    """Rule `told_case_how`: a situation told the case (`told`, no sub-item cue did) and the message asks only a vague
    how (lexicon `followup.vague_with_place`: 怎么办, 咋弄 …; `Query.vague_aspect`), whatever the aspect head made of
    it: the case's needs and steps (`SUB_ITEM_HOW`), as the analyse stage reads "证丢了咋办"."""
    return told is not None and query.vague_aspect and not query.sub_item


def new_case_told(s: Situation, f: Facts, code: str) -> bool:
    """The message tells, by a situation, a case of the conversation's item other than the conversation's own
    sub-item ("她们证上到明年三月就满五年了 到时候又是什么手续" after a change of workplace: the renewal), and asks
    no aspect of its own: the case's needs are what it asks for, not the conversation's last aspect."""
    q, ctx = s.query, s.context
    if code != ctx.item_code or q.aspects or q.sub_item:
        return False
    told = told_sub_item(f, code, q)
    return told is not None and told != f.selector.cues.canonical_sub_item(ctx.sub_item)
