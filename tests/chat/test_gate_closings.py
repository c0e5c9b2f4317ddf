"""Round 11: closings that say more than greeting words, worries DIET declines that the head reads as grievances, and
thanks right after a clarifying question (nlu_components/gate_rules.py rules 2a and 4a; bot/chat/gate.py). The
examples are invented here, not taken from any evaluation set."""

from __future__ import annotations

import pytest

from bot.chat.gate import CLOSING_SURE, gate_metadata, replies_to_clarify
from knowledge.learned.gate import GateVerdict
from nlu_components.gate_rules import overriding_intent
from nlu_components.gate_signals import closes_only
from nlu_components.gate_verdict import gate_of


def _smalltalk(confidence: float, beyond: int, **extra: object) -> dict[str, object]:
    return {"kind": "smalltalk", "confidence": confidence, "confident": True, "beyond_smalltalk": beyond, **extra}


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("行，那我下礼拜带齐了再跑一趟，多谢", "thank"),
        ("知道啦，我让我们财务去弄，拜拜", "goodbye"),
        ("嗯嗯晓得了，我先回去跟老公商量一下，谢谢哈", "thank"),
    ],
)
def test_a_closing_that_tells_the_citizens_plan_keeps_diets_thanks(text: str, intent: str) -> None:
    # the head's small talk is not sure (below SMALLTALK_SURE): before round 11 rule 4 sent these to the engine
    gate = _smalltalk(0.6, 12)
    assert closes_only(gate)
    assert overriding_intent(text, intent, False, gate) is None


def test_a_greeting_that_asks_or_seeks_a_person_still_says_more() -> None:
    asks = _smalltalk(0.6, 9, question=True)
    assert not closes_only(asks)
    assert overriding_intent("你好，办个健康证找哪里", "greet", False, asks) == "ask_item"
    person = _smalltalk(0.6, 9, asks_human=True)
    assert overriding_intent("你好，麻烦帮我接个人工", "greet", False, person) == "ask_human"
    # not the app's count: every character is substance, as before
    assert not closes_only({"kind": "smalltalk", "confidence": 0.6, "confident": True})
    # another kind: the head is not talking small
    assert not closes_only({"kind": "in_domain", "confidence": 0.9, "confident": True, "beyond_smalltalk": 9})


def _complaint(**extra: object) -> dict[str, object]:
    return {"kind": "complaint", "confidence": 0.7, "confident": True, "beyond_smalltalk": 18, **extra}


@pytest.mark.parametrize(
    "text",
    ["爷爷早上起来手脚发麻，说话也不太利索，是不是中风了", "孩子吃了海鲜浑身起包，痒得直哭，用点啥药膏好"],
)
def test_a_worry_diet_declines_is_not_taken_for_a_grievance(text: str) -> None:
    gate = _complaint(question=True)
    assert overriding_intent(text, "out_of_scope", False, gate) is None


def test_a_grievance_in_complaint_words_or_asking_nothing_stays_a_complaint() -> None:
    said = _complaint(question=True, complains=True)
    assert overriding_intent("医生乱开药，吃了更难受，这个能投诉吗", "out_of_scope", False, said) == "report_problem"
    told = _complaint()  # asks nothing: a story of what went wrong
    story_text = "打了针以后胳膊肿得老高，诊所一句解释都没有"
    assert overriding_intent(story_text, "out_of_scope", False, told) == "report_problem"
    # a narrative is the head's to call, whatever it asks (rule 2a reads short messages only)
    story = "上个月在卫生院打针以后胳膊一直肿着，去问医生说过几天就好，结果越来越严重，又跑了三趟也没人给个解释，"
    long = story * 2 + "这正常吗"
    assert overriding_intent(long, "out_of_scope", False, _complaint(question=True)) == "report_problem"
    # DIET's own complaint is kept either way
    assert overriding_intent("医生乱开药，吃了更难受", "report_problem", False, _complaint(question=True)) is None


def test_the_complaint_words_flag_travels_and_is_validated() -> None:
    verdict = GateVerdict("complaint", 0.9, True, 12, complains=True)
    meta = gate_metadata(lambda _: verdict, "我要投诉这家诊所", in_intake=False)
    assert meta is not None and meta["gate"]["complains"] is True
    plain = gate_metadata(lambda _: GateVerdict("complaint", 0.9, True, 12), "打完针胳膊肿了", in_intake=False)
    assert plain is not None and "complains" not in plain["gate"]
    checked = gate_of({"gate": _complaint(complains="yes")})
    assert checked is not None and "complains" not in checked


def test_sure_thanks_after_a_clarifying_question_is_no_answer_to_it() -> None:
    thanks = GateVerdict("smalltalk", CLOSING_SURE + 0.05, True, 8)
    assert not replies_to_clarify(thanks)
    # a less sure one, or one asking something, may still answer "which one?"
    assert replies_to_clarify(GateVerdict("smalltalk", CLOSING_SURE - 0.2, True, 8))
    assert replies_to_clarify(GateVerdict("smalltalk", CLOSING_SURE + 0.05, True, 8, question=True))
    assert replies_to_clarify(GateVerdict("in_domain", 0.9, True, 4))
    meta = gate_metadata(lambda _: thanks, "好的，那我先不办了，谢谢", in_intake=False, after_clarify=True)
    assert meta is not None and "clarify_reply" not in meta["gate"]
