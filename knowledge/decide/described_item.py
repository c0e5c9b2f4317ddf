"""An item described rather than named, found by the learned item head where retrieval alone is too weak or too
close to tell (rounds 14 and 15).

Citizens describe what they want to do ("小孩出生那个纸要怎么办理", "民营眼科医院，手术室全麻要用芬太尼和瑞芬太尼，得先
办下来个什么卡才能进药", "Our hospital in Jiujiang is inviting a surgeon from Germany…"): no name is said, the words
shared with the item's guides are common ones, and either the best item's fused score stays under `no_answer_below`
(`weak_match` gives the honest no answer, and every follow-up of the conversation cascades into no answers too) or
two items score within `clarify_margin` (`close_call` asks which, "诊所不想干了…执业许可证需要去注销吗": 护士执业注册
and 医疗机构执业登记). Round 12 lifted such items by the dense channel's lead and so also answered other departments'
questions ("光荣牌要多少钱"); round 13 kept that lead for ranking only, which cannot help here.

`described_item` decides before `weak_match`, only where `weak_match` would give the no answer or `close_call` would
ask which item (the conversation not settling it), and only when three independent views agree on one item:
- the learned kind is sure the message asks an in-domain question (`described_in_domain_prob`);
- the learned item head (`knowledge/learned/item_head.py`: e5 vector → item or `ITEM_NONE`, trained with every other
  department's question, complaint and small-talk message as "none of ours") gives that item at least
  `described_min_prob`, and "none" at most `described_max_none`;
- retrieval ranks it among its `described_top_k` best (fused scores, the meaning lead included): round 14 wanted it
  first; the head and retrieval's few best agreeing is the evidence, retrieval's order among close or weak scores
  is not.
English questions too (round 15): the head reads the multilingual e5 vector, so an English description reaches the
item its Chinese twin does; "not answered" for English is its own scale (`clear_english_lead`).
Never for a question naming an item (`named_item` decides those) or when a policy point would answer (`weak_match`'s
policy branch). With `described_min_prob` 0, or no item head wired (no learned predictors), it never decides.
"""

from __future__ import annotations

from knowledge.decide.item_decision import confidence, context_resolves, item_decision
from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.tuning import Tuning
from knowledge.query.predictors import ITEM_NONE


def clear_english_lead(s: Situation, t: Tuning) -> bool:
    """An English question whose best item clears the English threshold with a clear lead: e5 scores English
    questions lower against Chinese guides, so the Chinese threshold would turn every one away."""
    ranked = s.scores.ranked
    if s.query.language != "en" or not ranked or ranked[0][1] < t.no_answer_below_en:
        return False
    runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
    return ranked[0][1] - runner_up >= t.english_min_margin


def _undecided(s: Situation, f: Facts) -> bool:
    """Retrieval alone would not answer: too weak (`weak_match`'s no answer, not its policy point) or two items too
    close (`close_call`'s question, unless the conversation's item settles it)."""
    t, ranked = f.tuning, s.scores.ranked
    weak = not clear_english_lead(s, t) if s.query.language == "en" else ranked[0][1] < t.no_answer_below
    if weak:
        best = s.scores.best_point
        return not (best and best[1] >= t.no_answer_below + t.policy_bonus)  # weak_match answers with the point
    close = len(ranked) > 1 and ranked[0][1] - ranked[1][1] < t.clarify_margin
    return close and context_resolves(s, f) is None


def head_item(s: Situation, f: Facts) -> tuple[str, float] | None:
    """The learned item head's most probable item of ours and its probability, where the head gives it at least
    `described_min_prob` and "none of ours" at most `described_max_none` (the head itself sees another department's
    matter, a complaint or small talk in a message it gives "none"); else None."""
    q, t = s.query, f.tuning
    if not q.item_probs:
        return None
    code, prob = max(q.item_probs.items(), key=lambda kv: kv[1])
    if code == ITEM_NONE or code not in f.catalog.item_by_code or prob < t.described_min_prob:
        return None
    if q.item_probs.get(ITEM_NONE, 0.0) > t.described_max_none:
        return None
    return code, prob


def described_by_head(s: Situation, f: Facts) -> str | None:
    """The item the rule answers with, or None (see the module doc)."""
    t, q = f.tuning, s.query
    if t.described_min_prob <= 0.0 or not q.item_probs or s.scores.exact or not s.scores.ranked:
        return None
    if not _undecided(s, f):
        return None
    if q.kind != "in_domain" or q.kind_probs.get("in_domain", 0.0) < t.described_in_domain_prob:
        return None
    found = head_item(s, f)
    if found is None or found[0] not in [c for c, _ in s.scores.ranked[: t.described_top_k]]:
        return None
    return found[0]


def head_over_ranking(s: Situation, f: Facts) -> str | None:
    """Where `best_item` would answer retrieval's best item, found by no name: another item among retrieval's
    `described_top_k` best that the item head prefers clearly — at least `described_min_prob`, `described_over_ratio`
    times the head's probability of the best item, "none" at most `described_max_none` — with the learned kind sure of
    an in-domain question ("当医生的可以同时在两家医院执业吗": 医疗机构执业登记 first by 0.007, the head 医师多机构执业
    0.75 against 0.05). Or None."""
    t, q, ranked = f.tuning, s.query, s.scores.ranked
    if t.described_min_prob <= 0.0 or not q.item_probs or s.scores.exact or len(ranked) < 2:
        return None
    if ranked[0][0] in s.scores.named:
        return None
    if q.kind != "in_domain" or q.kind_probs.get("in_domain", 0.0) < t.described_in_domain_prob:
        return None
    found = head_item(s, f)
    if found is None or found[0] == ranked[0][0]:
        return None
    code, prob = found
    if code not in [c for c, _ in ranked[: t.described_top_k]]:
        return None
    if prob < t.described_over_ratio * q.item_probs.get(ranked[0][0], 0.0):
        return None
    return code


def described_over_best(s: Situation, f: Facts) -> Decision | None:
    """Just before `best_item`: the item the head clearly prefers among retrieval's few best (`head_over_ranking`)."""
    code = head_over_ranking(s, f)
    if code is None:
        return None
    score = s.scores.items.get(code, 0.0)
    return item_decision(s, f, code, "described_over_best", confidence(score, False, f.tuning))


def described_item(s: Situation, f: Facts) -> Decision | None:
    code = described_by_head(s, f)
    if code is None:
        return None
    score = s.scores.items.get(code, s.scores.ranked[0][1])
    return item_decision(s, f, code, "described_item", confidence(score, False, f.tuning))
