"""The retrieval engine: aspects, follow-ups, clarification, no-answer, verbatim rendering."""

from __future__ import annotations

import re

import pytest

from knowledge.answer import Context
from knowledge.compose.render import render_guide
from knowledge.query.cues import detect_aspects, detect_sub_item
from knowledge.schema import Aspect


@pytest.mark.parametrize(
    ("question", "aspect"),
    [
        ("护士注册多久能办好", Aspect.time_limit),
        ("护士执业证书有效期多久", Aspect.validity),
        ("护士延续注册要提前多久申请", Aspect.conditions),
        ("供水单位卫生许可收费吗", Aspect.fee),
        ("在哪里办", Aspect.location),
        ("護士執業註冊需要什麼材料", Aspect.materials),
        ("从交材料到办下来要多久？我问的不是有效期", Aspect.time_limit),
        ("免费婚检需要什么条件", Aspect.conditions),
        ("网上申领流程是怎样的", Aspect.process),
        ("批下来拿到的是什么文件", Aspect.result),
        ("放射工作人员证多久要审一次", Aspect.validity),
        ("依据哪个法规", Aspect.basis),
        ("能在手机上办吗", Aspect.online),
    ],
)
def test_detect_aspect(question: str, aspect: Aspect) -> None:
    assert detect_aspects(question)[0] is aspect


def test_detect_sub_item() -> None:
    assert detect_sub_item("护士延续注册要什么") == "延续"
    assert detect_sub_item("出生证明丢了怎么补办") == "补发"
    assert detect_sub_item("我刚考完护士资格证") == "首次"
    assert detect_sub_item("护士注册要什么材料") is None


