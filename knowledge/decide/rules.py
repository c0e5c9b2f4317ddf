"""The decision rules, tried in order; the first that decides wins, then the sub-item rule may refine it.

Every rule is a plain function `(Situation, Facts) -> Decision | None`, named for what it decides, so a
test can hand it a built `Query` and `Scores` and check the outcome without any retrieval.

    button_choice   a pressed clarify button (`Context.chosen`): the chosen item and sub-item for the re-asked
                    question, a process question for a chosen case as materials then process (decide/clarify_reply.py)
    clarify_reply   after a clarifying question, a typed reply that picks one of the offered choices in words
                    ("续期的", "证丢了要补", "老板换人了，法人要改"): that choice, for the clarify's aspect
                    (decide/clarify_reply.py; a referral keyword in it leaves it to the next rules)
    referral        another department's service by keyword, no item of ours named (or only in passing while
                    the learned kind says another department) → no answer naming the department; not where the
                    learned views say the ask is ours (the keyword a purpose or circumstance: decide/referral_ask.py)
    complaint_about_department  a complaint whose target is another department's office, staff or service, no
                    item of ours named ("…我要投诉公积金中心") → no answer naming that department
    department_subject  asks which department handles something in any words ("…医闹这种事应该找谁处理", "是不是
                    应该直接找警察") about another department's office or service, no item of ours named → no answer
                    naming that department (query/department_question.py)
    other_department  the learned kind is confidently another department's, nothing of ours named → 12345
    not_held_matter  names a matter of ours the knowledge base holds no guide for (`not_held.yaml`: 乡村医生执业注册,
                    健康证, 医师资格考试 …) and no item by a name or alias beside it → no answer naming the matter
                    (decide/unknown_subject.py)
    policy_followup  after an answer citing a policy point, a question naming no item, policy or aspect that the
                    policy's document holds best: that document's best point (decide/topic.py)
    followup        a message in a conversation that asks about the conversation's item (any wording); a
                    place named with only a vague "how" (怎么办) keeps the conversation's aspect too; asking for
                    the guide of a place the item has none for: no answer naming the place (decide/region_guide.py)
    policy          names a policy (告知承诺, 首违不罚…): the cited point; with an item named too: both; names
                    none and no item, but the dense channel's best policy point clearly outscores every item
                    (`policy_match.py`, thresholds calibrated on the bank's tuning part): that point; a general
                    policy word ("怎么回事") in a question the learned kind gives to another department is none
    named_item      names an item (or alias) verbatim
    generic         names only a kind of thing ("我要办许可证"): ask which item, unless the context says
    department_question  asks which department / where to complain, names no item of ours → no answer
                    (referral, complaint_about_department, other_department and department_question:
                    decide/turn_away.py)
    unknown_document  names no item of ours, asks about a certificate whose qualifier ("献血证", "预防接种证") no
                    name, alias, guide or policy text holds → no answer (decide/unknown_subject.py)
    clued_item      no name, but a thing the message mentions points to one item (lexicon `item_clues`: 吗啡 bought
                    by a hospital → the seal card, a CBCT installed → 放射诊疗许可), the learned kind and item head
                    not against it (decide/item_clues.py)
    described_item  no name, retrieval too weak or two items too close, but the learned kind (in-domain), the
                    learned item head and retrieval's few best agree on one item (decide/described_item.py)
    weak_match      nothing scores high enough: a policy point if one does, else an honest no answer (English
                    questions: their own threshold, with a clear lead over the runner-up)
    close_call      two items score too close to tell: ask which, unless the context says
    described_over_best  named by no name, another item among retrieval's few best that the learned item head
                    clearly prefers (decide/described_item.py)
    best_item       the best-scoring item
  then
    general         a first question asking how to go about an item in general (or only naming it), telling no
                    case, on an item whose sub-items differ in process or materials: ask which
                    (decide/general_question.py)
    faq             an item answer whose FAQ entry matches the question better than its guide sections: the entry,
                    quoted verbatim (decide/faq_rule.py)
    guide words     a question without aspect cues whose words stand in one field of the item's guides only
                    asks for that field ("护士延续注册需要体检吗": materials; decide/guide_words.py)
    how             the process asked of a guide that states none but the conditions: both (decide/how_fallback.py)
    where           the place asked of a guide that states none but the online service: both; stating neither but a
                    process step saying where to go: the process too (decide/how_fallback.py)
    sub_items       the item's sub-items state the asked aspect differently and the question does not
                    say which: the sub-item its own words point to (decide/sub_item_words.py: words only one
                    sub-item's guide uses), else ask (lists: materials, conditions, process) or show them side by side
    no local office where to go for a named place that no guide of the item covers (and no national guide): the
                    no-answer naming the place, not another place's window (decide/region_guide.py)
    amount          how much an allowance pays, asked of an item none of whose guides states a sum of money: the
                    no-answer keeping the item, saying its guides do not state it (decide/unknown_subject.py)
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import replace

from knowledge.decide.clarify_once import clarify_once
from knowledge.decide.clarify_reply import button_choice, clarify_reply
from knowledge.decide.described_item import clear_english_lead, described_item, described_over_best
from knowledge.decide.faq_rule import faq
from knowledge.decide.followup import followup
from knowledge.decide.general_question import general_question
from knowledge.decide.guide_words import aspect_from_guide_words
from knowledge.decide.how_fallback import how_with_conditions, where_with_online, where_with_process
from knowledge.decide.item_clues import clued_item
from knowledge.decide.item_decision import (
    best_named,
    confidence,
    context_resolves,
    item_decision,
)
from knowledge.decide.model import Decision
from knowledge.decide.policy_match import dense_lead_over, dense_policy_lead
from knowledge.decide.region_guide import no_local_office
from knowledge.decide.situation import Facts, Rule, Situation
from knowledge.decide.topic import policy_followup
from knowledge.decide.tuning import Tuning
from knowledge.decide.turn_away import (
    complaint_about_department,
    department_question,
    department_subject,
    other_department,
    referral,
)
from knowledge.decide.unknown_subject import amount_not_stated, not_held_matter, unknown_document
from knowledge.documents import field_text
from knowledge.query.model import Query
from knowledge.schema import Aspect

logger = logging.getLogger(__name__)

LIST_ASPECTS = (Aspect.materials, Aspect.conditions, Aspect.process)  # too long to show side by side


# ---- the rules ---------------------------------------------------------------------------------


def policy(s: Situation, f: Facts) -> Decision | None:
    q, t = s.query, f.tuning
    points = s.scores.points
    cited = f.cited_points(q.policy_names)
    if not cited and q.policy_cues and not s.scores.exact:  # asks about a policy point by its own words
        cited = f.points_named_in(q.norm)
    if cited:
        exact = sorted(s.scores.exact, key=lambda c: -s.scores.named.get(c, 0.0))
        item = exact[0] if exact else None
        known = s.context.item_code if s.context.item_code in f.catalog.item_by_code else None  # not a policy's
        if item is None and known and q.aspects == ():
            item = known if any(known in f.related_items(p) for p in cited) else None
        if item is None and not known:
            item = _clear_best_related(s, f, cited)
        # the point relating to the item asked about, else the conversation's ("能跨省一起办吗" after 出生一件事)
        about = item or known
        best = max(cited, key=lambda p: (about in f.related_items(p) if about else False, points.get(p, 0.0)))
        if item is not None:
            decision = replace(item_decision(s, f, item, "item_and_policy", 0.9), policy_id=best)
            guide_words = [g.sub_item or "" for g in f.catalog.item_by_code[item].guides]
            named = [n for n in q.policy_names if any(n in w for w in guide_words)]
            if named and not q.sub_item:  # the item has a guide for this very policy (告知承诺制), no case cue
                decision = replace(decision, sub_item=named[0])
                guide = f.selector.choose(f.catalog.item_by_code[item], decision.aspects[0], named[0], decision.region)
                if not any(field_text(guide, a) for a in decision.aspects):  # "能不能告知承诺": its overview
                    decision = replace(decision, aspects=(Aspect.overview,))
            return decision
        return Decision(kind="answer", rule="policy", policy_id=best, aspects=(Aspect.overview,), confidence=0.9)
    if not q.policy_names:  # a policy in the citizen's own words, found by meaning
        by_meaning = _policy_by_meaning(s, f) or _policy_by_kind(s, f) or _item_and_policy_by_kind(s, f)
        if by_meaning is not None:
            return by_meaning
    if not q.asks_policy or not points or q.aspects:
        return None
    if q.kind == "other_department":  # a general cue ("怎么回事", "是什么") in another department's question
        return None
    best_id, best_score = max(points.items(), key=lambda kv: kv[1])
    top = s.scores.items.get(best_named(s), 0.0) if s.scores.exact else max(s.scores.items.values(), default=0.0)
    if best_score + t.policy_bonus >= top:
        conf = confidence(best_score + t.policy_bonus, False, t)
        return Decision(kind="answer", rule="policy", policy_id=best_id, aspects=(Aspect.overview,), confidence=conf)
    return None


def _clear_best_related(s: Situation, f: Facts, cited: Sequence[str]) -> str | None:
    """The item retrieval finds best, clearly (at the no-answer threshold, by the clarify margin over the runner-up),
    when a cited policy point relates to it: the item the citizen means by a generic word ("西宁…卫生许可证承诺一下当天
    就给": 公共场所卫生许可 under 告知承诺), so the answer is both, as when the item is named."""
    code = _clear_best(s, f.tuning)
    if code is None:
        return None
    if any(code in f.related_items(p) for p in cited):
        return code
    name = f.catalog.item_by_code[code].name  # "理发店…没办卫生许可证…能不能不罚": 卫生许可 is a word of its name
    return code if any(t in s.query.norm and t in name and len(t) >= 3 for t in f.generic_terms) else None


def _policy_by_kind(s: Situation, f: Facts) -> Decision | None:
    """No policy and no item named, the learned kind sure the question asks about a policy (`policy_sure_kind_prob`),
    and the best policy point's fused score at least the best item's: that point ("卫生监督来店里检查，是想啥时候来就
    啥时候来吗，有没有个规矩" → 双随机). The dense lead alone misses such questions by a hair; the head's certainty
    stands in for it."""
    t, q = f.tuning, s.query
    if s.scores.exact or q.kind_probs.get("policy", 0.0) < t.policy_sure_kind_prob:
        return None
    best = s.scores.best_point
    ranked = s.scores.ranked
    if best is None or best[1] < t.policy_dense_min or (ranked and best[1] < ranked[0][1]):
        return None
    conf = confidence(best[1] + t.policy_bonus, False, t)
    overview = (Aspect.overview,)
    return Decision(kind="answer", rule="policy_by_kind", policy_id=best[0], aspects=overview, confidence=conf)


def _item_and_policy_by_kind(s: Situation, f: Facts) -> Decision | None:
    """The learned kind sure of a policy question (`policy_sure_kind_prob`), an item named or found clearly (no-answer
    threshold, clarify margin), and the dense channel's best policy point related to that item and within
    `policy_sure_item_slack` of the item's own best chunk: both ("民间资本想办医院，设置审批会不会被卡着不给批" →
    设置审批 and 社会办医's 不得以任何理由限制; "余杭开个小诊所，现在还需要先拿设置批准书吗" → 诊所备案 and
    取消诊所设置许可). An item's guide rarely says what a policy changed; the head's certainty stands in for the dense
    lead `_policy_by_meaning` wants."""
    t, q = f.tuning, s.query
    if q.kind_probs.get("policy", 0.0) < t.policy_sure_kind_prob:
        return None
    best_point, _ = dense_policy_lead(s.scores)
    if best_point is None or best_point[1] < t.policy_dense_min:
        return None
    item = best_named(s) if s.scores.exact else _clear_best(s, t)
    if item is None or item not in f.related_items(best_point[0]):
        return None
    if dense_lead_over(s.scores, best_point[0], item) < -t.policy_sure_item_slack:
        return None
    return replace(item_decision(s, f, item, "item_and_policy_by_kind", 0.9), policy_id=best_point[0])


def _clear_best(s: Situation, t: Tuning) -> str | None:
    """The best item when it clears the no-answer threshold by the clarify margin over the runner-up, else None."""
    ranked = s.scores.ranked
    if not ranked or ranked[0][1] < t.no_answer_below:
        return None
    if len(ranked) > 1 and ranked[0][1] - ranked[1][1] < t.clarify_margin:
        return None
    return ranked[0][0]


def _policy_by_meaning(s: Situation, f: Facts) -> Decision | None:
    """No policy named: the dense channel's best policy point, when it leads every item (no item named) or the
    named item it relates to (then both: "余杭开诊所是不是改成备案了"), by `policy_dense_lead` at
    `policy_dense_min` or more."""
    t = f.tuning
    if s.query.kind == "other_department":  # the learned kind leans to another department ("无犯罪记录证明在哪开")
        return None
    if s.query.kind_probs and s.query.kind_probs.get("policy", 0.0) < t.policy_min_kind_prob:
        return None  # the learned kind sees no policy question at all
    best_point, lead = dense_policy_lead(s.scores)
    if best_point is None or best_point[1] < t.policy_dense_min:
        return None
    point_id, score = best_point
    if not s.scores.exact:
        if lead < t.policy_dense_lead:
            return None
        conf = confidence(score + t.policy_bonus, False, t)
        return Decision(
            kind="answer", rule="policy_by_meaning", policy_id=point_id, aspects=(Aspect.overview,), confidence=conf
        )
    item = best_named(s)
    if item not in f.related_items(point_id) or dense_lead_over(s.scores, point_id, item) < t.policy_dense_lead:
        return None
    return replace(item_decision(s, f, item, "item_and_policy_by_meaning", 0.9), policy_id=point_id)


def named_item(s: Situation, f: Facts) -> Decision | None:
    exact = s.scores.exact
    if not exact:
        return None
    code = best_named(s)
    return item_decision(s, f, code, "named_item", confidence(s.scores.items.get(code, 0.0), True, f.tuning))


def _clarify_items(s: Situation, f: Facts, rule: str, *, generic: bool) -> Decision:
    ranked = s.scores.ranked
    if generic:  # prefer items whose name carries the (longest) generic word the question used
        for term in (t for t in f.generic_terms if t in s.query.norm):
            named = [(c, sc) for c, sc in ranked if term in f.catalog.item_by_code[c].name]
            if named:
                ranked = named + [pair for pair in ranked if pair not in named]
                break
    return Decision(
        kind="clarify",
        rule=rule,
        aspects=s.query.aspects,
        clarify_items=tuple(c for c, _ in ranked[:4]),
    )


def generic(s: Situation, f: Facts) -> Decision | None:
    if not s.query.only_generic:
        return None
    chosen = context_resolves(s, f)
    if chosen:  # the conversation (or a clarify button) already says which item
        return item_decision(s, f, chosen, "generic_in_context", 0.8)
    return _clarify_items(s, f, "generic", generic=True)


def weak_match(s: Situation, f: Facts) -> Decision | None:
    t = f.tuning
    ranked = s.scores.ranked
    if not ranked:
        return Decision(kind="no_answer", rule="weak_match")
    top_code, top = ranked[0]
    if top_code in s.scores.named:
        return None
    if s.query.language == "en":  # English questions are judged on their own scale only (their names chunk)
        if clear_english_lead(s, t):
            return None
    elif top >= t.no_answer_below:
        return None
    best = s.scores.best_point
    if best and best[1] >= t.no_answer_below + t.policy_bonus:
        return Decision(
            kind="answer",
            rule="policy",
            policy_id=best[0],
            aspects=(Aspect.overview,),
            confidence=confidence(best[1], False, t),
        )
    return Decision(kind="no_answer", rule="weak_match")


def close_call(s: Situation, f: Facts) -> Decision | None:
    ranked = s.scores.ranked
    if len(ranked) < 2 or ranked[0][0] in s.scores.named:
        return None
    if ranked[0][1] - ranked[1][1] >= f.tuning.clarify_margin:
        return None
    chosen = context_resolves(s, f)
    if chosen:
        return item_decision(s, f, chosen, "close_call_in_context", 0.8)
    return _clarify_items(s, f, "close_call", generic=False)


def best_item(s: Situation, f: Facts) -> Decision | None:
    code, top = s.scores.ranked[0]
    return item_decision(s, f, code, "best_item", confidence(top, code in s.scores.named, f.tuning))


RULES: tuple[Rule, ...] = (
    button_choice,
    clarify_reply,
    referral,
    complaint_about_department,
    department_subject,
    not_held_matter,
    other_department,
    policy_followup,
    followup,
    policy,
    named_item,
    generic,
    department_question,
    unknown_document,
    clued_item,
    described_item,
    weak_match,
    close_call,
    described_over_best,
    best_item,
)


def sub_items(decision: Decision, f: Facts, query: Query | None = None) -> Decision:
    """An item answer that does not say which sub-item, where the sub-items differ in what was asked: the
    sub-item the question's own words point to (decide/sub_item_words.py), else ask or show them side by side."""
    if decision.kind != "answer" or decision.item_code is None or decision.sub_item or decision.policy_id:
        return decision
    if decision.faq_id:  # a FAQ entry answers: its own words, whatever the sub-items say
        return decision
    item = f.catalog.item_by_code[decision.item_code]
    differing = f.selector.differing_sub_items(item, decision.aspects, decision.region)
    if not differing:
        return decision
    if query is not None:
        named = f.sub_item_words.sub_item_named(item, query.norm, differing)
        if named is not None:  # "护士资格考试过了好几年才去注册还行吗": words only the first registration's guide uses
            return replace(decision, sub_item=named, rule=f"{decision.rule}+sub_item_words")
    names = tuple(c for c, _ in differing)
    if any(a in LIST_ASPECTS for a in decision.aspects):
        return replace(decision, kind="clarify", rule="clarify_sub_item", clarify_sub_items=names)
    return replace(decision, rule=f"{decision.rule}+sub_items_side_by_side", clarify_sub_items=names)


def decide(s: Situation, f: Facts, rules: Sequence[Rule] = RULES) -> Decision:
    for rule in rules:
        decision = rule(s, f)
        if decision is not None:
            refined = aspect_from_guide_words(decision, s.query, f.guide_words)
            refined = where_with_process(where_with_online(how_with_conditions(refined, f), f), f)
            refined = sub_items(faq(general_question(refined, s, f), s, f), f, s.query)
            refined = no_local_office(refined, s.query, f)
            refined = clarify_once(refined, s.context.choices)
            refined = amount_not_stated(refined, s, f)
            logger.debug("rule %s decided %s", refined.rule, refined.kind)
            return refined
    raise AssertionError("best_item always decides")  # pragma: no cover
