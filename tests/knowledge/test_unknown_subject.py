"""Rule `unknown_document` on hand-built queries and scores over the curated catalog: a certificate qualified by
words no item, guide or policy of ours holds is none of ours; our own papers, their typos and verbs before 证 are."""

from __future__ import annotations

import pytest

from knowledge.answer import Context
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.unknown_subject import unknown_document, unknown_qualifiers
from knowledge.query.model import Referral
from tests.support.decide import query, scores

NURSE = "nurse-practice-registration"
BIRTH = "birth-medical-certificate"


@pytest.mark.parametrize(
    ("text", "residue"),
    [("还有献血证丢了怎么补", "献血证丢"), ("那小孩预防接种证丢了补办呢", "小孩预防接种证丢")],
)
def test_a_certificate_our_texts_never_mention_gets_the_honest_no_answer(facts: Facts, text: str, residue: str) -> None:
    q = query(text, residue=residue)
    s = Situation(q, scores({NURSE: 0.5}), Context(item_code=NURSE))
    assert unknown_qualifiers(s, facts)
    first = Situation(q, scores({NURSE: 0.5}), Context())
    found = unknown_document(first, facts)
    assert found is not None and (found.kind, found.rule) == ("no_answer", "unknown_document")
    d = decide(first, facts)  # both papers are also matters `not_held.yaml` names: that rule decides first
    assert (d.kind, d.rule) == ("no_answer", "not_held_matter")


@pytest.mark.parametrize(
    ("text", "residue"),
    [
        ("护士执业证丢了怎么补", "护士执业证丢"),  # our own paper
        ("浴室卫生许课证能管几年", "浴室卫生许课证"),  # a typo of 许可证
        ("青海是当场给证吗", "青海当场给证"),  # a verb before 证
        ("要交原单位的离职证明吗", "原单位离职证明"),  # 证明: a generic paper
        ("开医院办下来给个啥证", "开医院"),  # the question word stands outside the residue
    ],
)
def test_our_papers_typos_and_verbs_qualify_nothing_unknown(facts: Facts, text: str, residue: str) -> None:
    s = Situation(query(text, residue=residue), scores({NURSE: 0.5}), Context())
    assert unknown_qualifiers(s, facts) == []
    assert unknown_document(s, facts) is None


def test_a_named_item_or_a_referral_keyword_decides_first(facts: Facts) -> None:
    q = query("献血证和出生医学证明一起补", residue="献血证出生医学证明一起")
    assert unknown_document(Situation(q, scores({BIRTH: 0.9}, exact=(BIRTH,)), Context()), facts) is None
    ref = query("献血证丢了户口也要补吗", residue="献血证丢户口", referral=Referral("户口", "公安机关"))
    assert unknown_document(Situation(ref, scores({NURSE: 0.5}), Context()), facts) is None