def test_answer_is_verbatim_with_source(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("护士执业首次注册的法定办结时限是多少？")
    assert answer.kind == "answer"
    assert answer.item.name == "护士执业注册"
    assert answer.aspect is Aspect.time_limit
    assert "20个工作日" in answer.text
    assert answer.sources and answer.sources[0].url.startswith("http")
    assert "来源" in answer.text and "核实日期" in answer.text


def test_null_field_says_not_stated_and_offers_human(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("医师执业注册收费吗")
    assert answer.kind == "answer" and answer.aspect is Aspect.fee
    assert "未载明" in answer.text
    assert "12345" in answer.text or "咨询" in answer.text


def test_followup_keeps_item_and_switches_aspect(fake_engine) -> None:  # type: ignore[no-untyped-def]
    first = fake_engine.ask("消毒产品生产企业卫生许可要多久")
    follow = fake_engine.ask("在哪里办", Context(item_code=first.item.code, aspect=first.aspect))
    assert follow.item.code == first.item.code
    assert follow.aspect is Aspect.location


def test_followup_switches_item_and_keeps_aspect(fake_engine) -> None:  # type: ignore[no-untyped-def]
    first = fake_engine.ask("护士执业注册要多久")
    follow = fake_engine.ask("医师呢？", Context(item_code=first.item.code, aspect=first.aspect))
    assert follow.item.name == "医师执业注册"
    assert follow.aspect is Aspect.time_limit


def test_generic_question_asks_which_item(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("我要办许可证")
    assert answer.kind == "clarify"
    assert len(answer.choices) >= 2
    assert all(c.item_code in fake_engine.catalog.item_by_code and c.sub_item is None for c in answer.choices)


def test_other_department_is_no_answer_with_referral(fake_engine) -> None:  # type: ignore[no-untyped-def]
    answer = fake_engine.ask("公积金提取需要什么材料")
    assert answer.kind == "no_answer"
    assert "公积金" in answer.text and "12345" in answer.text
    assert answer.item is None


def test_sub_item_choice_buttons(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """An answer for one sub-item offers the others as choices (data: item code and sub-item)."""
    answer = fake_engine.ask("护士执业首次注册要什么材料")
    assert answer.kind == "answer" and answer.sub_item == "首次"
    titles = [c.title for c in answer.choices]
    assert any("延续" in t for t in titles) and any("变更" in t for t in titles)
    assert {c.sub_item for c in answer.choices} >= {"延续", "变更"}
    assert all(c.item_code == "nurse-practice-registration" for c in answer.choices)


def test_general_question_on_differing_sub_items_asks_which(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """The nurse registration's sub-items list different materials: asked in general, the engine asks which,
    and the choice (or a reply naming it) answers for that sub-item."""
    answer = fake_engine.ask("护士执业注册要什么材料")
    assert answer.kind == "clarify" and answer.rule == "clarify_sub_item"
    assert answer.item.code == "nurse-practice-registration" and answer.aspect is Aspect.materials
    assert [c.sub_item for c in answer.choices] == ["首次", "延续", "变更"]
    assert "哪一种" in answer.text and "护士延续注册申请审核表" not in answer.text
    chosen = fake_engine.ask(
        "护士执业注册要什么材料", Context(item_code="nurse-practice-registration", sub_item="延续")
    )
    assert chosen.kind == "answer" and chosen.sub_item == "延续" and "护士延续注册申请审核表" in chosen.text
    typed = fake_engine.ask("延续", Context(item_code="nurse-practice-registration", aspect=Aspect.materials))
    assert typed.kind == "answer" and typed.sub_item == "延续" and typed.aspect is Aspect.materials


_DIGITS = re.compile(r"\d+")
_LIST_NUMBER = re.compile(r"^\d+\. ", re.MULTILINE)  # "1. 材料名" numbers the list; it is not a figure


def _figures(text: str) -> list[str]:
    return _DIGITS.findall(_LIST_NUMBER.sub("", text.replace("12345", "")))


def test_no_figure_is_invented(catalog) -> None:  # type: ignore[no-untyped-def]
    """Every number in every rendered answer (all guides × all aspects) appears in that guide's data."""
    checked = 0
    for item in catalog.items:
        for guide in item.guides:
            source = guide.model_dump_json() + item.model_dump_json()
            for aspect in Aspect:
                text = render_guide(item, guide, aspect, helpline="12345", deployment_region=None, other_sub_items=[])
                for number in _figures(text):
                    assert number in source, f"{guide.id} {aspect}: {number} not in the guide"
                checked += 1
    assert checked > 500


def test_no_figure_is_invented_through_the_engine(fake_engine) -> None:  # type: ignore[no-untyped-def]
    questions = [
        "放射工作人员证审批要几天",
        "光荣证多久能拿到",
        "医疗机构设置审批多少天答复",
        "供水单位卫生许可收费吗",
        "医疗广告审查多久",
        "深圳医疗机构执业登记要多久",
    ]
    for q in questions:
        answer = fake_engine.ask(q)
        assert answer.kind == "answer", q
        _, guide = fake_engine.catalog.guide_by_id[answer.guide_id]
        item = fake_engine.catalog.item_by_code[answer.item.code]
        source = guide.model_dump_json() + item.model_dump_json()
        for number in _figures(answer.text):
            assert number in source, (q, number)


@pytest.mark.slow
@pytest.mark.parametrize(
    ("question", "item", "aspect", "expected"),
    [
        (
            "我刚考完护士资格证，想注册执业要准备哪些东西？",
            "护士执业注册",
            Aspect.materials,
            "护士执业资格考试成绩合格证明",
        ),
        ("放射工作人员证审批要几天", "放射工作人员证", Aspect.time_limit, "3日"),
        ("開診所還要審批嗎", "诊所", None, None),
        ("护土变更注册要带什么", "护士执业注册", Aspect.materials, "护士变更注册申请审核表"),
    ],
)
def test_real_model_answers_chinese_questions(  # type: ignore[no-untyped-def]
    real_engine, question, item, aspect, expected
) -> None:
    answer = real_engine.ask(question)
    assert answer.kind == "answer", answer.text
    assert item in answer.item.name
    if aspect is not None:
        assert answer.aspect is aspect
    if expected is not None:
        assert expected in answer.text


@pytest.mark.slow
def test_real_model_no_answer_for_uncovered_service(real_engine) -> None:  # type: ignore[no-untyped-def]
    answer = real_engine.ask("养犬登记怎么办")
    assert answer.kind == "no_answer"
    assert "12345" in answer.text


def test_clarify_choice_answers_the_stored_question(fake_engine) -> None:  # type: ignore[no-untyped-def]
    """A clarify button re-asks the stored question with the chosen item as context."""
    first = fake_engine.ask("我要办许可证要什么材料")
    assert first.kind == "clarify" and first.aspect is Aspect.materials
    chosen = first.choices[0].item_code
    answer = fake_engine.ask("我要办许可证要什么材料", Context(item_code=chosen))
    assert answer.item.code == chosen and answer.aspect is Aspect.materials
    # the chosen item's sub-items list different materials: the next question is which one, never another item
    assert answer.kind == "answer" or all(c.item_code == chosen and c.sub_item for c in answer.choices), answer


def test_region_prefers_the_local_guide(fake_engine) -> None:  # type: ignore[no-untyped-def]
    named = fake_engine.ask("韶山护士执业注册在哪里办")
    assert "韶山" in named.region
    from_dialogue = fake_engine.ask("护士执业注册在哪里办", region="湖南省韶山市")
    assert "韶山" in from_dialogue.region
    national = fake_engine.ask("护士执业首次注册要多久")
    assert national.region.startswith("全国")


def test_new_question_in_a_conversation_is_not_a_followup(fake_engine) -> None:  # type: ignore[no-untyped-def]
    context = Context(item_code="physician-practice-registration", aspect=Aspect.time_limit)
    answer = fake_engine.ask("养犬登记怎么办", context)
    assert answer.kind == "no_answer"
    kept = fake_engine.ask("延续注册呢", Context(item_code="nurse-practice-registration", aspect=Aspect.materials))
    assert kept.item.code == "nurse-practice-registration" and kept.aspect is Aspect.materials
    assert kept.sub_item == "延续"


def test_region_followup_keeps_item_and_aspect(fake_engine) -> None:  # type: ignore[no-untyped-def]
    first = fake_engine.ask("深圳出生医学证明首次签发要带什么")
    assert "深圳" in first.region and first.aspect is Aspect.materials
    follow = fake_engine.ask(
        "那重庆江津呢？", Context(item_code=first.item.code, aspect=first.aspect, sub_item=first.sub_item)
    )
    assert follow.item.code == first.item.code
    assert follow.aspect is Aspect.materials
    assert "江津" in follow.region


def test_cli_prints_json_answer(monkeypatch, capsys, fake_engine) -> None:  # type: ignore[no-untyped-def]
    import json

    from knowledge import cli, service

    monkeypatch.setattr(service, "get_engine", lambda: fake_engine)
    assert cli.main(["供水单位卫生许可收费吗"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert out["kind"] == "answer" and out["aspect"] == "fee"
    assert "不收费" in out["answer"] and out["sources"] and out["item"]["name"] == "供水单位卫生许可"
    assert isinstance(out["confidence"], float)
