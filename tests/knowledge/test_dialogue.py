"""Dialogue behaviour through the whole pipeline, on the fake (hashing) embedder."""

from __future__ import annotations

import re

import pytest

from knowledge.answer import Context
from knowledge.schema import Aspect

NURSE = "nurse-practice-registration"

_DIGITS = re.compile(r"\d+")
_LIST_NUMBER = re.compile(r"^\d+\. ", re.MULTILINE)


def _figures_come_from_the_cited_guides(engine, answer) -> None:  # type: ignore[no-untyped-def]
    source = ""
    for gid in answer.guide_ids:
        item, guide = engine.catalog.guide_by_id[gid]
        source += guide.model_dump_json() + item.model_dump_json()
    if answer.policy_id:
        doc, _ = engine.catalog.point_by_id[answer.policy_id]
        source += doc.model_dump_json()
    for number in _DIGITS.findall(_LIST_NUMBER.sub("", answer.text.replace("12345", ""))):
        assert number in source, number


@pytest.mark.parametrize("followup", ["那要多久？", "办下来大概得等上多长时间啊", "多长时间能批", "时限呢", "要等几天"])
def test_followup_asking_only_an_aspect_keeps_the_item(fake_engine, followup: str) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code="disinfection-product-manufacturer-permit", aspect=Aspect.materials)
    answer = fake_engine.ask(followup, ctx)
    assert answer.kind == "answer" and answer.item.code == "disinfection-product-manufacturer-permit"
    assert answer.aspect is Aspect.time_limit


@pytest.mark.parametrize("followup", ["收费吗", "那得花多少钱呢", "要交钱不"])
def test_followup_fee_in_other_words(fake_engine, followup: str) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask(followup, Context(item_code="water-supply-unit-permit", aspect=Aspect.materials))
    assert (answer.item.code, answer.aspect) == ("water-supply-unit-permit", Aspect.fee)


def test_region_named_mid_conversation_switches_to_that_regions_guide(fake_engine) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.materials, sub_item="首次")
    answer = fake_engine.ask("那在山东办呢", ctx)
    assert answer.item.code == NURSE and answer.aspect is Aspect.materials and answer.sub_item == "首次"
    assert answer.region == "山东省" and "《护士执业注册申请审核表》（粘有照片）" in answer.text
    assert "没有" not in answer.text.splitlines()[0]


def test_region_without_a_guide_says_so(fake_engine) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.materials, sub_item="首次")
    answer = fake_engine.ask("那广州呢", ctx)
    assert answer.item.code == NURSE and answer.aspect is Aspect.materials
    assert answer.text.startswith("知识库中没有广州的“护士执业注册”办事指南")
    assert "广州" not in (answer.region or "")


@pytest.mark.parametrize("followup", ["那南京呢", "我在哈尔滨", "换成贵阳的"])
def test_a_place_no_guide_comes_from_says_so(fake_engine, followup: str) -> None:  # type: ignore[no-untyped-def]
    """Places outside every guide's region (lexicon.yaml `places`) are still recognised as places."""
    ctx = Context(item_code="water-supply-unit-permit", aspect=Aspect.fee)
    answer = fake_engine.ask(followup, ctx)
    assert answer.item.code == "water-supply-unit-permit" and answer.aspect is Aspect.fee
    place = next(p for p in ("南京", "哈尔滨", "贵阳") if p in followup)
    assert answer.text.startswith(f"知识库中没有{place}的“供水单位卫生许可”办事指南")


def test_two_aspects_get_both_each_verbatim(fake_engine) -> None:  # type: ignore[no-untyped-def]
    # 首次: its guide labels the materials by sub-item (【初次】, 【延续】), so the general question is asked back
    answer = fake_engine.ask("供水单位卫生许可首次申请需要什么材料和费用")
    assert answer.kind == "answer" and answer.aspects == [Aspect.materials, Aspect.fee]
    _, guide = fake_engine.catalog.guide_by_id[answer.guide_id]
    assert guide.materials and guide.materials[0].name in answer.text
    assert guide.fee and guide.fee in answer.text
    assert "— 申请材料 —" in answer.text and "— 收费 —" in answer.text


