"""Round 17's rules for the asked part of the right item's guide, on hand-built values (no retrieval).

Which level decides: the guide's 实施机关 when it names a level and the answer does not show it, and process lines
naming a level (`body_names_the_level`). A vague how about a case a story tells is what that case needs, then how it
goes (`told_case_how`). Of the sub-items a message's cues name, the one the item has (`cued_sub_item`). A situation
settling a sub-item the item lacks settles its `otherwise` (a torn certificate: 换发, else 补发). Cue vocabulary: the
applicant's deadline, the office's time limit, the office's hours, who decides, going in person, posted to a place.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from knowledge.compose.level_lines import BODY, body_names_the_level, level_lines
from knowledge.decide.item_decision import item_decision
from knowledge.decide.situation import Situation
from knowledge.decide.told_case import cued_sub_item, told_case_how, told_sub_item
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.query.cues import CueMatcher, detect_aspects
from knowledge.query.lexicon import load_lexicon
from knowledge.query.situations import ToldSituation
from knowledge.schema import Aspect, Guide, Source
from tests.support.decide import query, scores

BIRTH = "birth-medical-certificate"
HONOR = "only-child-parents-honor-certificate"
NURSE = "nurse-practice-registration"
OFFICIAL = Source(title="某市政务服务网", url="https://example.org/g", trust="official")
WORDS = ["省级", "市级", "县级", "下放"]


def _guide(**kw: Any) -> Guide:
    return Guide(
        id="made-up.g1", region="某省某市", national=False, sources=[OFFICIAL], last_verified=dt.date(2026, 1, 1), **kw
    )


def test_the_body_naming_a_level_is_added_where_the_answer_does_not_show_it() -> None:
    guide = _guide(
        implementing_body="向市级卫生健康行政部门申请",
        conditions=["具备相应条件"],
        process=["申请", "县级初审、市级审查确认"],
    )
    lines = level_lines(guide, (Aspect.conditions,), WORDS, helpline="12345")
    assert lines[0] == (BODY, "向市级卫生健康行政部门申请")
    assert ("process", "2. 县级初审、市级审查确认") in lines
    assert body_names_the_level(guide, (Aspect.result,), WORDS)
    # the overview and the location show the 实施机关 themselves
    assert not body_names_the_level(guide, (Aspect.overview,), WORDS)
    assert not body_names_the_level(guide, (Aspect.location,), WORDS)
    assert BODY not in {k for k, _ in level_lines(guide, (Aspect.location,), WORDS, helpline="12345")}
    # a body naming no level, or none at all
    assert not body_names_the_level(_guide(implementing_body="实体医疗机构执业登记机关"), (Aspect.conditions,), WORDS)
    assert not body_names_the_level(_guide(), (Aspect.conditions,), WORDS)


def test_the_lexicon_asks_the_level_in_either_order() -> None:
    levels = load_lexicon().levels
    assert levels is not None
    from knowledge.compose.level_lines import asks_level

    assert asks_level("设置审批先找区县还是市里", levels.questions)
    assert asks_level("是交到区里还是省里", levels.questions)
    assert not asks_level("要交哪些材料", levels.questions)


def test_a_vague_how_about_a_told_case_asks_what_the_case_needs(facts) -> None:  # type: ignore[no-untyped-def]
    text = "我们在家里生的娃，来不及去医院，出生证怎么办"
    told = told_sub_item(facts, BIRTH, query(text))
    assert told == "首次"
    vague = query(text, aspects=(Aspect.conditions,), aspect_cues=("怎么办",), vague_aspect=True)
    assert told_case_how(vague, told)
    s = Situation(vague, scores({BIRTH: 0.9}, exact=(BIRTH,)), _context())
    decision = item_decision(s, facts, BIRTH, "named_item", 0.9)
    assert decision.sub_item == "首次" and decision.aspects == SUB_ITEM_HOW
    # no case told, a sub-item cue (the analyse stage reads those), a how that is not vague, or aspects given
    assert not told_case_how(vague, None)
    assert not told_case_how(query(text, sub_item="补发", vague_aspect=True), "首次")
    assert not told_case_how(query(text, aspects=(Aspect.process,)), told)
    given = item_decision(s, facts, BIRTH, "followup", 0.9, (Aspect.location,))
    assert given.aspects == (Aspect.location,)


def _context() -> Any:
    from knowledge.answer import Context

    return Context()


def test_of_the_cued_sub_items_the_one_the_item_has(facts) -> None:  # type: ignore[no-untyped-def]
    text = "我们搬家弄丢了，怎么补"
    cues = CueMatcher(load_lexicon())
    assert cues.sub_item(text) == "变更" and cues.sub_items_in(text) == ("变更", "补发")
    moved_and_lost = query(text, sub_item="变更")
    assert cued_sub_item(facts, BIRTH, moved_and_lost) == "补发"  # 出生医学证明 has no 变更
    assert cued_sub_item(facts, NURSE, moved_and_lost) == "变更"  # the nurse's registration has it
    assert cued_sub_item(facts, BIRTH, query("证丢了", sub_item="补发")) == "补发"
    assert cued_sub_item(facts, BIRTH, query("问题")) is None
    # nothing the item has among the cues: the message's own, as before
    assert cued_sub_item(facts, BIRTH, query("要续期", sub_item="延续")) == "延续"


def test_a_situation_settles_its_otherwise_where_the_item_lacks_its_sub_item(facts) -> None:  # type: ignore[no-untyped-def]
    torn = "原来那本被水泡烂了，字都看不清"
    assert told_sub_item(facts, BIRTH, query(torn)) == "换发"  # the birth certificate is replaced
    assert told_sub_item(facts, HONOR, query(torn)) == "补发"  # the honour certificate has only its 补办
    made = ToldSituation(name="x", sub_item="换发", all_of=[["撕坏"]], otherwise=["补发"])
    assert made.settles() == "换发"
    assert made.settles(["首次", "换发", "补发"]) == "换发"
    assert made.settles(["首次", "补发"]) == "补发"
    assert made.settles(["首次"]) is None
    with pytest.raises(ValidationError):
        ToldSituation(name="x", sub_item="换发", all_of=[["撕坏"]], otherwise=["重办"])


@pytest.mark.parametrize(
    ("text", "aspect"),
    [
        ("延续注册得在到期前多长时间申请", Aspect.conditions),  # the applicant's deadline
        ("延续是不是要提前三十天去办啊", Aspect.conditions),
        ("卫生行政部门多长时间内作出审核决定", Aspect.time_limit),  # the office's
        ("证拿着以后隔多久得复核一回", Aspect.validity),
        ("下午几点到几点能交材料", Aspect.location),  # the office's hours
        ("中午一点多过去能办吗", Aspect.location),
        ("该找哪个机关提出", Aspect.location),
        ("预评价报告交给谁审", Aspect.location),
        ("最后谁拍板", Aspect.overview),
        ("新证能不能直接寄到诊所", Aspect.online),
        ("要不要亲自去现场", Aspect.online),
        ("证丢了怎么补", Aspect.process),
        ("去现场办要带什么材料", Aspect.materials),  # papers still asked for
        ("审批要多长时间", Aspect.time_limit),
    ],
)
def test_round17_cues(text: str, aspect: Aspect) -> None:
    assert detect_aspects(text)[0] is aspect


def test_a_replacement_asked_vaguely_is_read_as_its_case_needs() -> None:
    from knowledge.query.analyse import Analyser

    analyser = Analyser(load_lexicon(), region_words=[])
    q = analyser.analyse("孩子出生证丢了怎么补")
    assert q.sub_item == "补发" and q.aspects == SUB_ITEM_HOW


def _details() -> Any:
    return load_lexicon().detail_words


def test_the_detail_rule_reads_the_basis_and_faq_answers_last() -> None:
    from knowledge.compose.related import detail_line
    from knowledge.schema import FAQ

    guide = _guide(
        conditions=["年满18周岁"],
        legal_basis="第六条：上岗前，放射工作单位负责为其申请办理",
        faq=[FAQ(question="如何办理预约？", answer="第一步：打开网站点击【预约】。", source=OFFICIAL)],
    )
    found = detail_line(guide, (Aspect.conditions,), "放射证是要我自己去办吗", _details(), helpline="12345")
    assert found is not None and found[0] == "basis" and "单位负责" in found[1]
    booked = detail_line(guide, (Aspect.conditions,), "需要提前预约吗", _details(), helpline="12345")
    assert booked == ("faq", "第一步：打开网站点击【预约】。")
    # asked for, the basis is shown: nothing added from it
    assert detail_line(guide, (Aspect.basis,), "放射证是要我自己去办吗", _details(), helpline="12345") is None
    assert detail_line(guide, (Aspect.conditions,), "要多大年纪", _details(), helpline="12345") is None


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("俺够不够格", True),  # A-not-A, no question word
        ("他能申请不", True),
        ("那医师呢", False),
        ("我们公司注册在上海", False),
    ],
)
def test_an_a_not_a_question_asks_something(text: str, asks: bool) -> None:
    from knowledge.query.analyse import Analyser

    assert Analyser(load_lexicon(), region_words=[]).asks_something(text) is asks


@pytest.mark.parametrize(
    "text", ["体检报告要几耐之内嘅先得", "检测报告隔了多久就不算数了", "does the health certificate have to be recent"]
)
def test_how_recent_a_paper_must_be_is_asked_of_the_materials(text: str) -> None:
    assert detect_aspects(text)[0] is Aspect.materials
