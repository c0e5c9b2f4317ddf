"""Round 14's rules on hand-built `Query`/`Scores` (no retrieval).

A situation the citizen tells settles the sub-item where the item has it (passed the exam: 首次; the
certificate about to run out: 延续; an entry printed wrong: 换发), in a first question, in a typed reply to a
clarify and in a follow-up; a negated case ("不是第一次办了 是…") tells nothing. A materials question listing
common papers, or a short field question naming no item, keeps the conversation's item. The cross-province
service in the citizen's words is that policy, its point the one relating to the conversation's item.
Sub-items whose guides state the same figures (or cite the same documents) in other words are not asked about.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from knowledge.answer import Choice, Context
from knowledge.decide.clarify_reply import clarify_reply
from knowledge.decide.field_agreement import say_the_same, terms
from knowledge.decide.followup import _asks_only_a_field, _lists_common_papers, followup
from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.rules import decide, policy
from knowledge.decide.situation import Situation
from knowledge.decide.told_case import new_case_told, told_sub_item
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.schema import Aspect, Guide, ServiceItem, Source
from tests.support.decide import query, scores

NURSE = "nurse-practice-registration"
BIRTH = "birth-medical-certificate"
REWARD = "family-planning-reward-assistance"
HONOR = "only-child-parents-honor-certificate"
PREMARITAL = "premarital-medical-exam"

PASSED = "卫校三年读完了，上个月资格考试的分数也出来过线了，接下来想去医院上岗，要带哪些东西"
EXPIRING = "她那个证明年一月份就满五年了"
MISPRINTED = "不是第一次办了 是医院打证的时候把孩子爸爸的名字打成同音字了"


def _cues() -> CueMatcher:
    return CueMatcher(load_lexicon())


@pytest.mark.parametrize(
    ("text", "told"),
    [
        (PASSED, ("首次",)),
        ("她考试是两年半以前过的 现在才申请晚不晚", ("首次",)),
        ("she passed the national nursing exam and has never registered anywhere before", ("首次",)),
        ("我们厂生产家用净水器的滤芯 产品上市前要拿卫健的批件吗", ("首次",)),
        (EXPIRING, ("延续",)),
        ("护士证过期了怎么续阿", ("延续",)),
        (MISPRINTED, ("换发",)),
        ("考试报名在几月份", ()),  # an exam, nothing passed
        ("满五年了", ()),  # a term, but of no certificate
        ("护士执业注册需要什么材料", ()),
    ],
)
def test_told_situations_in_the_shipped_lexicon(text: str, told: tuple[str, ...]) -> None:
    assert _cues().situations_in(text) == told


def test_a_negated_case_ends_at_a_space_and_tells_nothing() -> None:
    cues = _cues()
    assert cues.sub_item(MISPRINTED) is None  # "不是第一次办了" is what the case is NOT
    assert cues.sub_item("是第一次办") == "首次"
    assert cues.situations_in("不是考试过了才来的，是来补证的") == ()


def test_a_told_case_counts_only_for_an_item_that_has_it(facts) -> None:  # type: ignore[no-untyped-def]
    assert told_sub_item(facts, NURSE, query(PASSED)) == "首次"
    assert told_sub_item(facts, NURSE, query(EXPIRING)) == "延续"
    assert told_sub_item(facts, BIRTH, query(EXPIRING)) is None  # 出生医学证明 has no renewal
    assert told_sub_item(facts, BIRTH, query(MISPRINTED)) == "换发"
    both = query("考试过了，证明年就满五年了")  # two cases told: none settled
    assert told_sub_item(facts, NURSE, both) is None
    assert told_sub_item(facts, "no-such-item", query(PASSED)) is None


def test_a_first_question_telling_its_case_is_answered_not_asked(facts) -> None:  # type: ignore[no-untyped-def]
    found = scores({NURSE: 0.99, BIRTH: 0.95})
    told = query(PASSED, aspects=(Aspect.materials,), asks=True, residue="卫校读完考试分数线上岗")
    decision = decide(Situation(told, found, Context()), facts)
    assert decision.kind == "answer" and decision.item_code == NURSE and decision.sub_item == "首次"
    general = query("护士证要带哪些东西", aspects=(Aspect.materials,), asks=True, residue="护士")
    asked = decide(Situation(general, found, Context()), facts)
    assert asked.kind == "clarify" and asked.rule == "clarify_sub_item"  # no case told: still asked


def test_a_typed_reply_telling_a_misprint_picks_the_replacement(facts) -> None:  # type: ignore[no-untyped-def]
    offered = [
        Choice(title="出生医学证明（首次签发）", item_code=BIRTH, sub_item="首次"),
        Choice(title="出生医学证明（补发）", item_code=BIRTH, sub_item="补发"),
    ]
    ctx = Context(item_code=BIRTH, aspect=Aspect.process, choices=offered)
    reply = query(MISPRINTED, residue="医院打时候把孩子爸爸名字打成同音字")
    d = clarify_reply(Situation(reply, scores({BIRTH: 0.96}), ctx), facts)
    assert d is not None and d.sub_item == "换发" and d.aspects == SUB_ITEM_HOW
    # the guide's words (医院 …) do not turn a reply that asks nothing into a question about a field
    full = decide(Situation(reply, scores({BIRTH: 0.96}), ctx), facts)
    assert full.sub_item == "换发" and full.aspects == SUB_ITEM_HOW


def test_a_followup_telling_another_case_asks_what_that_case_needs(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, sub_item="变更", aspect=Aspect.time_limit)
    told = query("她们证上到明年三月就满五年了 到时候又是什么手续", asks=True, residue="她们上明年三月满五年时候手续")
    situation = Situation(told, scores({NURSE: 0.98, BIRTH: 0.96}), ctx)
    assert new_case_told(situation, facts, NURSE)
    d = decide(situation, facts)
    assert d.item_code == NURSE and d.sub_item == "延续" and d.aspects == SUB_ITEM_HOW
    # the same case as the conversation's, or a field asked: the usual follow-up
    same = Context(item_code=NURSE, sub_item="延续", aspect=Aspect.time_limit)
    assert not new_case_told(Situation(told, scores({NURSE: 0.98}), same), facts, NURSE)
    asks = query("满五年了要交什么材料", aspects=(Aspect.materials,), asks=True)
    assert not new_case_told(Situation(asks, scores({NURSE: 0.98}), ctx), facts, NURSE)


def test_common_papers_in_a_materials_question_keep_the_conversations_item(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=REWARD, sub_item="资格确认", aspect=Aspect.conditions)
    papers = query(
        "身份证户口本结婚证这些肯定要 除了这些还要啥",
        aspects=(Aspect.materials,),
        asks=True,
        residue="身份户口本结婚肯定除",
    )
    found = scores({HONOR: 0.996, PREMARITAL: 0.968, BIRTH: 0.935})
    assert _lists_common_papers(Situation(papers, found, ctx), facts)
    d = followup(Situation(papers, found, ctx), facts)
    assert d is not None and d.item_code == REWARD
    named = scores({HONOR: 0.996, REWARD: 0.9}, named=(HONOR,))  # another item named in part: not this rule's
    assert not _lists_common_papers(Situation(papers, named, ctx), facts)
    not_materials = query("身份证户口本结婚证这些都在 办下来要多久", aspects=(Aspect.time_limit,), asks=True)
    assert not _lists_common_papers(Situation(not_materials, found, ctx), facts)


def test_a_short_field_question_naming_nothing_keeps_the_conversations_item(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PREMARITAL, sub_item="免费婚检", aspect=Aspect.fee)
    short = query("去的时候身上要揣哪几样证件", aspects=(Aspect.materials,), asks=True, residue="时候身上揣")
    far = scores({HONOR: 0.968, BIRTH: 0.948, NURSE: 0.892})  # the conversation's item not even among the best
    assert _asks_only_a_field(Situation(short, far, ctx), facts)
    d = followup(Situation(short, far, ctx), facts)
    assert d is not None and d.item_code == PREMARITAL and d.aspects == (Aspect.materials,)
    named = scores({HONOR: 0.968, BIRTH: 0.948}, named=(HONOR,))
    assert not _asks_only_a_field(Situation(short, named, ctx), facts)
    long = query("我们村里那个老爷子他们家两口子想问问要带哪几样证件去乡里", aspects=(Aspect.materials,), asks=True)
    assert not _asks_only_a_field(Situation(long, far, ctx), facts)
    no_field = query("去的时候身上要揣啥呢", asks=True, residue="时候身上揣")
    assert not _asks_only_a_field(Situation(no_field, far, ctx), facts)


def test_the_cross_province_service_in_the_citizens_words() -> None:
    aliases = load_lexicon().policy_cues.aliases
    assert aliases["跨省一起办"] == aliases["异地一起办"] == "跨省通办"


def test_among_cited_points_the_one_relating_to_the_conversations_item(facts) -> None:  # type: ignore[no-untyped-def]
    shanghai, siping = "shanghai-2024-business-env-points.p10", "siping-business-env-plan.p02"
    ctx = Context(item_code=BIRTH, aspect=Aspect.overview)
    asked = query(
        "我老婆户口在苏州 我们在上海生 能跨省一起办吗",
        aspects=(Aspect.conditions,),
        asks=True,
        policy_names=("跨省通办",),
        policy_cues=("跨省通办",),
    )
    found = scores({HONOR: 0.93, BIRTH: 0.92}, points={siping: 0.95, shanghai: 0.90})
    d = policy(Situation(asked, found, ctx), facts)
    assert d is not None and d.policy_id == shanghai
    no_item = policy(Situation(asked, found, Context()), facts)  # no conversation: the best scoring point
    assert no_item is not None and no_item.policy_id == siping


OFFICIAL = Source(title="某区政务服务网", url="https://example.org/a", trust="official")


def _guide(gid: str, sub: str, **kw: Any) -> Guide:
    return Guide(
        id=f"pet-cert.{gid}",
        sub_item=sub,
        region="全国",
        national=True,
        sources=[OFFICIAL],
        last_verified=dt.date(2026, 1, 1),
        **kw,
    )


def test_the_same_figures_in_other_words_are_one_answer() -> None:
    assert terms("护士执业注册有效期为5年", Aspect.validity) == {"5年"}
    assert say_the_same(["护士执业注册有效期为5年", "延续执业注册有效期为5年", "", None], Aspect.validity)
    assert not say_the_same(["有效期为5年", "有效期为3年"], Aspect.validity)
    assert not say_the_same(["20个工作日", "7个工作日"], Aspect.time_limit)
    assert not say_the_same(["有效期为5年", "长期有效"], Aspect.validity)  # one states no figure: they differ
    assert not say_the_same(["有效期为5年"], Aspect.validity)  # one text alone agrees with nothing
    assert say_the_same(
        ["《护士条例》第七条；《护士执业注册管理办法》", "《护士条例》第十条；《护士执业注册管理办法》"], Aspect.basis
    )
    assert not say_the_same(["身份证；照片", "身份证；照片"], Aspect.materials)  # lists are compared as texts


def test_sub_items_stating_the_same_figures_are_not_asked_about() -> None:
    first = _guide("g1-first", "首次", validity="首次注册有效期为5年", statutory_time_limit="20个工作日")
    renew = _guide("g2-renew", "延续", validity="延续注册有效期为5年", statutory_time_limit="7个工作日")
    item = ServiceItem(code="pet-cert", name="宠物证", category="测试", guides=[first, renew])
    selector = GuideSelector(CueMatcher(load_lexicon()))
    assert selector.differing_sub_items(item, (Aspect.validity,), None) == []
    assert [c for c, _ in selector.differing_sub_items(item, (Aspect.time_limit,), None)] == ["首次", "延续"]
