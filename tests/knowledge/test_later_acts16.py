"""Round 16: medical advice asked about an injury, an infection, a fresh vaccination or a treatment choice (the
lexicon's `medical_advice`: declined with a pointer to a doctor, never the 办不成事 intake). The analyse stage alone,
with the shipped lexicon; the examples are invented here, not taken from any evaluation set."""

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
        "昨天被邻居家的猫抓了，手上被咬伤一小块，要不要去打针",  # an injury, whether to get a shot
        "孩子被钉子扎伤了脚，破伤风要打几针",
        "体检查出大三阳，会不会传染给家里人",  # an infection, whether it passes on
        "我爸干活摔了一跤，膝盖肿了，要不要去拍个片",  # a treatment choice
        "打完疫苗当天可以洗澡吗",  # after a vaccination
        "刷牙老是出血，吃点维生素有用没有",
    ],
)
def test_an_injury_an_infection_a_vaccination_asked_about_is_medical_advice(analyser: Analyser, text: str) -> None:
    assert analyser.analyse(text).asks_medical_advice


@pytest.mark.parametrize(
    "text",
    [
        "狂犬疫苗接种门诊要办什么许可",  # a service of ours, no injury told
        "婚前检查查不查乙肝",  # what a check covers: no ask of advice
        "预防接种证丢了在哪补办",
        "放射诊疗许可证拍片的机器要检测吗",  # 拍片 without a symptom
    ],
)
def test_a_service_question_naming_such_words_is_no_medical_advice(analyser: Analyser, text: str) -> None:
    assert not analyser.analyse(text).asks_medical_advice


@pytest.mark.parametrize(
    "text", ["看不懂你写的，能不能让工作人员打给我", "还是找个工作人员吧", "我想要工作人员跟我说清楚"]
)
def test_a_staff_member_asked_for_is_a_person_asked_for(analyser: Analyser, text: str) -> None:
    assert analyser.analyse(text).asks_human


@pytest.mark.parametrize("text", ["窗口的工作人员说材料不齐", "找工作人员半天没人理，我要投诉"])
def test_staff_told_of_in_a_story_is_no_person_asked_for(analyser: Analyser, text: str) -> None:
    assert not analyser.analyse(text).asks_human
