"""Round 11's follow-up rules, on invented guides and hand-built `Query`/`Scores` (no retrieval): the guide that
answered last keeps answering a follow-up that names no place while it has something to say for the asked field; a place
remembered from an earlier turn whose guide is silent yields to the asked sub-item's own guide elsewhere (a place named
in the message itself does not); a process step saying where to go answers "where"; a typed reply telling two
sub-items picks the one offered; a message stating the citizen's case is not answered by a FAQ entry."""

from __future__ import annotations

import datetime as dt
from typing import Any

from knowledge.answer import Choice, Context
from knowledge.decide.clarify_reply import clarify_reply
from knowledge.decide.faq_rule import states_the_case
from knowledge.decide.guide_select import GuideSelector, answers, process_says_where
from knowledge.decide.how_fallback import where_with_process
from knowledge.decide.item_decision import guide_hint
from knowledge.decide.model import Decision
from knowledge.decide.situation import Situation
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.schema import Aspect, Guide, ServiceItem, Source
from tests.support.decide import query, scores

OFFICIAL = Source(title="某区政务服务网", url="https://example.org/a", trust="official")
WEAK = Source(title="转载", url="https://example.org/b", trust="weak")


def _guide(gid: str, sub: str | None, region: str, **kw: Any) -> Guide:
    sources = kw.pop("sources", [OFFICIAL])
    return Guide(
        id=f"pet-cert.{gid}",
        sub_item=sub,
        region=region,
        national=False,
        sources=sources,
        last_verified=dt.date(2026, 1, 1),
        **kw,
    )


# An invented item: its reissue guide of 甲市 names only who issues it, 乙市's guide for both first issue and reissue
# gives an address, a reprint of unknown place tells where to go in its process, 丙县's notice says nothing.
JIA = _guide("g1-jia-reissue", "补办", "甲市", implementing_body="原发证单位", materials=[{"name": "遗失声明"}])
YI = _guide("g2-yi", "首次/补办", "乙市", location="乙市政务中心3号窗口", sources=[OFFICIAL])
REPRINT = _guide(
    "g3-reissue",
    "补办",
    "不详",
    process=["到现居住地的街道办事处申请办理"],
    materials=[{"name": "原证明材料"}],
    sources=[WEAK],
)
BING = _guide("g4-bing-notice", "补办公告", "丙县", notes="本县只受理补办。")
RENEWAL = _guide("g5-jia-renewal", "延续", "甲市", conditions=["有效期届满前申请"])
ITEM = ServiceItem(code="pet-cert", name="宠物证", category="测试", guides=[JIA, YI, REPRINT, BING, RENEWAL])


def _selector() -> GuideSelector:
    return GuideSelector(CueMatcher(load_lexicon()))


def test_the_guide_that_answered_last_keeps_answering_while_it_has_something_to_say() -> None:
    sel = _selector()
    # "找谁补" with nothing remembered: 乙市's guide states an address and wins on its own
    assert sel.choose(ITEM, Aspect.location, "补发", None).id == YI.id
    # after 甲市's reissue materials answered, its implementing body answers "where" for the same case
    assert sel.choose(ITEM, Aspect.location, "补发", None, prefer=JIA.id).id == JIA.id
    assert answers(JIA, Aspect.location) and not answers(BING, Aspect.materials)
    # a guide with nothing for the asked field is not kept
    assert sel.choose(ITEM, Aspect.fee, "补发", None, prefer=BING.id).id != BING.id
    # a guide written for another sub-item (a FAQ answer's renewal guide) does not bring its sub-item along
    assert not sel._continues(RENEWAL, Aspect.conditions, None)
    assert sel.choose(ITEM, Aspect.location, None, None, prefer=RENEWAL.id) == sel.choose(
        ITEM, Aspect.location, None, None
    )


def test_a_remembered_place_whose_guide_is_silent_yields_to_the_sub_items_own_guide() -> None:
    sel = _selector()
    # 丙县 remembered from an earlier turn, its notice lists no materials: the reissue guide that does answers
    chosen = sel.choose(ITEM, Aspect.materials, "补发", "丙县")
    assert chosen.id in (JIA.id, REPRINT.id)
    # 丙县 named in this very message: its own guide, which says what it leaves out
    assert sel.choose(ITEM, Aspect.materials, "补发", "丙县", region_named=True).id == BING.id


