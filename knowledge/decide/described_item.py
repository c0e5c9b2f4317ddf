"""An item described rather than named, found by the learned item head where retrieval alone is too weak (round 14).

Citizens describe what they want to do ("小孩出生那个纸要怎么办理", "中心安宁疗护病区要给晚期病人用吗啡 我们需要先拿个
什么卡"): no name is said, the words shared with the item's guides are common ones, and the best item's fused score
stays under `no_answer_below`, so `weak_match` gives the honest no answer and every follow-up of the conversation
cascades into no answers too. Round 12 lifted such items by the dense channel's lead and so also answered other
departments' questions ("光荣牌要多少钱"); round 13 kept that lead for ranking only, which cannot help here.

`described_item` decides before `weak_match`, only where it would give the no answer, and only when three
independent views agree on one item:
- the learned kind is sure the message asks an in-domain question (`described_in_domain_prob`);
- the learned item head (`knowledge/learned/item_head.py`: e5 vector → item or `ITEM_NONE`, trained with every other
  department's question, complaint and small-talk message as "none of ours") gives that item at least
  `described_min_prob`, and "none" at most `described_max_none`;
- retrieval ranks it first (fused scores, the meaning lead included).
Never for a question naming an item (`named_item` decides those), an English question (its own threshold and
margin), or when a policy point would answer (`weak_match`'s policy branch). With `described_min_prob` 0, or no item
head wired (no learned predictors), it never decides.
"""

from __future__ import annotations

from knowledge.decide.item_decision import confidence, item_decision
from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.query.predictors import ITEM_NONE


def described_by_head(s: Situation, f: Facts) -> str | None:
    """The item the rule answers with, or None (see the module doc)."""
    t, q = f.tuning, s.query
    if t.described_min_prob <= 0.0 or not q.item_probs or s.scores.exact or q.language == "en":
        return None
    ranked = s.scores.ranked
    if not ranked or ranked[0][1] >= t.no_answer_below:
        return None  # retrieval alone decides
    best = s.scores.best_point
    if best and best[1] >= t.no_answer_below + t.policy_bonus:
        return None  # weak_match answers with the policy point
    if q.kind != "in_domain" or q.kind_probs.get("in_domain", 0.0) < t.described_in_domain_prob:
        return None
    code, prob = max(q.item_probs.items(), key=lambda kv: kv[1])
    if code == ITEM_NONE or prob < t.described_min_prob or code not in f.catalog.item_by_code:
        return None
    if q.item_probs.get(ITEM_NONE, 0.0) > t.described_max_none:
        return None  # the head itself sees another department's matter, a complaint or small talk in it
    if code != ranked[0][0]:
        return None
    return code


def described_item(s: Situation, f: Facts) -> Decision | None:
    code = described_by_head(s, f)
    if code is None:
        return None
    return item_decision(s, f, code, "described_item", confidence(s.scores.ranked[0][1], False, f.tuning))
