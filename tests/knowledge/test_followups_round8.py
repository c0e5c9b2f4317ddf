"""Round 8's follow-up rules on hand-built `Query` and `Scores` (no retrieval): a place asked for whose guide the item
lacks, another item named in part inside a follow-up, and referral keywords the conversation's item owns."""

from __future__ import annotations

from knowledge.answer import Context
from knowledge.decide import followup, item_decision, rules, turn_away
from knowledge.decide.region_guide import asks_for_the_guide
from knowledge.decide.situation import Situation
from knowledge.query.model import Query, Referral
from knowledge.schema import Aspect
from tests.support.decide import query, scores

AD = "medical-advertisement-review"  # guides of 益阳 only
SETUP = "medical-institution-setup-approval"
PRACTICE = "medical-institution-practice-registration"
FOREIGN = "foreign-physician-short-term-practice"  # its guides ask for 入境签证
HONOR = "only-child-parents-honor-certificate"  # its guides list 户口簿
PLACE = "public-place-health-permit"
BIRTH = "birth-medical-certificate"
MATERNAL = "maternal-infant-health-technical-service-permit"


def test_asking_for_a_places_guide_the_item_lacks_says_so(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=AD, aspect=Aspect.time_limit)
    q = query("我是广州的诊所，广州那边的指南有吗", region="广州", residue="诊所边指南", asks=True)
    d = followup.followup(Situation(q, scores({PLACE: 0.975, AD: 0.9}), ctx), facts)
    assert d is not None and (d.kind, d.rule, d.item_code, d.region) == (
        "no_answer",
        "region_without_guide",
        AD,
        "广州",
    )
    there = query("益阳的指南有没有", region="益阳", residue="指南", asks=True)
    d = followup.followup(Situation(there, scores({AD: 0.97}), ctx), facts)
    assert d is not None and (d.kind, d.item_code) == ("answer", AD)  # the place has one: it answers
    part = query("广州那边要多久", region="广州", aspects=(Aspect.time_limit,), aspect_cues=("多久",), asks=True)
    d = followup.followup(Situation(part, scores({AD: 0.97}), ctx), facts)
    assert d is not None and d.kind == "answer"  # part of the guide: the nearest guide, with its notice


def test_what_asks_for_the_guide_itself() -> None:
    assert asks_for_the_guide("杭州的指南有没有", has_aspect_cue=False)
    assert asks_for_the_guide("杭州有没有", has_aspect_cue=False)
    assert not asks_for_the_guide("杭州有没有收费", has_aspect_cue=True)  # asks for part of it
    assert not asks_for_the_guide("杭州那边呢", has_aspect_cue=False)


def test_another_item_named_in_part_inside_a_followup_ends_it(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=SETUP, aspect=Aspect.time_limit)
    q = query(
        "批了以后执业登记又要多久", aspects=(Aspect.time_limit,), aspect_cues=("多久",), residue="批后执业", asks=True
    )
    named = scores({PRACTICE: 1.075, AD: 0.94, SETUP: 0.93}, named=(PRACTICE,))
    assert followup.followup(Situation(q, named, ctx), facts) is None  # a new question about that item
    d = rules.decide(Situation(q, named, ctx), facts)
    assert (d.rule, d.item_code, d.aspects) == ("best_item", PRACTICE, (Aspect.time_limit,))
    weak = scores({PRACTICE: facts.tuning.no_answer_below - 0.01, SETUP: 0.9}, named=(PRACTICE,))
    assert followup._another_item_named_in_part(Situation(q, weak, ctx), facts) is False  # not found confidently
    both = scores({PRACTICE: 1.075, SETUP: 1.0}, named=(PRACTICE, SETUP))
    assert followup._another_item_named_in_part(Situation(q, both, ctx), facts) is False  # its own item named too
    policy = Query(**{**q.__dict__, "policy_cues": ("承诺",)})
    assert followup._another_item_named_in_part(Situation(policy, named, ctx), facts) is False


def test_a_keyword_told_beside_a_spaced_question_is_no_referral(facts) -> None:  # type: ignore[no-untyped-def]
    ref = Referral("户口", "公安机关")
    ctx = Context(item_code=HONOR, aspect=Aspect.materials)
    told = query("我户口在云南禄丰 还能新办不", referral=ref, asks=True, region="云南")
    assert turn_away.referral(Situation(told, scores({HONOR: 0.985}), ctx), facts) is None
    asked = query("上户口去哪办 要带啥", referral=ref, asks=True, aspects=(Aspect.location,))
    assert turn_away.referral(Situation(asked, scores({HONOR: 0.9}), ctx), facts) is not None  # the keyword is asked