def test_a_process_step_saying_where_to_go_answers_where(facts) -> None:  # type: ignore[no-untyped-def]
    assert process_says_where(REPRINT) and not process_says_where(JIA)
    assert answers(REPRINT, Aspect.location)
    # on the curated catalog: 光荣证's reissue reprint states no place but its process says where to go
    code = "only-child-parents-honor-certificate"
    reprint = next(g for g in facts.catalog.item_by_code[code].guides if g.region == "不详")
    decision = Decision(
        kind="answer",
        rule="followup",
        item_code=code,
        aspects=(Aspect.location,),
        sub_item="补发",
        guide_hint=reprint.id,
    )
    assert where_with_process(decision, facts).aspects == (Aspect.location, Aspect.process)
    # asking two things, or a guide stating a place: left alone
    both = Decision(kind="answer", rule="followup", item_code=code, aspects=(Aspect.location, Aspect.fee))
    assert where_with_process(both, facts) is both


def test_the_conversations_guide_is_hinted_only_where_no_place_is_asked() -> None:
    ctx = Context(item_code="pet-cert", guide_id=JIA.id, aspect=Aspect.materials)
    assert guide_hint(Situation(query("找谁补"), scores({}), ctx), "pet-cert") == JIA.id
    assert guide_hint(Situation(query("乙市找谁补", region="乙市"), scores({}), ctx), "pet-cert") is None
    assert guide_hint(Situation(query("找谁补", region_hint="乙市"), scores({}), ctx), "pet-cert") is None
    assert guide_hint(Situation(query("找谁补"), scores({}), ctx), "another-item") is None


def test_a_reply_telling_two_sub_items_picks_the_one_offered(facts) -> None:  # type: ignore[no-untyped-def]
    code = "birth-medical-certificate"
    offered = [
        Choice(title="出生医学证明（首次签发）", item_code=code, sub_item="首次"),
        Choice(title="出生医学证明（补发）", item_code=code, sub_item="补发"),
    ]
    ctx = Context(item_code=code, aspect=Aspect.materials, choices=offered)
    # 搬家 tells 变更 (not offered), 不见了 tells 补发 (offered)
    reply = query("上个月搬家以后那个证就不见了", sub_item="变更")
    decision = clarify_reply(Situation(reply, scores({}), ctx), facts)
    assert decision is not None and decision.sub_item == "补发" and decision.aspects == (Aspect.materials,)
    # telling only a sub-item that was not offered picks nothing
    assert clarify_reply(Situation(query("我们搬家了", sub_item="变更"), scores({}), ctx), facts) is None


def test_a_message_stating_the_case_is_not_a_faq_question() -> None:
    ctx = Context(item_code="pet-cert", aspect=Aspect.materials)
    decision = Decision(kind="answer", rule="clarify_reply", item_code="pet-cert", sub_item="补发")
    story = Situation(query("以前领过，现在证找不着了"), scores({}), ctx)
    assert states_the_case(decision, story)
    asked = Situation(query("现在还能补吗", asks=True), scores({}), ctx)
    assert not states_the_case(decision, asked)
    assert not states_the_case(decision, Situation(query("以前领过，现在证找不着了"), scores({}), Context()))


def test_a_reply_telling_a_sub_item_the_clarify_did_not_offer_picks_the_items_own(facts) -> None:  # type: ignore[no-untyped-def]
    code = "birth-medical-certificate"  # its guides cover 首次, 补发 and 换发; a process clarify offered two of them
    offered = [
        Choice(title="出生医学证明（首次签发）", item_code=code, sub_item="首次"),
        Choice(title="出生医学证明（补发）", item_code=code, sub_item="补发"),
    ]
    ctx = Context(item_code=code, aspect=Aspect.process, choices=offered)
    reply = query("孩子证上的出生日期填错了", sub_item="换发")
    decision = clarify_reply(Situation(reply, scores({}), ctx), facts)
    assert decision is not None and decision.sub_item == "换发"
    # a clarify about how to go about it, answered by the citizen's case: what the case needs, then how it goes
    assert decision.aspects == (Aspect.materials, Aspect.process)
    # the clarify asked for the materials: the materials, as before
    by_materials = Context(item_code=code, aspect=Aspect.materials, choices=offered)
    decision = clarify_reply(Situation(reply, scores({}), by_materials), facts)
    assert decision is not None and decision.aspects == (Aspect.materials,)
