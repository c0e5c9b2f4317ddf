"""Round 13: turns that are not answers inside a service conversation — medical advice asked in words the lexicon
lacked (a disease a remedy should cure, a prescription, which hospital department to see), a question whether the
assistant is a person (small talk, not a request for one). The analyse stage alone, with the shipped lexicon; the
examples are invented here, not taken from any evaluation set."""

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
        "隔壁推荐的偏方真能治痛风吗",  # whether a remedy cures a disease
        "我妈哮喘这种病治得好吗",
        "能不能帮我开点降压药寄过来",  # a prescription
        "线上问诊可以给我开些感冒药吗",
        "血压一直一百五，该吃哪种",  # which medicine, in other words
        "腰疼得厉害，挂哪个科",  # which department of a hospital
        "孩子老咳嗽，去医院看哪个科比较好",
    ],
)
def test_medical_advice_in_more_words(analyser: Analyser, text: str) -> None:
    assert analyser.analyse(text).asks_medical_advice


@pytest.mark.parametrize(
    "text",
    [
        "医院能给我开点证明吗",  # a prescribing phrase, but no medicine named
        "这种保健品广告说能治糖尿病，归哪个部门管",  # asks for a department, not for advice
        "诊所乱开药把我血压吃高了，我要投诉",  # a verb of complaining: the head and Rasa decide
        "麻醉药品印鉴卡到期了怎么换",  # a service of ours about medicines
        "互联网医院能开处方吗，设置要什么条件",  # an institution's scope, nobody asks to be prescribed
    ],
)
def test_not_medical_advice(analyser: Analyser, text: str) -> None:
    assert not analyser.analyse(text).asks_medical_advice


@pytest.mark.parametrize("text", ["你是真人还是机器人呀", "在吗？你是不是机器人", "are you a real person?"])
def test_asking_whether_the_assistant_is_a_person_is_small_talk(analyser: Analyser, text: str) -> None:
    query = analyser.analyse(text)
    assert not query.asks_human
    assert query.beyond_smalltalk == ""  # nothing beyond small talk: the gate calls it small talk


@pytest.mark.parametrize("text", ["你是机器人吧，给我转真人", "are you a bot? let me talk to a real person", "转人工"])
def test_a_person_asked_for_beside_the_identity_question_still_counts(analyser: Analyser, text: str) -> None:
    assert analyser.analyse(text).asks_human


def test_the_identity_words_are_validated() -> None:
    from knowledge.query.lexicon import SmalltalkWords

    with pytest.raises(ValueError, match="normalised"):
        SmalltalkWords(words=["你好"], identity=["你是機器人嗎"])
