"""The sub-item the citizen's own story settles, where no sub-item cue names it.

"卫校三年读完了，上个月资格考试的分数也出来过线了…要带哪些东西" names no sub-item, but a passed qualifying exam
is the first registration's case; "她那个证明年一月份就满五年了" is a renewal's; "产品上市前要拿卫健的批件吗" a
first permit's; "医院把孩子爸爸的名字打成同音字了" a replacement's. The lexicon's `situations` say which words tell
which case (`CueMatcher.situations_in`); a told case counts only for an item whose guides cover that sub-item, and
only when the story tells exactly one such case. The item's other sub-items then need not be asked about.

    told_sub_item   the one sub-item of this item the message's story settles, or None
    new_case_told   a follow-up telling a case other than the conversation's and asking nothing of its own: what that
                    case needs, then how it goes (as "证丢了咋办" is read in one message)
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
    told = f.selector.cues.situations_in(query.norm)
    if not told:
        return None
    offered = f.selector.sub_items(item)
    covered = [c for c in told if c in offered]
    return covered[0] if len(covered) == 1 else None


def new_case_told(s: Situation, f: Facts, code: str) -> bool:
    """The message tells, by a situation, a case of the conversation's item other than the conversation's own
    sub-item ("她们证上到明年三月就满五年了 到时候又是什么手续" after a change of workplace: the renewal), and asks
    no aspect of its own: the case's needs are what it asks for, not the conversation's last aspect."""
    q, ctx = s.query, s.context
    if code != ctx.item_code or q.aspects or q.sub_item:
        return False
    told = told_sub_item(f, code, q)
    return told is not None and told != f.selector.cues.canonical_sub_item(ctx.sub_item)
