"""Dialogue acts the learned kind head cannot name (a ticket question without a number) or names surely (small talk
that says more than greeting words): the gate rules keep them what they are (nlu_components/gate_rules.py)."""

from __future__ import annotations

import pytest

from bot.chat.gate import gate_metadata
from knowledge.learned.gate import GateVerdict
from nlu_components.gate_rules import overriding_intent
from nlu_components.gate_signals import DIET_SURE, SMALLTALK_SURE
from nlu_components.gate_verdict import gate_of

TICKET_QUESTION = "上礼拜我反映过一个事，想看看现在处理到哪一步了"


def _complaint(**extra: object) -> dict[str, object]:
    return {"kind": "complaint", "confidence": 0.6, "confident": True, "beyond_smalltalk": 21, **extra}


def test_the_question_flag_travels_in_the_metadata_and_is_validated() -> None:
    asks = GateVerdict("complaint", 0.6, True, 21, question=True)
    meta = gate_metadata(lambda _: asks, TICKET_QUESTION, in_intake=False)
    assert meta is not None and meta["gate"]["question"] is True
    bare = gate_metadata(lambda _: GateVerdict("complaint", 0.6, True, 7), "有个事我要投诉", in_intake=False)
    assert bare is not None and "question" not in bare["gate"]
    checked = gate_of({"gate": _complaint(question="yes")})
    assert checked is not None and "question" not in checked
    kept = gate_of({"gate": _complaint(question=True)})
    assert kept is not None and kept["question"] is True


def test_a_ticket_question_without_a_number_diet_is_sure_of_is_not_taken_for_a_complaint() -> None:
    sure = DIET_SURE + 0.05
    asks = _complaint(question=True)
    assert overriding_intent(TICKET_QUESTION, "ask_ticket_status", False, asks, (), sure) is None
    # the complaint head wins: DIET unsure, a message asking nothing ("有个事我要投诉"), no confidence given
    assert overriding_intent(TICKET_QUESTION, "ask_ticket_status", False, asks, (), DIET_SURE - 0.2) == "report_problem"
    assert overriding_intent("有个事我要投诉", "ask_ticket_status", False, _complaint(), (), sure) == "report_problem"
    assert overriding_intent(TICKET_QUESTION, "ask_ticket_status", False, asks) == "report_problem"
    # a confident question verdict still beats DIET's ticket question ("材料不齐会怎么样" is about the item)
    question = {"kind": "in_domain", "confidence": 0.98, "confident": True, "question": True}
    assert overriding_intent("材料不齐会怎么样", "ask_ticket_status", False, question, (), 0.99) == "ask_item"


@pytest.mark.parametrize(
    ("text", "intent", "ranking"),
    [
        ("太好了，省得跑一趟，谢谢谢谢", "report_problem", ["report_problem", "thank"]),
        ("好的，麻烦你们了，等你们电话", "report_problem", ["report_problem", "ask_human", "thank"]),
        ("Great, thanks a lot, bye!", "nlu_fallback", ["nlu_fallback", "goodbye"]),
    ],
)
def test_a_sure_small_talk_verdict_turns_diets_other_guess_into_a_closing(
    text: str, intent: str, ranking: list[str]
) -> None:
    gate = {"kind": "smalltalk", "confidence": SMALLTALK_SURE + 0.05, "confident": True, "beyond_smalltalk": 6}
    expected = next(name for name in ranking if name in ("thank", "goodbye"))
    assert overriding_intent(text, intent, False, gate, ranking) == expected


def test_small_talk_diet_saw_stays_small_talk_when_the_app_is_sure() -> None:
    text = "好嘞明白了，谢谢小助手，回头有事再来问"
    sure = {"kind": "smalltalk", "confidence": 0.94, "confident": True, "beyond_smalltalk": 10}
    assert overriding_intent(text, "thank", False, sure) is None
    # a follow-up in a conversation about an item: still nothing to look up
    assert overriding_intent(text, "thank", False, {**sure, "followup": True, "complaint": 0.03}) is None
    # not sure, but asking nothing in words: thanks saying more (rule 4a); asking something: the engine decides
    unsure = {**sure, "confidence": SMALLTALK_SURE - 0.1, "confident": False}
    assert overriding_intent(text, "thank", False, unsure) is None
    assert overriding_intent("谢谢，那明天能去办吗", "thank", False, {**unsure, "question": True}) == "ask_item"
    assert overriding_intent("谢谢，护士注册要多久", "thank", False, {**sure, "question": True}) == "ask_item"
    # a ticket number or a request for a person is never small talk
    number = "好的 BBC-20261124-0057 谢谢"
    assert overriding_intent(number, "report_problem", False, sure) == "ask_ticket_status"
    assert overriding_intent("算了 转人工吧", "thank", False, {**sure, "asks_human": True}) == "ask_human"


def test_a_discontented_follow_up_diet_took_for_a_request_for_a_person_is_one() -> None:
    text = "你说的我看不太明白，能不能让工作人员跟我说"
    gate = {"kind": "complaint", "confidence": 0.76, "confident": True, "followup": True, "followup_aspect": True}
    assert overriding_intent(text, "ask_human", False, {**gate, "complaint": 0.76}) is None
    phone = {"kind": "in_domain", "confidence": 0.9, "confident": True, "followup": True, "followup_aspect": True}
    assert overriding_intent("电话多少，我怕跑空", "ask_human", False, {**phone, "complaint": 0.05}) == "ask_item"
