"""Round 15: turns that are no guide question in a chat — how a complaint filed earlier stands asked in words (no
number), asking leave to ask, a symptom and whether to go to the emergency room. The analyse stage alone, with the
shipped lexicon; the examples are invented here, not taken from any evaluation set."""

from __future__ import annotations

import pytest

from knowledge.query.analyse import Analyser
from knowledge.query.lexicon import load_lexicon


@pytest.fixture(scope="module")
def analyser() -> Analyser:
    return Analyser(load_lexicon(), region_words=["深圳", "长沙"])


@pytest.mark.parametrize(
    "text",
    [
        "上周我反映过医院收费的问题，现在处理到哪了",
        "我举报的那个诊所，有人管没有？",
        "我的投诉怎么样了",
        "去年投诉过一次体检中心，一直没有下文，有回复吗",
    ],
)
def test_how_an_earlier_complaint_stands_asked_in_words(analyser: Analyser, text: str) -> None:
    assert analyser.analyse(text).asks_ticket_status


@pytest.mark.parametrize(
    "text",
    [
        "投诉过好几次了都没人管，这次我要实名举报",  # names an earlier complaint but asks nothing: a new one
        "护士注册交上去一个月了，有结果了吗",  # an application's outcome, no complaint filed
        "我要投诉，窗口的人态度太差",
        "办理进度在哪里查",
    ],
)
def test_not_a_ticket_question(analyser: Analyser, text: str) -> None:
    assert not analyser.analyse(text).asks_ticket_status


@pytest.mark.parametrize("text", ["您好，想咨询个事", "在吗 想请教一下", "你好呀，想问个事"])
def test_asking_leave_to_ask_says_nothing_beyond_small_talk(analyser: Analyser, text: str) -> None:
    assert analyser.analyse(text).beyond_smalltalk == ""


def test_asking_leave_to_ask_keeps_the_question_that_follows(analyser: Analyser) -> None:
    assert analyser.analyse("你好，咨询一下护士注册要多久").beyond_smalltalk


@pytest.mark.parametrize("text", ["老人半夜发高烧，要不要去急诊", "孩子肚子疼得厉害，用不用看急诊"])
def test_a_symptom_and_the_emergency_room_is_medical_advice(analyser: Analyser, text: str) -> None:
    assert analyser.analyse(text).asks_medical_advice


def test_the_emergency_room_alone_is_no_medical_advice(analyser: Analyser) -> None:
    assert not analyser.analyse("急诊科的医生执业证在哪里查").asks_medical_advice
