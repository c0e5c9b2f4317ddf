"""The question is about something of ours the knowledge base holds no guide for: the honest no-answer.

Rule `unknown_document`: the question is about a certificate our knowledge base never mentions.

A question naming no item of ours verbatim and no other department's service, whose certificate ("X证", "X证书") is
qualified by words that no item's name, alias or guide and no policy text holds ("献血证丢了怎么补", "小孩预防接种证丢了
补办呢"), asks about a paper none of our guides covers: the honest no-answer with the human
channel, not the nearest guide. The qualifier is the two characters before 证 and must stand in what the question
says beyond cues, question words and filler (`Query.residue`: "给个啥证" asks what paper our item gives), and share
no character, in its place, with a qualifier our texts use before 证: "卫生许课证", "为生可证" are typos of 许可证.

Rule `not_held_matter`: the question names a health-commission matter the knowledge base holds no guide for
(`knowledge/data/not_held.yaml`: 乡村医生执业注册, 接种门诊的资质, 健康证, 医师资格考试 …) and no item of ours by a
name or alias outside the words that named the matter ("乡村医生执业注册" holds the alias 医生执业注册 of 医师执业注册:
the qualifier 乡村 makes it another matter). The reply names the matter and gives the human channel instead of the
nearest guide. Not where the matter is only the citizen's circumstance (its clause says who they are or what they have
passed: "我是乡村医生…现在想注册助理医师", "考过护士资格考试好几年了…还能注册吗"), a complaint (a verb of
complaining, or the learned kind sure of a complaint and not of a question), or a policy question (a policy named,
or the learned kind sure of one). Where the learned kind is sure of another department's matter, the matter must stand
in a clause that asks ("孩子上小学报名要交预防接种证查验证明，报名的事找谁" asks about the enrolment);
nor, in a conversation about an item whose guides name the matter ("从业人员健康合格证" in 公共场所卫生许可's
materials), where the message asks whether it is needed (no aspect, conditions, materials): a requirement of the item
("员工都要有健康证吗"), while where to get it ("员工的健康证在哪办") is the matter's.

Refinement `amount_not_stated`: an item answer to a question asking how much money an allowance pays ("一年能发多少钱"
after 奖扶: `not_held.yaml` `amount_paid_out`), where none of the item's guides states a sum of money, is the honest
no-answer keeping the item (its guides do not state the amount), not the fee field ("本指南未载明收费标准" answers what
the applicant pays)."""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from knowledge.decide.model import Decision
from knowledge.decide.situation import Facts, Situation
from knowledge.query.not_held import MatterNamed
from knowledge.schema import Aspect

logger = logging.getLogger(__name__)

_REQUIREMENT_ASPECTS = (Aspect.conditions, Aspect.materials)
_SUM_OF_MONEY = re.compile(r"\d[\d,.]*\s*(?:万元|元|块)")
_QUALIFIED_DOCUMENT = re.compile(r"([\u4e00-\u9fff]{2})(?=证(?!明))")
"""Two characters before 证 (证, 证书, not 证明: "开证明", "离职证明" name a generic paper)."""


def unknown_qualifiers(s: Situation, f: Facts) -> list[str]:
    """The qualifiers of the question's certificates that nothing in the knowledge base mentions."""
    q = s.query
    found = [m.group(1) for m in _QUALIFIED_DOCUMENT.finditer(q.norm)]
    known = f.certificate_qualifiers
    verbs = f.selector.cues.lexicon.issuing_verbs
    return [
        x
        for x in found
        if x in q.residue
        and x[-1] not in verbs
        and not f.mentioned_anywhere(x)
        and not any(k[0] == x[0] or k[1] == x[1] for k in known if len(k) == 2)
    ]


def unknown_document(s: Situation, f: Facts) -> Decision | None:
    q = s.query
    if s.scores.exact or q.referral is not None or q.policy_names:
        return None
    unknown = unknown_qualifiers(s, f)
    if not unknown:
        return None
    logger.debug("certificate qualifiers %s are nowhere in the knowledge base", unknown)
    return Decision(kind="no_answer", rule="unknown_document")


def asked_matters(s: Situation, f: Facts) -> list[MatterNamed]:
    """The not-held matters the question asks about: named, no item of ours named outside the words naming them, and
    not told as the citizen's circumstance."""
    q = s.query
    named = f.not_held.named_in(q.norm)
    if not named or _item_named_beside(s, f, f.not_held.without(q.norm, named)):
        return []
    return [m for m in named if not f.not_held.told_as_circumstance(q.norm, m)]


def _item_named_beside(s: Situation, f: Facts, rest: str) -> bool:
    """An item of ours is named outside the words naming the matters: verbatim in `rest`, or by the names channel
    (a typo, a variant character: "公共场所衞生许可证") without any verbatim name inside those words."""
    if f.names_any_item(rest):
        return True
    return any(not f.names_in(s.query.norm, (code,)) for code in s.scores.named)


def required_by_the_item(s: Situation, f: Facts, matters: list[MatterNamed]) -> bool:
    """In a conversation about an item whose guides name one of the matters (any of its words), the message asks
    whether it is needed (no aspect, or conditions or materials): the item's requirement."""
    q, code = s.query, s.context.item_code
    if not code or (q.aspects and q.aspects[0] not in _REQUIREMENT_ASPECTS):
        return False
    return any(f.item_mentions(code, w) for m in matters for w in m.matter.says)


def not_held_matter(s: Situation, f: Facts) -> Decision | None:
    q = s.query
    sure = set(q.confident_kinds)
    if q.complains or q.policy_names or "policy" in sure or ("complaint" in sure and "in_domain" not in sure):
        return None
    matters = asked_matters(s, f)
    if "other_department" in sure:  # the head sure of another department's: the matter must be what is asked
        matters = [m for m in matters if not q.question_clauses or any(m.word in c for c in q.question_clauses)]
    if not matters or required_by_the_item(s, f, matters):
        return None
    logger.debug("%s: a matter of ours the knowledge base holds no guide for", matters[0].matter.name)
    return Decision(kind="no_answer", rule="not_held_matter", matter=matters[0].matter.name)


def states_a_sum(f: Facts, code: str) -> bool:
    """Whether any guide of the item states a sum of money (a number of 元)."""
    return any(_SUM_OF_MONEY.search(g.model_dump_json()) for g in f.catalog.item_by_code[code].guides)


def amount_not_stated(decision: Decision, s: Situation, f: Facts) -> Decision:
    """An item answer asked how much an allowance pays, no guide of the item stating a sum: the no-answer naming what
    the guides do not state, the item kept (see the module doc)."""
    amount = f.not_held.data.amount_paid_out
    code = decision.item_code
    if decision.kind != "answer" or code is None or decision.policy_id or decision.faq_id or amount is None:
        return decision
    if not f.not_held.asks_amount_paid_out(s.query.norm) or states_a_sum(f, code):
        return decision
    logger.debug("%s: the amount paid out is stated by none of its guides", code)
    return replace(decision, kind="no_answer", rule=f"{decision.rule}+amount_not_stated", unstated=amount.what)
