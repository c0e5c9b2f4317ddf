"""Fusion weights and decision thresholds; measured in bench/ and evaluation/, see the README.

`no_answer_below` and `clarify_margin` were calibrated (evaluation/calibrate.py) on the tuning sets
(`../shared/eval/dev.jsonl` and `evaluation/data/heldout.jsonl`, which is a tuning set, not a blind one);
`no_answer_below_en` and `english_min_margin` on English tuning questions only (the question bank's tuning
part and `evaluation/data/english_probes.jsonl`), never on its blind part.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Tuning:
    use_dense: bool = True
    use_lexical: bool = True
    use_names: bool = True
    use_faq: bool = True
    # a first question asking in general how to go about an item ("光荣证怎么办", "护士注册的事"), telling no case,
    # on an item whose sub-items differ in process or materials: ask which (decide/general_question.py; round 14)
    general_asks_sub_item: bool = True
    w_lexical: float = 0.08
    w_names: float = 0.15
    # the dense channel's best item gets this times its lead over the dense runner-up, for ranking only
    # (decide/meaning_rank.py): when the item is a match without it (its fused score at `no_answer_below`) and the
    # dense lead is at least `clarify_margin`, so whether any item matches is decided as without the lead. Round 12
    # added it to every fused score (2.0), which lifted weak matches past the threshold ("光荣牌要多少钱" got
    # 独生子女父母光荣证's fee), and it was switched off. Round 13: 0, 1 and 2 measured on every tuning split and the
    # bank's tuning part (docs/design/understanding.md, "Round 13 — the meaning lead for ranking only").
    w_meaning: float = 2.0
    no_answer_below: float = 0.965  # fused score of the best item, with no name mentioned (re-checked in round 12)
    # English questions score lower against Chinese guides (e5 across languages): their own threshold, with a
    # clear lead over the runner-up, calibrated on the bank's tuning English rows and
    # evaluation/data/english_probes.jsonl (`python -m evaluation.calibrate --english`)
    # (round 6: re-chosen after items got an English names chunk, knowledge/documents.py; an English question is
    # judged on this scale only, never on the Chinese threshold)
    no_answer_below_en: float = 0.92
    english_min_margin: float = 0.03
    clarify_margin: float = 0.012  # top two items this close, with no name mentioned → ask (re-checked in round 12)
    policy_bonus: float = 0.03  # added to policy points when the question asks about a policy
    # A policy asked in the citizen's own words (no policy name, no item named): the dense channel's best policy
    # point must lead every item's best chunk by this much, at this score at least (decide/policy_match.py);
    # calibrated on the bank's tuning part, `python -m evaluation.policy_calibration`
    policy_dense_lead: float = 0.005
    policy_dense_min: float = 0.85
    # ... and the learned kind head gives it at least this probability of being a policy question: on the tuning
    # rows the dense lead finds, it keeps 172/172 policy rows and 12/12 hand-written policy turns and drops 16/17
    # other departments' rows (`evaluation/policy_calibration.py --rows`, the p_policy column)
    policy_min_kind_prob: float = 0.2
    # ... or, without the dense lead, the head this sure and the best point's fused score at least the best item's
    # (rules._policy_by_kind)
    policy_sure_kind_prob: float = 0.8
    # ... and, with an item named or found clearly, the best point related to it may stand this far below the item's
    # own best chunk in the dense channel (rules._item_and_policy_by_kind; the tuning sets' cases lie within 0.017)
    policy_sure_item_slack: float = 0.02
    # After an answer citing a policy point, a follow-up continues that policy's document unless another
    # document's point scores this much higher (decide/topic.py)
    policy_topic_margin: float = 0.02
    # An item described rather than named, below `no_answer_below` (decide/described_item.py): answered when the
    # learned item head gives it this probability at least (0: never) and "none of ours" at most `described_max_none`,
    # the learned kind gives an in-domain question `described_in_domain_prob` at least, and retrieval ranks it among
    # its `described_top_k` best.
    # Round 14 (`python -m evaluation.described_figures`, leave-one-writer-out): without the cap on "none" the
    # veterans' plaque ("光荣牌去哪里领": 光荣证 0.59, none 0.15) would be answered; 0.65 is the gate's sure question.
    # Round 15 (the item among the best three, LOWO): 0.25 answers one more described first turn than 0.3 (德国导师
    # …手术示教, head 0.265); 0.15 two more but a wrong item where a clarify stood; no other department's row at 0.15.
    described_min_prob: float = 0.25
    described_in_domain_prob: float = 0.65
    described_max_none: float = 0.1
    # Round 15: the head's item among retrieval's this many best (not only first), also where `close_call` would ask;
    # chosen with the head trained without each writer (`python -m evaluation.described_figures`).
    described_top_k: int = 3
    # Round 15: where `best_item` would answer, another of those few best items the head gives this many times the
    # best item's probability (and the thresholds above) is answered instead (`described_over_best`; LOWO: 2 fixed,
    # none broken, the same at 1.5).
    described_over_ratio: float = 2.0
    # Round 17: an item a lexicon clue points to (decide/item_clues.py) is answered where the learned item head gives
    # it this much at least, this share at least of the head's most probable item of ours, and "none of ours" at most
    # `clue_max_none` (the kind sure of an in-domain question, as above): the tuning splits' clued first turns had
    # 0.09–0.75, a share of 0.6 or more, "none" up to 0.21.
    clue_min_head_prob: float = 0.05
    clue_min_head_share: float = 0.5
    clue_max_none: float = 0.25
    followup_short_chars: int = 16  # a message this short naming no item of its own is about the conversation's
    followup_short_words: int = 8  # the same for English, in words
    followup_max_residue: int = 4  # a follow-up says little beyond cue words ("那个要带身份证吗" → "身份证")
    context_window: int = 6
    # A later message describing another item at length switches to it (decide/followup.py
    # `_describes_another_item`): it says this many characters beyond cue words, places and fillers, and retrieval's
    # best item — the dense channel's best too — leads the conversation's by these margins (fused, dense). Chosen on
    # the tuning splits' later turns (round 12: 8 switches, no follow-up taken elsewhere).
    switch_min_residue: int = 8
    switch_lead: float = 0.05
    switch_dense_lead: float = 0.02
    # Round 15: and the learned item head gives that item this much at least (when the head is wired): every switch
    # of the tuning splits' later turns had 0.16 or more (LOWO), the one wrong switch 0.06 (`followup._head_doubts…`).
    switch_min_head_prob: float = 0.1
    # A FAQ entry answers instead of the guide's sections when the question, without the item's names, asks what the
    # entry's question asks (cosine of e5 query vectors, knowledge/retrieve/faq.py) at least this closely; when the
    # question asks for a field the item's guides state (fee, time limit, materials …), only a closer match beats
    # that field (decide/faq_rule.py). Chosen on evaluation/data/faq_probes.jsonl and the bank's tuning rows
    # (`python -m evaluation.language_figures`)
    faq_min: float = 0.90
    faq_min_over_field: float = 0.95  # the context item resolves an ambiguous question when among this many