def test_short_fields_of_differing_sub_items_are_shown_side_by_side(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("护士执业注册要多久")
    # each sub-item's own figure with the choices: the issue's "common part plus the choices", a clarifying reply
    assert answer.kind == "clarify" and answer.aspect is Aspect.time_limit and answer.sub_item is None
    assert "20个工作日" in answer.text and "7个工作日" in answer.text  # 首次 and 变更, each verbatim
    assert len(answer.guide_ids) == 3 and {c.sub_item for c in answer.choices} == {"首次", "延续", "变更"}
    _figures_come_from_the_cited_guides(fake_engine, answer)


@pytest.mark.parametrize(
    ("question", "topic"),
    [
        ("告知承诺制是怎么回事", "告知承诺制"),
        ("首违不罚是什么政策", "包容审慎监管"),
        ("包容审慎监管是指什么", "包容审慎监管"),
        ("诊所备案制是什么意思", "诊所备案制"),
        ("出生一件事怎么办", "出生一件事"),
        ("两个免于提交是什么", "两个免于提交"),
        ("政务服务好差评是什么", "好差评"),
        ("办不成事可以打12345吗", "办不成事 反映渠道"),
    ],
)
def test_policy_questions_are_answered_from_the_cited_point(fake_engine, question: str, topic: str) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask(question)
    assert answer.kind == "answer" and answer.policy_id, answer.text
    _, point = fake_engine.catalog.point_by_id[answer.policy_id]
    assert point.topic == topic and point.text in answer.text
    _figures_come_from_the_cited_guides(fake_engine, answer)


def test_item_and_policy_question_gets_both(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("公共场所卫生许可能不能告知承诺当场发证")
    assert answer.kind == "answer" and answer.item.code == "public-place-health-permit" and answer.policy_id
    _, point = fake_engine.catalog.point_by_id[answer.policy_id]
    assert point.text in answer.text and "告知承诺" in point.topic
    assert "当场作出决定（告知承诺方式）" in answer.text  # the item's own 告知承诺制 guide
    _figures_come_from_the_cited_guides(fake_engine, answer)


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("医疗机构设置审批一般要多长时间才能批下来", Aspect.time_limit),  # not the overview
        ("执业医师资格考试通过好几年了还能注册吗", Aspect.conditions),  # a condition, not the overview
        ("医师执业证书由谁颁发", Aspect.overview),  # the issuing body (实施机关), not the address
        ("出生医学证明要在多少天内去办", Aspect.conditions),  # the applicant's deadline, not the office's
    ],
)
def test_the_asked_aspect(fake_engine, question: str, aspect: Aspect) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask(question)
    assert answer.kind in ("answer", "clarify") and answer.aspect is aspect  # 出生医学证明: asks which sub-item


def test_who_issues_shows_the_implementing_body(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("医师执业证书由谁颁发")
    assert "实施机关" in answer.text and "办理地点" not in answer.text


def test_where_to_go_names_who_handles_it_too() -> None:
    """A location answer quotes the implementing body (实施机关) before the window, verbatim: "找谁补", "哪一级审"."""
    from knowledge.compose.render import aspect_lines
    from knowledge.loader import load_items

    guide = next(g for i in load_items() for g in i.guides if g.implementing_body and g.location)
    lines = aspect_lines(guide, Aspect.location, "12345")
    assert lines[0] == f"实施机关：{guide.implementing_body}"
    assert f"办理地点：{guide.location}" in lines


def test_traditional_chinese_gets_the_same_answer(fake_engine) -> None:  # type: ignore[no-untyped-def]
    simplified = fake_engine.ask("供水单位卫生许可收费吗")
    traditional = fake_engine.ask("供水單位衛生許可收費嗎")
    assert traditional.model_dump(exclude={"candidates"}) == simplified.model_dump(exclude={"candidates"})


def test_english_aspect_words_are_understood(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """The fake embedder cannot match English to Chinese (e5 does); the aspect comes from the lexicon."""
    answer = fake_engine.ask("how much does it cost", Context(item_code="water-supply-unit-permit"))
    assert (answer.kind, answer.item.code, answer.aspect) == ("answer", "water-supply-unit-permit", Aspect.fee)


@pytest.mark.parametrize(
    ("english", "chinese"),
    [
        ("How long does nurse practice registration take?", "护士执业注册要多久"),
        (
            "What documents do I need for the water supply unit permit the first time?",
            "首次办供水单位卫生许可需要什么材料",
        ),
        ("Is the premarital medical examination free?", "婚前医学检查收费吗"),
    ],
)
def test_english_questions_get_the_chinese_answer(fake_engine, english: str, chinese: str) -> None:  # type: ignore[no-untyped-def]
    """English names (aliases) and aspect words (lexicon) carry the question, whatever the embedder."""
    en, zh = fake_engine.ask(english), fake_engine.ask(chinese)
    assert en.kind == zh.kind and en.kind in ("answer", "clarify")  # 护士执业注册要多久: each sub-item's figure
    assert (en.item, en.aspects, en.guide_ids, en.text) == (zh.item, zh.aspects, zh.guide_ids, zh.text)


def test_an_english_name_is_not_found_in_unrelated_words(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("How do I renew my driver's license?")
    assert answer.item is None or answer.item.code != "nurse-practice-registration"


def test_a_city_named_brings_its_provinces_guide_and_keeps_it(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """西安 has no guide of its own; 陕西省's guide covers it: no "知识库中没有…" notice, and the place is kept."""
    answer = fake_engine.ask("我在西安，开中医医院的设置审批找谁")
    assert answer.item is not None and answer.item.code == "medical-institution-setup-approval"
    assert "陕西" in (answer.region or "") and answer.region_asked == "西安"
    assert not answer.text.startswith("知识库中没有")
    ctx = Context(item_code=answer.item.code, aspect=answer.aspect)
    later = fake_engine.ask("那多久能批下来", ctx, answer.region_asked)
    assert later.item == answer.item and "陕西" in (later.region or "")


def test_a_place_whose_province_has_no_guide_gets_the_notice(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("我在西安，护士执业注册要多久")
    assert answer.item is not None and answer.item.code == "nurse-practice-registration"
    assert answer.text.startswith("知识库中没有西安的")


def test_a_general_materials_question_about_a_guide_labelling_its_sub_items_is_asked_back(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("供水单位卫生许可需要什么材料")
    assert answer.kind == "clarify" and [c.sub_item for c in answer.choices] == ["首次", "延续"]
    assert len({c.title for c in answer.choices}) == 2  # one guide: the choices are named by sub-item