def test_a_keyword_beside_a_question_is_a_referral_where_the_learned_kind_is_sure_of_another_department(facts) -> None:  # type: ignore[no-untyped-def]
    """After 光荣证, "补回来以后退休金能多算多少，是社保那边管吧": the 吧 confirmation asks nothing by the question
    words, yet the learned kind is sure the pension is another department's matter: the referral, not our story."""
    ref = Referral("社保", "人力资源和社会保障部门")
    ctx = Context(item_code=HONOR, aspect=Aspect.materials)
    text = "补回来以后退休金能多算多少，是社保那边管吧"
    clauses = ("补回来以后退休金能多算多少",)
    story = query(text, referral=ref, asks=True, question_clauses=clauses)
    assert turn_away.referral(Situation(story, scores({HONOR: 0.95}), ctx), facts) is None  # told beside a question
    sure = query(text, referral=ref, asks=True, question_clauses=clauses, confident_kinds=("other_department",))
    d = turn_away.referral(Situation(sure, scores({HONOR: 0.95}), ctx), facts)
    assert d is not None and (d.kind, d.rule) == ("no_answer", "referral")


def test_a_requirement_the_conversations_item_names_is_no_referral(facts) -> None:  # type: ignore[no-untyped-def]
    visa = Referral("visa", "公安机关")
    ctx = Context(item_code=FOREIGN, aspect=Aspect.materials)
    q = Query(
        text="Does the doctor need a visa before applying?",
        norm="does the doctor need a visa before applying?",
        language="en",
        aspects=(Aspect.conditions,),
        referral=visa,
        asks=True,
    )
    assert turn_away.referral(Situation(q, scores({FOREIGN: 0.924, PLACE: 0.9}), ctx), facts) is None
    assert turn_away.referral(Situation(q, scores({PLACE: 0.95, FOREIGN: 0.924}), ctx), facts) is not None  # not best
    where = Query(**{**q.__dict__, "aspects": (Aspect.location,)})  # where to get one: the other department's
    assert turn_away.referral(Situation(where, scores({FOREIGN: 0.95}), ctx), facts) is not None
    assert turn_away.referral(Situation(q, scores({FOREIGN: 0.95}), Context()), facts) is not None  # no conversation


def test_the_no_answer_for_a_place_names_it_and_keeps_the_item(facts, catalog) -> None:  # type: ignore[no-untyped-def]
    from knowledge.compose.answer import Composer
    from knowledge.decide.model import Decision

    composer = Composer(catalog, facts.selector, helpline="12345", deployment_region=None)
    decision = Decision(kind="no_answer", rule="region_without_guide", item_code=AD, region="广州", region_named=True)
    answer = composer.compose(decision, query("广州那边的指南有吗", region="广州"), scores({AD: 0.9}))
    assert answer.kind == "no_answer" and answer.item is not None and answer.item.code == AD
    assert "广州" in answer.text and "医疗广告" in answer.text and answer.region_asked is None


def test_a_chosen_sub_item_answered_by_a_guide_covering_several_stays_chosen(facts, catalog) -> None:  # type: ignore[no-untyped-def]
    from knowledge.compose.answer import Composer

    composer = Composer(catalog, facts.selector, helpline="12345", deployment_region=None)
    guide = next(g for g in catalog.item_by_code[BIRTH].guides if g.sub_item and "、换发" in g.sub_item)
    assert composer._answered_sub_item(guide, "换发") == "换发"  # the button's choice, for the next question
    assert composer._answered_sub_item(guide, None) == facts.selector.cues.canonical_sub_item(guide.sub_item)
    assert composer._answered_sub_item(guide, "注销") == facts.selector.cues.canonical_sub_item(guide.sub_item)


def test_the_national_rule_asked_for_gets_the_national_guide(facts, catalog) -> None:  # type: ignore[no-untyped-def]
    from knowledge.decide.guide_select import NATIONAL, names_the_nation

    assert names_the_nation("国家规定审批时限是多少") and not names_the_nation("深圳审批时限是多少")
    ctx = Context(item_code=MATERNAL, aspect=Aspect.materials)
    q = query(
        "国家规定审批时限是多少", aspects=(Aspect.time_limit,), aspect_cues=("时限",), region_hint="深圳", asks=True
    )
    d = followup.followup(Situation(q, scores({MATERNAL: 0.97}), ctx), facts)
    assert d is not None and d.region == NATIONAL and not d.region_named
    guide = facts.selector.choose(catalog.item_by_code[MATERNAL], Aspect.time_limit, None, d.region)
    assert guide.national  # not 深圳's, which the dialogue remembered
    named = query("深圳的国家规定呢", region="深圳", asks=True)
    assert item_decision.region_of(named) == "深圳"  # a place named in the message wins
