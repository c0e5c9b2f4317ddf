"""Matters of ours the knowledge base holds no guide for (`knowledge/data/not_held.yaml`): rule `not_held_matter` and
refinement `amount_not_stated` (knowledge/decide/unknown_subject.py) on hand-built queries and scores over the curated
catalog, the list's validation, and the reply. The sentences are invented, not taken from any evaluation set."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from knowledge.answer import Context
from knowledge.catalog import load_catalog
from knowledge.decide.model import Decision
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.decide.unknown_subject import amount_not_stated, asked_matters, not_held_matter, states_a_sum
from knowledge.loader import load_referrals
from knowledge.query.model import Referral
from knowledge.query.not_held import NotHeldFile, load_not_held, not_held_clashes
from knowledge.schema import Aspect
from knowledge.text_normalise import normalise
from tests.support.decide import query, scores

PHYSICIAN = "physician-practice-registration"
NURSE = "nurse-practice-registration"
PUBLIC_PLACE = "public-place-health-permit"
REWARD = "family-planning-reward-assistance"


def _decide(facts: Facts, text: str, sc: Any = None, ctx: Context | None = None, **kw: Any) -> Decision:
    return decide(Situation(query(text, **kw), sc or scores({NURSE: 0.5}), ctx or Context()), facts)


# ---- the rule ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "matter"),
    [
        ("村里卫生室的乡村医生证明年到期，去哪里换新证", "乡村医生执业注册"),
        ("社区医院想开个预防接种门诊，要什么资质", "预防接种单位（接种门诊）的设置和资质"),
        ("饭馆新来的厨师要办健康证，到哪去体检", "从业人员健康体检（健康证）"),
        ("明年想报医师资格考试，报名网站是哪个", "医师资格考试"),
        ("麻醉药放药房里要不要双人双锁", "麻醉药品和精神药品的储存管理"),
    ],
)
def test_a_matter_we_hold_no_guide_for_gets_the_honest_no_answer(facts: Facts, text: str, matter: str) -> None:
    d = _decide(facts, text)
    assert (d.kind, d.rule, d.matter) == ("no_answer", "not_held_matter", matter)


def test_an_alias_inside_the_matters_words_names_no_item(facts: Facts) -> None:
    """乡村 + 医生执业注册 (an alias of 医师执业注册) is the village doctors' registration: not the nearest guide."""
    sc = scores({PHYSICIAN: 0.9}, exact=(PHYSICIAN,))
    d = _decide(facts, "乡村医生执业注册下来要多长时间", sc, aspects=(Aspect.time_limit,))
    assert (d.kind, d.rule, d.matter) == ("no_answer", "not_held_matter", "乡村医生执业注册")


def test_an_item_named_beside_the_matter_decides(facts: Facts) -> None:
    sc = scores({PHYSICIAN: 0.9}, exact=(PHYSICIAN,))
    both = "乡村医生执业注册跟医师执业注册是一回事吗"
    assert not_held_matter(Situation(query(both), sc, Context()), facts) is None
    fuzzy = "公共场所衞生许可证要什么材料，健康证去哪办"  # a variant character: the names channel names the item
    sc = scores({PUBLIC_PLACE: 0.8}, named=(PUBLIC_PLACE,))
    assert not_held_matter(Situation(query(fuzzy), sc, Context()), facts) is None


@pytest.mark.parametrize(
    "text",
    [
        "我是乡村医生，现在想注册执业助理医师，要什么条件",  # who the citizen is
        "前年考过护士资格考试，一直没去注册，现在还能注册吗",  # what they have passed
        "护士执业资格考试合格了，首次注册自己去还是单位去",
        "规培结束了，注册要带什么",
    ],
)
def test_a_matter_told_as_the_citizens_circumstance_is_left_to_the_other_rules(facts: Facts, text: str) -> None:
    s = Situation(query(text), scores({NURSE: 0.6}), Context())
    assert asked_matters(s, facts) == []
    assert not_held_matter(s, facts) is None


def test_a_complaint_or_a_policy_question_is_not_this_rules(facts: Facts) -> None:
    ctx = Context()
    complaint = query("接种门诊的护士态度太差，我要投诉", complains=True)
    assert not_held_matter(Situation(complaint, scores({}), ctx), facts) is None
    policy = query("健康证过期几天被查到，首违不罚吗", policy_names=("首违不罚",))
    assert not_held_matter(Situation(policy, scores({}), ctx), facts) is None


