"""Rule `kept_intent_needs_grounds` (nlu_components/gate_rules.py): an intent DIET's guess would keep on purpose —
a rating, a cancel, a request for a person — that the typed message gives no ground for is its fallback, which the
gate's kind then decides."""

from __future__ import annotations

import pytest

from bot.chat.gate import gate_metadata
from knowledge.learned.gate import GateVerdict
from nlu_components.gate_rules import overriding_intent
from nlu_components.gate_signals import (
    NEITHER_COMPLAINT_MAX,
    NEITHER_CONFIDENCE_MAX,
    SMALLTALK_SURE,
    neither_question_nor_grievance,
    unfounded_kept_intent,
)
from nlu_components.gate_verdict import gate_of

FOLLOWUP_ASPECT = {
    "kind": "in_domain",
    "confidence": 0.99,
    "confident": True,
    "beyond_smalltalk": 11,
    "followup": True,
    "followup_aspect": True,
    "complaint": 0.0004,
    "asks": True,
    "question": True,
}
OTHER_DEPARTMENT = {"kind": "other_department", "confidence": 0.98, "confident": True, "beyond_smalltalk": 28}
ASKS = {"kind": "in_domain", "confidence": 0.99, "confident": True, "beyond_smalltalk": 10, "asks": True}
CLOSING = {"kind": "smalltalk", "confidence": SMALLTALK_SURE + 0.1, "confident": True, "beyond_smalltalk": 9}


def test_a_rating_without_a_rating_word_or_a_ticket_number_is_no_rating() -> None:
    text = "预评价审核多少天出结果"
    assert overriding_intent(text, "rate_ticket", False, FOLLOWUP_ASPECT, (), 0.7, False) == "ask_item"
    text = "在网上药店买处方药，没有医院的处方单也卖给我了，这合规吗，找谁举报"
    assert overriding_intent(text, "rate_ticket", False, OTHER_DEPARTMENT, (), 0.8, False) == "ask_item"
    # nothing the gate is sure of: the engine answers (DIET's fallback), never "no ticket to rate"
    unsure = {"kind": "in_domain", "confidence": 0.3, "confident": False, "beyond_smalltalk": 6}
    assert overriding_intent("这个怎么评", "rate_ticket", False, unsure, (), 0.7, False) == "nlu_fallback"


def test_a_rating_with_a_rating_word_or_a_ticket_number_is_kept() -> None:
    assert overriding_intent("非常满意，谢谢", "rate_ticket", False, OTHER_DEPARTMENT, (), 0.9, True) is None
    assert overriding_intent("BBC20261122-0007 满意", "rate_ticket", True, OTHER_DEPARTMENT, (), 0.9, False) is None
    assert not unfounded_kept_intent("满意", "rate_ticket", False, True, OTHER_DEPARTMENT)


def test_a_cancel_the_head_is_sure_asks_is_a_question() -> None:
    clarify_reply = {**ASKS, "clarify_reply": True, "complaint": 0.003}
    text = "我要註銷，以後不做護士了"
    assert overriding_intent(text, "cancel", False, clarify_reply, ("cancel",), 0.98) == "ask_item"
    assert overriding_intent("原来是有的 搬家的时候弄没了", "cancel", False, ASKS, ("cancel",), 0.67) == "ask_item"


def test_a_cancel_that_asks_nothing_stays_a_cancel() -> None:
    words = {"kind": "smalltalk", "confidence": 0.97, "confident": True, "beyond_smalltalk": 1}
    assert overriding_intent("算了", "cancel", False, words, ("cancel",), 1.0) is None
    grievance = {"kind": "complaint", "confidence": 0.7, "confident": True, "beyond_smalltalk": 3, "complains": True}
    assert overriding_intent("不反映了", "cancel", False, grievance, ("cancel",), 1.0) is None
    assert not unfounded_kept_intent("取消", "cancel", False, False, {**ASKS, "asks_human": True})


def test_a_request_for_a_person_in_sure_small_talk_is_a_closing() -> None:
    ranking = ("ask_human", "report_problem", "thank")
    assert overriding_intent("好的，麻烦你们了，等你们电话", "ask_human", False, CLOSING, ranking, 1.0) == "thank"
    # words asking for a person keep it, whatever the head says
    assert overriding_intent("好的，转人工吧", "ask_human", False, {**CLOSING, "asks_human": True}, ranking) is None
    # the head not sure it is only small talk: kept
    unsure = {**CLOSING, "confidence": SMALLTALK_SURE - 0.2, "question": True}
    assert overriding_intent("你们电话多少啊", "ask_human", False, unsure, ranking, 1.0) is None


def test_a_ticket_question_in_words_is_one_whatever_diet_and_the_head_said() -> None:
    gate = {"kind": "complaint", "confidence": 0.96, "confident": True, "question": True, "complains": True}
    text = "对了，我上个月在网上投诉过一次窗口的事，有结果了吗"
    assert overriding_intent(text, "report_problem", False, {**gate, "ticket_status": True}) == "ask_ticket_status"
    assert overriding_intent(text, "ask_ticket_status", False, {**gate, "ticket_status": True}) is None
    assert overriding_intent(text, "report_problem", False, gate) is None  # without the flag: the head's complaint
    # a person asked for in words wins
    human = {**gate, "ticket_status": True, "asks_human": True}
    assert overriding_intent(text, "report_problem", False, human) == "ask_human"


ERRAND = {"kind": "in_domain", "confidence": 0.46, "confident": True, "beyond_smalltalk": 16, "complaint": 0.27}


def test_neither_a_question_nor_a_grievance_is_out_of_scope() -> None:
    assert overriding_intent("帮我写一份科室年终总结，一千字左右", "report_problem", False, ERRAND) == "out_of_scope"
    assert neither_question_nor_grievance("report_problem", {**ERRAND, "kind": "policy"})


@pytest.mark.parametrize(
    "gate",
    [
        {**ERRAND, "confidence": NEITHER_CONFIDENCE_MAX},  # the head sure enough of a question
        {**ERRAND, "complaint": NEITHER_COMPLAINT_MAX},  # ... or leaning to a complaint
        {**ERRAND, "asks": True},
        {**ERRAND, "question": True},
        {**ERRAND, "complains": True},
        {**ERRAND, "kind": "complaint"},
        {key: value for key, value in ERRAND.items() if key != "complaint"},  # no probability sent: unknown
    ],
)
def test_a_question_or_a_grievance_is_not_declined(gate: dict[str, object]) -> None:
    assert not neither_question_nor_grievance("report_problem", gate)
    assert overriding_intent("网上办中医诊所备案变更一直卡着呢", "report_problem", False, gate) != "out_of_scope"


def test_only_diets_complaint_is_declined_so() -> None:
    assert not neither_question_nor_grievance("ask_item", ERRAND)


def test_the_complaint_probability_travels_with_every_verdict() -> None:
    verdict = GateVerdict("in_domain", 0.46, True, 16, complaint=0.2688)
    meta = gate_metadata(lambda _: verdict, "帮我写一份科室年终总结，一千字左右", in_intake=False)
    assert meta is not None and meta["gate"]["complaint"] == 0.2688
    checked = gate_of(meta)
    assert checked is not None and checked["complaint"] == 0.2688
    assert "complaint" not in (gate_of({"gate": {**ERRAND, "complaint": 1.5}}) or {})
