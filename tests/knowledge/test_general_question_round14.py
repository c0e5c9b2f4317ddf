"""Round 14: a first, general question on an item with several sub-items asks which one (hand-built scores).

"独生子女父母光荣证怎么办", "我想问问护士注册的事": how to go about the item (or only its name), no case told, on an
item whose sub-items' processes or materials differ → a clarifying question, where a default sub-item's
conditions or FAQ entry answered before. A follow-up, a reply to a clarifying question, a told case, a field
asked: answered as before. The new told situations (leaving the work: 注销; the legal representative changed:
变更; a business just opened: 首次) and a policy's own guide beating a told (not cued) case.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from knowledge.answer import Choice, Context
from knowledge.decide.general_question import asks_in_general
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.schema import Aspect
from tests.support.decide import query, scores

HONOR = "only-child-parents-honor-certificate"
NURSE = "nurse-practice-registration"
BIRTH = "birth-medical-certificate"
PUBLIC_PLACE = "public-place-health-permit"
COMMITMENT_POINT = "yuhang-2020-rule-of-law-summary.p02"  # 告知承诺制: relates to 公共场所卫生许可

HOW = query(
    "独生子女父母光荣证怎么办",
    aspects=(Aspect.process,),
    aspect_source="cue",
    aspect_cues=("怎么办",),
    asks=True,
    residue="独生子女父母光荣",
)
NAMED = scores({HONOR: 0.99, BIRTH: 0.9}, exact=(HONOR,))


def test_a_general_how_question_asks_which_sub_item(facts: Facts) -> None:
    d = decide(Situation(HOW, NAMED, Context()), facts)
    assert (d.kind, d.rule, d.item_code) == ("clarify", "clarify_sub_item_general", HONOR)
    assert set(d.clarify_sub_items) == {"首次", "补发"}  # 办证 and 补办 list different materials


def test_switched_off_the_default_sub_item_answers(facts: Facts, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(facts, "tuning", replace(facts.tuning, general_asks_sub_item=False))
    assert decide(Situation(HOW, NAMED, Context()), facts).kind == "answer"


def test_an_item_only_named_asks_which_sub_item(facts: Facts) -> None:
    bare = query("我想问问护士注册的事", residue="护士事")
    d = decide(Situation(bare, scores({NURSE: 0.99}, exact=(NURSE,)), Context()), facts)
    assert (d.kind, d.rule) == ("clarify", "clarify_sub_item_general")


def test_a_followup_or_a_reply_to_a_clarify_is_answered(facts: Facts) -> None:
    followup = Context(item_code=HONOR, aspect=Aspect.materials)
    assert decide(Situation(HOW, NAMED, followup), facts).rule != "clarify_sub_item_general"
    offered = [Choice(title="公共场所卫生许可", item_code=PUBLIC_PLACE), Choice(title="出生医学证明", item_code=BIRTH)]
    reply = query("公共场所的，开宾馆用", residue="公共场所开宾馆用")
    found = scores({PUBLIC_PLACE: 0.99, BIRTH: 0.9}, named=(PUBLIC_PLACE,))
    d = decide(Situation(reply, found, Context(choices=offered)), facts)
    assert d.kind == "answer" and d.item_code == PUBLIC_PLACE


def test_a_told_case_or_a_field_is_answered(facts: Facts) -> None:
    lost = query(
        "独生子女父母光荣证丢了怎么办", aspects=(Aspect.process,), aspect_source="cue", asks=True, sub_item="补发"
    )
    d = decide(Situation(lost, NAMED, Context()), facts)
    assert (d.kind, d.sub_item) == ("answer", "补发")
    where = query("独生子女父母光荣证在哪办", aspects=(Aspect.location,), aspect_source="cue", asks=True)
    assert decide(Situation(where, NAMED, Context()), facts).rule != "clarify_sub_item_general"


@pytest.mark.parametrize(
    ("aspects", "source", "cues", "asks", "general"),
    [
        ((), "none", (), False, True),  # "我想问问护士注册的事"
        ((), "none", (), True, False),  # a question whose aspect went unread ("独生证收不收废啊")
        ((Aspect.process,), "cue", ("怎么办",), True, True),
        ((Aspect.process,), "cue", ("流程",), True, False),  # its steps, not how to go about it in general
        ((Aspect.materials,), "predictor", (), True, True),  # "需要办哪些手续": no cue, the predictor's guess
        ((Aspect.materials,), "cue", ("材料",), True, False),  # "要什么材料": the sub-item rule's own question
        ((Aspect.process, Aspect.location), "cue", ("怎么办", "在哪"), True, False),
        ((Aspect.location,), "predictor", (), True, False),
    ],
)
def test_what_asks_in_general(
    aspects: tuple[Aspect, ...], source: str, cues: tuple[str, ...], asks: bool, general: bool
) -> None:
    how = load_lexicon().followup.general_how
    asked = query("问题", aspects=aspects, aspect_source=source, aspect_cues=cues, asks=asks)
    assert asks_in_general(asked, how) is general


@pytest.mark.parametrize(
    ("text", "told"),
    [
        ("我打算不在医院干了，回老家开奶茶店，证要怎么处理掉", ("注销",)),
        ("我司经营的宾馆因法定代表人调整，需要处理卫生许可证事宜", ("变更",)),
        ("上海开了家上门灭蟑螂灭老鼠的公司，是不是要备个案", ("首次",)),
        ("我在医院干了十年了", ()),
        ("法定代表人要带身份证吗", ()),
    ],
)
def test_the_new_told_situations(text: str, told: tuple[str, ...]) -> None:
    assert CueMatcher(load_lexicon()).situations_in(text) == told


def test_first_time_in_other_words() -> None:
    assert CueMatcher(load_lexicon()).sub_item("我们公司刚在上海注册下来，头一回备案") == "首次"


def test_a_policys_own_guide_beats_a_told_case(facts: Facts) -> None:
    asked = query(
        "西宁开了家书店兼咖啡吧，卫生许可证承诺一下当天就给，是这样吗",
        policy_names=("告知承诺",),
        policy_cues=("告知承诺",),
    )
    found = scores({PUBLIC_PLACE: 0.993, BIRTH: 0.9}, points={COMMITMENT_POINT: 0.954})
    d = decide(Situation(asked, found, Context()), facts)
    assert d.rule == "item_and_policy" and d.sub_item is not None and "告知承诺" in d.sub_item
    cued = replace(asked, sub_item="首次")  # a case cue ("新办") still picks its own guide
    assert decide(Situation(cued, found, Context()), facts).sub_item == "首次"