def test_the_items_requirement_in_a_conversation_stays_the_items(facts: Facts) -> None:
    """公共场所卫生许可's guides ask for the staff's 健康合格证: whether it is needed is the item's; where to get it
    is the matter's."""
    ctx = Context(item_code=PUBLIC_PLACE)
    need = query("店里员工都得有健康证吗", aspects=(Aspect.conditions,))
    assert not_held_matter(Situation(need, scores({PUBLIC_PLACE: 0.6}), ctx), facts) is None
    where = query("员工的健康证去哪里弄", aspects=(Aspect.location,))
    d = not_held_matter(Situation(where, scores({PUBLIC_PLACE: 0.6}), ctx), facts)
    assert d is not None and d.kind == "no_answer"


def test_another_departments_keyword_decides_first(facts: Facts) -> None:
    ref = Referral("营业执照", "市场监督管理部门")
    d = _decide(facts, "开饭店要办健康证，营业执照去哪办", scores({}), referral=ref)
    assert d.rule == "referral"


# ---- how much an allowance pays ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "asks"),
    [
        ("特扶金一个月能发多少钱", True),
        ("扶助标准是多少", True),
        ("这个补贴多少，一年领多少钱", True),
        ("办这个证要交多少钱", False),  # a fee
        ("一次能领多少个避孕套", False),  # no sum of money
    ],
)
def test_the_amount_paid_out_is_asked_in_words_of_receiving_money(text: str, asks: bool) -> None:
    assert load_not_held().asks_amount_paid_out(normalise(text)) is asks


def test_an_amount_no_guide_states_is_the_no_answer_keeping_the_item(facts: Facts) -> None:
    assert not states_a_sum(facts, REWARD)
    answer = Decision(kind="answer", rule="followup", item_code=REWARD, aspects=(Aspect.fee,))
    s = Situation(query("那一年能领多少钱"), scores({REWARD: 0.7}), Context(item_code=REWARD))
    d = amount_not_stated(answer, s, facts)
    assert (d.kind, d.item_code, d.rule) == ("no_answer", REWARD, "followup+amount_not_stated")
    assert d.unstated
    fee = Situation(query("申请要交钱吗"), scores({REWARD: 0.7}), Context(item_code=REWARD))
    assert amount_not_stated(answer, fee, facts) is answer
    faq = Decision(kind="answer", rule="faq", item_code=REWARD, faq_id="x")
    assert amount_not_stated(faq, s, facts) is faq


# ---- the list ------------------------------------------------------------------------------------


def test_no_word_of_the_list_names_something_we_hold() -> None:
    """No word equals or stands inside an item's name or alias, or stands in a policy text."""
    catalog = load_catalog()
    assert not_held_clashes(load_not_held().data, catalog.items, catalog.policies) == []


def test_the_clash_check_finds_our_names_and_policy_words() -> None:
    catalog = load_catalog()
    data = NotHeldFile(matters=[{"name": "x", "says": ["医师执业", "老年优待证", "乡村医生执业注册"]}])
    clashes = not_held_clashes(data, catalog.items, catalog.policies)
    assert len(clashes) == 2 and "医师执业" in clashes[0] and "老年优待证" in clashes[1]


def test_no_word_of_the_list_is_another_departments_keyword() -> None:
    keywords = {normalise(k) for r in load_referrals() for k in r.keywords}
    words = {w for m in load_not_held().matters for w in m.says}
    assert not words & keywords


def test_the_list_is_validated() -> None:
    with pytest.raises(ValidationError):
        NotHeldFile(matters=[{"name": "a", "says": ["健康证"]}, {"name": "b", "says": ["健康证"]}])
    with pytest.raises(ValidationError):
        NotHeldFile(matters=[{"name": "a", "says": ["健康證"]}])  # not normalised
    with pytest.raises(ValidationError):
        NotHeldFile(matters=[{"name": "a", "says": ["x"]}, {"name": "a", "says": ["y"]}])


# ---- the reply -----------------------------------------------------------------------------------


def test_the_reply_names_the_matter_and_the_human_channel(fake_engine: Any) -> None:
    answer = fake_engine.ask("村里的乡村医生证到期了去哪换")
    assert answer.kind == "no_answer" and answer.rule == "not_held_matter"
    assert "乡村医生执业注册" in answer.text and "12345" in answer.text
