"""Whether a question holding another department's keyword asks about an item of ours (round 15).

The referral keyword (`referrals.yaml`: 户口, 营业执照, 退休, visa …) says another department's matter is in the
message; it does not say the message asks about it. Citizens name the other department's paper as a purpose or
a circumstance of what they ask us ("单位办退休要交独生子女证，可我的那本早就找不到了，咋补", "营业执照上的法人
换成我了，卫生许可证也得跟着改吗", "上户口要用的那张出生时医院开的纸能不能手机上申请"), or ask, in a
conversation about our item, for a paper or condition the item's own guides name ("大人的户口本也要带上吗",
"Must I already hold the entry visa when I apply?"). Two checks, both on views the project has besides the keyword, let
`turn_away.referral` (and `clarify_reply.chosen`) leave such a message to the other rules:

- `learned_views_agree_ours`: the learned kind is sure the message is ours (in-domain at the gate's sure question,
  `described_in_domain_prob`, or a policy question at its calibrated threshold), the learned item head gives one item
  of ours at least `described_min_prob` and "none of ours" at most `described_max_none` (it trains on every other
  department's question as "none"), and retrieval ranks that same item first: the three views `described_item`
  asks to agree. Where the learned kind is confidently another department's, never.
- `asks_the_items_requirement`: in a conversation about an item, the learned kind is sure the message is in-domain
  and not another department's, and the item's own guides use the keyword (an English keyword through its
  department's Chinese ones: "visa" → 签证): the other department's paper is asked as a requirement of our item.
  Where to get the other service done ("拿到出生证以后上户口去哪个派出所办") the learned kind gives to the other
  department, and the referral stands.

Without the learned predictors (no kind or item probabilities) neither check holds: the keyword decides as before.
"""

from __future__ import annotations

import logging

from knowledge.decide.described_item import head_item
from knowledge.decide.situation import Facts, Situation

logger = logging.getLogger(__name__)


def _kind_sure_ours(s: Situation, f: Facts, policy_too: bool) -> bool:
    """The learned kind is sure the message is in-domain (or, with `policy_too`, a policy question at its calibrated
    threshold) and not confidently another department's. The learned kind is the head's most probable: `Query.kind`
    is the keyword's own cue kind (`other_department`) wherever a referral keyword stands."""
    q, t = s.query, f.tuning
    if "other_department" in q.confident_kinds or not q.kind_probs:
        return False
    learned = max(q.kind_probs, key=lambda k: q.kind_probs[k])  # `Query.kind` is the keyword's cue kind here
    if learned == "in_domain" and q.kind_probs[learned] >= t.described_in_domain_prob:
        return True
    return policy_too and learned == "policy" and "policy" in q.confident_kinds


def learned_views_agree_ours(s: Situation, f: Facts) -> bool:
    """The learned kind, the learned item head and retrieval's ranking agree the message asks about one item of ours
    (see the module doc)."""
    q, t = s.query, f.tuning
    if q.referral is None or t.described_min_prob <= 0.0 or not q.item_probs or not s.scores.ranked:
        return False
    if not _kind_sure_ours(s, f, policy_too=True):
        return False
    found = head_item(s, f)
    if found is None:
        return False
    code = found[0]
    agreed = code == s.scores.ranked[0][0]
    if agreed:
        logger.debug("referral keyword %s left to the item rules: %s by kind, item head and ranking", q.referral, code)
    return agreed


def _spelt_out(short: str, word: str) -> bool:
    """`word` is a longer spelling of `short`: every character of `short`, in order, and more ("残疾证" in
    "残疾人证", "环评" in "环境影响评价")."""
    rest = iter(word)
    return len(word) > len(short) and all(ch in rest for ch in short)


def keyword_words(s: Situation, f: Facts) -> list[str]:
    """The referral keyword as the guides would write it: itself and its department's keywords that spell it out
    in full (残疾证 → 残疾人证, 环评 → 环境影响评价: a guide names a paper in its full form), or for an English
    keyword its department's Chinese keywords of two characters or more ("visa" → 签证, 户口 …)."""
    referral = s.query.referral
    if referral is None:
        return []
    entry = next((r for r in f.catalog.referrals if r.department == referral.department), None)
    chinese = [w for w in (entry.keywords if entry else []) if not w.isascii() and len(w) >= 2]
    if not referral.keyword.isascii():
        return [referral.keyword, *(w for w in chinese if _spelt_out(referral.keyword, w))]
    return chinese


def asks_the_items_requirement(s: Situation, f: Facts) -> bool:
    """In a conversation about an item, the learned kind is sure the message is in-domain and the item's guides use
    the referral keyword (see the module doc)."""
    code = s.context.item_code
    if not code or s.query.referral is None or not _kind_sure_ours(s, f, policy_too=False):
        return False
    return any(f.item_mentions(code, w) for w in keyword_words(s, f))


def keyword_of_our_question(s: Situation, f: Facts) -> bool:
    """Either check holds: the referral keyword is a purpose, a circumstance or a requirement in a question about an
    item of ours (`turn_away.referral` and `clarify_reply.chosen` leave the message to the other rules)."""
    return learned_views_agree_ours(s, f) or asks_the_items_requirement(s, f)
