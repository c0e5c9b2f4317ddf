"""Another department's keyword in a question that is ours (round 15, `decide/referral_ask.py`): hand-built scores,
learned kind and item-head probabilities, no retrieval, no embedding."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from knowledge.answer import Choice, Context
from knowledge.decide import clarify_reply, turn_away
from knowledge.decide.referral_ask import (
    asks_the_items_requirement,
    keyword_of_our_question,
    keyword_words,
    learned_views_agree_ours,
)
from knowledge.decide.situation import Facts, Situation
from knowledge.query.model import Referral
from knowledge.query.predictors import ITEM_NONE
from tests.support.decide import facts_for, query, scores

BIRTH = "birth-medical-certificate"
HONOR = "only-child-parents-honor-certificate"
PLACE = "public-place-health-permit"
FOREIGN = "foreign-physician-short-term-practice"
SETUP = "medical-institution-setup-approval"
RETIRE = Referral("退休", "人力资源和社会保障部门")
HUKOU = Referral("户口", "公安机关")
LICENCE = Referral("营业执照", "市场监督管理部门")
VISA = Referral("visa", "公安机关")
IN_DOMAIN = {"in_domain": 0.95, "other_department": 0.03, "complaint": 0.01, "policy": 0.01}
OTHER = {"in_domain": 0.2, "other_department": 0.78, "complaint": 0.01, "policy": 0.01}


@pytest.fixture
def facts(catalog: Any) -> Facts:
    return facts_for(catalog)


def first(text: str, ref: Referral, items: Any, item_probs: dict[str, float], **kw: Any) -> Situation:
    kind_probs = kw.pop("kind_probs", IN_DOMAIN)
    confident = kw.pop("confident", tuple(k for k, p in kind_probs.items() if p >= 0.5))
    context = kw.pop("context", Context())
    q = query(
        text,
        referral=ref,
        kind="other_department",  # the keyword's cue kind, whatever the head says
        kind_probs=kind_probs,
        confident_kinds=confident,
        item_probs=item_probs,
        **kw,
    )
    return Situation(q, items, context)


def test_a_purpose_clause_beside_our_item_named_is_ours(facts: Facts) -> None:
    """单位办退休要交独生子女证…咋补: our item named as the paper the other service asks for, the ask about it."""
    items = scores({HONOR: 1.26, BIRTH: 0.9}, exact=(HONOR,))
    s = first("单位办退休要交独生子女证，可我的那本早就找不到了，咋补", RETIRE, items, {HONOR: 0.84, ITEM_NONE: 0.04})
    assert learned_views_agree_ours(s, facts)
    assert turn_away.referral(s, facts) is None
    # the same message without the learned views: the keyword decides as before
    bare = Situation(replace(s.query, kind_probs={}, item_probs={}, confident_kinds=()), items, Context())
    assert not keyword_of_our_question(bare, facts)
    d = turn_away.referral(bare, facts)
    assert d is not None and d.rule == "referral"


def test_an_item_described_with_the_keyword_as_a_circumstance_is_ours(facts: Facts) -> None:
    """…上户口要用的那张出生时医院开的纸能不能手机上申请: nothing named, the three views agree on 出生医学证明."""
    items = scores({BIRTH: 1.02, HONOR: 0.95})
    s = first("上户口要用的那张出生时医院开的纸能不能手机上申请", HUKOU, items, {BIRTH: 0.53, ITEM_NONE: 0.09})
    assert learned_views_agree_ours(s, facts)
    assert turn_away.referral(s, facts) is None


def test_the_learned_kind_must_be_sure_and_not_another_departments(facts: Facts) -> None:
    items = scores({BIRTH: 1.17}, exact=(BIRTH,))
    probs = {BIRTH: 0.84, ITEM_NONE: 0.05}
    other = first("宝宝出生证明拿到了，上户口去哪办", HUKOU, items, probs, kind_probs=OTHER)
    assert not learned_views_agree_ours(other, facts)
    d = turn_away.referral(other, facts)
    assert d is not None and d.rule == "referral"
    unsure = {"in_domain": facts.tuning.described_in_domain_prob - 0.05, "other_department": 0.3, "policy": 0.1}
    assert not learned_views_agree_ours(first("…", HUKOU, items, probs, kind_probs=unsure), facts)
    # in-domain most probable, yet another department's at its calibrated threshold too: not ours
    both = first("…", HUKOU, items, probs, confident=("in_domain", "other_department"))
    assert not learned_views_agree_ours(both, facts)


def test_a_sure_policy_question_counts_as_ours(facts: Facts) -> None:
    """我户口在苏州，孩子准备在上海生，出生那些手续能在江浙沪之间一起办掉吗: a policy question about our item."""
    policy = {"policy": 0.99, "in_domain": 0.005, "other_department": 0.005}
    items = scores({BIRTH: 0.96, HONOR: 0.94})
    s = first("…出生那些手续能在江浙沪之间一起办掉吗", HUKOU, items, {BIRTH: 0.48, ITEM_NONE: 0.02}, kind_probs=policy)
    assert learned_views_agree_ours(s, facts)
    unsure = first("…", HUKOU, items, {BIRTH: 0.48}, kind_probs=policy, confident=())
    assert not learned_views_agree_ours(unsure, facts)


def test_the_item_head_must_agree_with_the_ranking_and_see_no_other_matter(facts: Facts) -> None:
    items = scores({BIRTH: 0.98, HONOR: 0.96})
    unsure = first("…", HUKOU, items, {BIRTH: facts.tuning.described_min_prob - 0.05, ITEM_NONE: 0.02})
    assert not learned_views_agree_ours(unsure, facts)
    none_high = first("…", HUKOU, items, {BIRTH: 0.5, ITEM_NONE: facts.tuning.described_max_none + 0.03})
    assert not learned_views_agree_ours(none_high, facts)
    none_best = first("…", HUKOU, items, {ITEM_NONE: 0.6, BIRTH: 0.2})
    assert not learned_views_agree_ours(none_best, facts)
    disagree = first("…", HUKOU, items, {HONOR: 0.7, ITEM_NONE: 0.02})
    assert not learned_views_agree_ours(disagree, facts)
    assert not learned_views_agree_ours(first("…", HUKOU, items, {}), facts)  # no item head


def test_a_follow_up_asking_for_a_paper_the_items_guides_name_is_ours(facts: Facts) -> None:
    """大人的户口本也要带上吗, in a conversation about 出生医学证明 (its guides ask for 户口簿/户口本)."""
    assert facts.item_mentions(BIRTH, "户口")
    ctx = Context(item_code=BIRTH)
    items = scores({BIRTH: 0.94, HONOR: 0.93})
    s = first("大人的户口本也要带上吗", HUKOU, items, {BIRTH: 0.26, ITEM_NONE: 0.18}, context=ctx)
    assert not learned_views_agree_ours(s, facts)  # the head alone is unsure of the item
    assert asks_the_items_requirement(s, facts)
    assert turn_away.referral(s, facts) is None
    # the same words as a first question: no conversation, the keyword decides
    alone = Situation(s.query, items, Context())
    assert not asks_the_items_requirement(alone, facts)
    # where to get the other service done, which the learned kind gives to the other department
    where = first("拿到出生证以后上户口去哪个派出所办", HUKOU, items, {BIRTH: 0.5}, kind_probs=OTHER, context=ctx)
    assert not asks_the_items_requirement(where, facts)


def test_a_keyword_the_items_guides_never_use_stays_the_other_departments(facts: Facts) -> None:
    """退休了能领多少钱, in a conversation about 医疗机构设置审批: the learned kind may err, the guides do not."""
    assert not facts.item_mentions(SETUP, "退休")
    ctx = Context(item_code=SETUP)
    s = first("退休了能领多少钱", RETIRE, scores({SETUP: 0.9}), {ITEM_NONE: 0.4}, context=ctx)
    assert not asks_the_items_requirement(s, facts)
    d = turn_away.referral(s, facts)
    assert d is not None and d.rule == "referral"


def test_an_english_keyword_counts_through_its_departments_chinese_ones(facts: Facts) -> None:
    """Does he need a visa first? after 外国医师来华短期行医许可, whose guides ask for 入境签证."""
    ctx = Context(item_code=FOREIGN)
    s = first("does he need a visa first?", VISA, scores({FOREIGN: 0.86}), {FOREIGN: 0.17}, context=ctx)
    assert "签证" in keyword_words(s, facts) and "visa" not in keyword_words(s, facts)
    assert asks_the_items_requirement(s, facts)


def test_a_typed_clarify_reply_telling_the_case_with_the_keyword_stays_a_reply(facts: Facts) -> None:
    """泳池没搬地方 就是营业执照上的老板换成我了, after "which case?" about 公共场所卫生许可 (guides: 营业执照)."""
    choices = [Choice(title=sub, item_code=PLACE, sub_item=sub) for sub in ("首次", "变更", "延续")]
    ctx = Context(item_code=PLACE, choices=choices)
    items = scores({PLACE: 0.94})
    told = "泳池没搬地方 就是营业执照上的老板换成我了"
    s = first(told, LICENCE, items, {ITEM_NONE: 0.39, PLACE: 0.14}, context=ctx, sub_item="变更")
    assert keyword_of_our_question(s, facts)
    picked = clarify_reply.chosen(s, facts)
    assert picked is not None and picked.sub_item == "变更"
    told_other = first(told, LICENCE, items, {ITEM_NONE: 0.6}, kind_probs=OTHER, context=ctx, sub_item="变更")
    assert clarify_reply.chosen(told_other, facts) is None


def test_a_keyword_counts_through_its_departments_longer_spelling(facts: Facts) -> None:
    """Round 16: 残疾证 asked in a conversation about 特别扶助, whose guides write 《中华人民共和国残疾人证》: the
    department's keyword 残疾人证 spells 残疾证 out, so the item's guides use it and the paper is the item's
    requirement; 残联 (no longer spelling) is not counted."""
    special = "family-planning-special-assistance"
    disabled = Referral("残疾证", "残疾人联合会")
    ctx = Context(item_code=special)
    s = first("残疾证要交复印件还是原件", disabled, scores({BIRTH: 0.95}), {ITEM_NONE: 0.1}, context=ctx)
    assert not facts.item_mentions(special, "残疾证") and facts.item_mentions(special, "残疾人证")
    words = keyword_words(s, facts)
    assert words[0] == "残疾证" and "残疾人证" in words and "残联" not in words
    assert asks_the_items_requirement(s, facts)
    # where to get the paper itself, which the learned kind gives to the other department, stays a referral
    where = first("残疾证去哪儿办", disabled, scores({special: 0.97}), {ITEM_NONE: 0.2}, kind_probs=OTHER, context=ctx)
    assert not asks_the_items_requirement(where, facts)
    d = turn_away.referral(where, facts)
    assert d is not None and d.referral == disabled
