"""Rule `clarify_once` (knowledge/decide/clarify_once.py), with hand-built decisions and choices."""

from __future__ import annotations

from knowledge.answer import Choice
from knowledge.decide.clarify_once import clarify_once
from knowledge.decide.model import Decision
from knowledge.schema import Aspect

NURSE = "nurse-practice-registration"
CLARIFY = Decision(
    kind="clarify",
    rule="clarify_sub_item",
    item_code=NURSE,
    aspects=(Aspect.materials,),
    clarify_sub_items=("首次注册", "延续注册"),
)
ASKED = [
    Choice(title="首次注册", item_code=NURSE, sub_item="首次注册"),
    Choice(title="延续注册", item_code=NURSE, sub_item="延续注册"),
]


def test_a_second_clarify_about_the_same_sub_items_answers_the_first() -> None:
    decided = clarify_once(CLARIFY, ASKED)
    assert decided.kind == "answer"
    assert decided.sub_item == "首次注册" and decided.clarify_sub_items == ()
    assert decided.rule == "clarify_sub_item+asked_before"


def test_the_first_clarify_is_asked() -> None:
    assert clarify_once(CLARIFY, []) == CLARIFY


def test_a_clarify_after_choices_of_other_items_is_asked() -> None:
    items = [Choice(title="护士执业注册", item_code=NURSE), Choice(title="医师执业注册", item_code="physician")]
    assert clarify_once(CLARIFY, items) == CLARIFY  # which item, not which sub-item: this one was never asked
    other = [Choice(title="首次", item_code="birth-medical-certificate", sub_item="首次")]
    assert clarify_once(CLARIFY, other) == CLARIFY


def test_a_clarify_between_items_is_never_turned_into_an_answer() -> None:
    between = Decision(kind="clarify", rule="close_call", clarify_items=(NURSE, "physician"))
    assert clarify_once(between, ASKED) == between
