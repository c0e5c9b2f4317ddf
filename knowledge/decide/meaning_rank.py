"""The meaning lead for ranking only (round 13): which item is best, never whether any item matches.

Retrieval records the dense channel's best item and its lead over the dense runner-up beside the fused scores
(`Scores.meaning_lead`, `retrieve/fuse.py`). An item the citizen describes without naming it can lose the fused
ranking to an item sharing common words (医院, 证明, 手续) with the question while the dense channel puts it first;
`w_meaning` times the dense lead then decides between them.

Round 12 added the lead to every fused score, so also to the score the no-answer threshold judges: a weak match
crossed the threshold ("光荣牌要多少钱", the veterans' plaque — another department's — got 独生子女父母光荣证's fee).
Here the lead is added only to an item that is a match without it (`meaning_decides`), so every "is there a match at
all" test of the rules (`weak_match`, the follow-up rules' threshold, `Engine.match_item`) decides as without the
lead, while the rules reading the ranking (the best item, the clarify margin, a later turn's switch by description)
see it. The dense channel must itself be clear about its best item — a lead of `clarify_margin` at least, the margin
the fused ranking needs to answer without asking: a smaller lead, let into the margin, made close calls between two
spurious matches of other departments' questions answers ("护士school毕业证丢了 学历证明找谁开" → 护士执业注册, lead
0.009). English questions get no lead: whether one matches is judged with a margin of its own over the runner-up
(`described_item.clear_english_lead`), which a lead would widen.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from knowledge.decide.tuning import Tuning
from knowledge.query.model import Query
from knowledge.retrieve.protocol import Scores

logger = logging.getLogger(__name__)


def meaning_decides(scores: Scores, query: Query, tuning: Tuning) -> str | None:
    """The item the meaning lead raises, or None: the dense channel's best item, when the question is not English,
    the dense channel leads its runner-up by `clarify_margin` or more, and the item's fused score without the lead
    clears `no_answer_below` (it is a match on its own)."""
    lead = scores.meaning_lead
    if lead is None or tuning.w_meaning <= 0.0 or query.language == "en":
        return None
    code, margin = lead
    if margin < tuning.clarify_margin or scores.items.get(code, 0.0) < tuning.no_answer_below:
        return None
    return code


def rank_by_meaning(scores: Scores, query: Query, tuning: Tuning) -> Scores:
    """`scores` with the item `meaning_decides` raised by `w_meaning` times its dense lead; else `scores` unchanged."""
    code = meaning_decides(scores, query, tuning)
    if code is None or scores.meaning_lead is None:
        return scores
    bonus = tuning.w_meaning * scores.meaning_lead[1]
    logger.debug("meaning lead: %s +%.4f", code, bonus)
    return replace(scores, items={**scores.items, code: scores.items[code] + bonus})
