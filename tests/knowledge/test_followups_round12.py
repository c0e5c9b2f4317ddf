"""Round 12's later-turn rules on hand-built `Query`/`Scores` (no retrieval): a pressed clarify button is answered as
the choice it is (never turned away, a process question for a chosen case as materials then process, not replaced by
a FAQ entry)."""

from __future__ import annotations

from knowledge.answer import Context
from knowledge.decide.clarify_reply import button_choice
from knowledge.decide.faq_rule import chosen_case
from knowledge.decide.model import Decision
from knowledge.decide.rules import decide
from knowledge.decide.situation import Situation
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.query.model import Referral
from knowledge.schema import Aspect
from tests.support.decide import query, scores

NURSE = "nurse-practice-registration"
BIRTH = "birth-medical-certificate"


def test_a_pressed_button_answers_the_chosen_case_of_a_process_question(facts) -> None:  # type: ignore[no-untyped-def]
    pressed = Context(item_code=NURSE, sub_item="延续", aspect=Aspect.process, chosen=True)
    how = query("护理岗的证 怎么办", aspects=(Aspect.process,), asks=True)
    decision = decide(Situation(how, scores({BIRTH: 0.99, NURSE: 0.95}), pressed), facts)
    assert decision.rule.startswith("button_choice") and decision.item_code == NURSE
    assert decision.sub_item == "延续" and decision.aspects == SUB_ITEM_HOW
    # a field asked keeps that field; a button choosing only the item carries no sub-item of its own
    fee = query("护士证要交钱吗", aspects=(Aspect.fee,), asks=True)
    d = button_choice(Situation(fee, scores({NURSE: 0.97}), pressed), facts)
    assert d is not None and d.aspects == (Aspect.fee,)
    item_only = Context(item_code=NURSE, aspect=Aspect.process, chosen=True)
    d = button_choice(Situation(how, scores({NURSE: 0.97}), item_only), facts)
    assert d is not None and d.aspects == (Aspect.process,) and d.sub_item is None


def test_a_pressed_button_is_never_turned_away_and_a_typed_context_is_not_a_choice(facts) -> None:  # type: ignore[no-untyped-def]
    hukou = query("办孩子那张要上户口用的证", referral=Referral("户口", "公安机关"))
    pressed = Context(item_code=BIRTH, chosen=True)
    decision = decide(Situation(hukou, scores({BIRTH: 0.9}), pressed), facts)
    assert decision.kind == "answer" and decision.item_code == BIRTH
    typed = Context(item_code=BIRTH)  # the same slots after an answer: a typed message, the other rules decide
    assert button_choice(Situation(hukou, scores({BIRTH: 0.9}), typed), facts) is None
    assert button_choice(Situation(hukou, scores({}), Context(item_code="no-such-item", chosen=True)), facts) is None


def test_a_chosen_case_is_not_answered_by_a_faq_entry() -> None:
    decision = Decision(kind="answer", rule="button_choice", item_code=BIRTH, sub_item="补发")
    pressed = Context(item_code=BIRTH, sub_item="补发", chosen=True)
    assert chosen_case(decision, Situation(query("孩子那张证明怎么弄"), scores({}), pressed))
    typed = Context(item_code=BIRTH, sub_item="补发")
    assert not chosen_case(decision, Situation(query("孩子那张证明怎么弄"), scores({}), typed))
    no_case = Decision(kind="answer", rule="button_choice", item_code=BIRTH)
    assert not chosen_case(no_case, Situation(query("孩子那张证明怎么弄"), scores({}), pressed))
