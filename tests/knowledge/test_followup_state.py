"""Round 7's conversation-state rules on hand-built `Query` and `Scores` (no retrieval): a guide's label is not a
sub-item the citizen chose, a place's guide for the whole item answers there, an elliptical switch to an item named
in part, a policy word is no name fragment, and the turn-away rules leave a conversation's own questions alone."""

from __future__ import annotations

from knowledge.answer import Context
from knowledge.decide import followup, turn_away
from knowledge.decide.situation import Situation
from knowledge.query.model import Referral
from knowledge.retrieve.protocol import Scores
from knowledge.schema import Aspect
from tests.support.decide import query, scores

NURSE = "nurse-practice-registration"
SETUP = "medical-institution-setup-approval"
PRACTICE = "medical-institution-practice-registration"
PLACE = "public-place-health-permit"
SEAL = "narcotic-drug-purchase-seal-card"


def test_a_guides_label_is_not_a_sub_item_the_citizen_chose(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("那边呢", region="苏仙", residue="")
    chosen = Context(item_code=NURSE, aspect=Aspect.time_limit, sub_item="首次注册")
    d = followup.followup(Situation(q, scores({NURSE: 0.99}), chosen), facts)
    assert d is not None and d.sub_item == "首次"  # a label naming a sub-item: its canonical word
    label = Context(item_code=NURSE, aspect=Aspect.time_limit, sub_item="（县级）护士执业注册")
    d = followup.followup(Situation(q, scores({NURSE: 0.99}), label), facts)
    assert d is not None and d.sub_item is None  # a county guide's label pins nothing


def test_the_asked_places_guide_for_the_whole_item_answers_there(facts, catalog) -> None:  # type: ignore[no-untyped-def]
    nurse = catalog.item_by_code[NURSE]
    guide = facts.selector.choose(nurse, Aspect.time_limit, "首次", "苏仙")
    assert "苏仙" in guide.region  # above the national first-registration guide
    assert "全国" in facts.selector.choose(nurse, Aspect.time_limit, "首次", None).region  # no place: the sub-item's
    # nothing to ask there: the place's guide covers every sub-item
    assert facts.selector.differing_sub_items(nurse, (Aspect.materials,), "韶山") == []
    assert facts.selector.differing_sub_items(nurse, (Aspect.materials,), None) != []


def test_an_elliptical_switch_to_an_item_named_in_part_keeps_the_aspect(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PRACTICE, aspect=Aspect.time_limit)
    q = query("前面那个设置审批呢", residue="前面设置", refers_back=True, asks=True)
    d = followup.followup(Situation(q, scores({SETUP: 1.05, PRACTICE: 0.92}, named=(SETUP,)), ctx), facts)
    assert d is not None and (d.item_code, d.aspects) == (SETUP, (Aspect.time_limit,))
    # not named even in part, or asking an aspect of its own: not this rule
    assert followup._elliptical_switch(Situation(q, scores({SETUP: 1.05, PRACTICE: 0.92}), ctx), facts) is False
    own = query("设置审批要什么材料", aspects=(Aspect.materials,), residue="设置")
    assert followup._elliptical_switch(Situation(own, scores({SETUP: 1.05}, named=(SETUP,)), ctx), facts) is False


def test_a_policy_word_is_not_a_fragment_of_another_items_name(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PRACTICE, aspect=Aspect.time_limit)
    q = query("承诺时限呢", aspects=(Aspect.time_limit,), residue="承诺", policy_cues=("承诺",), asks=True)
    d = followup.followup(Situation(q, scores({PLACE: 0.95, PRACTICE: 0.90}), ctx), facts)
    assert d is not None and d.item_code == PRACTICE


def test_a_story_beside_a_question_about_the_item_is_not_a_referral(facts) -> None:  # type: ignore[no-untyped-def]
    ref = Referral("酒驾", "公安交通管理部门（交警）")
    story = query(
        "我以前酒驾被判过刑，去年刚执行完，还能注册吗", referral=ref, question_clauses=("还能注册吗",), asks=True
    )
    ctx = Context(item_code=NURSE, aspect=Aspect.time_limit)
    assert turn_away.referral(Situation(story, scores({NURSE: 0.9}), ctx), facts) is None
    assert turn_away.referral(Situation(story, scores({NURSE: 0.9}), Context()), facts) is not None  # no conversation
    asked = query(
        "顺便问下酒驾怎么处理，还能注册吗", referral=ref, question_clauses=("顺便问下酒驾怎么处理", "还能注册吗")
    )
    assert turn_away.referral(Situation(asked, scores({NURSE: 0.9}), ctx), facts) is not None  # the keyword is asked


def test_the_learned_kind_does_not_turn_away_what_finds_the_conversations_item(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("办好后凭卡去哪里买药", residue="好后凭卡买药", confident_kinds=("other_department",), asks=True)
    ctx = Context(item_code=SEAL, aspect=Aspect.overview)
    assert turn_away.other_department(Situation(q, scores({SEAL: 0.985, PLACE: 0.95}), ctx), facts) is None
    weak = facts.tuning.no_answer_below - 0.01
    assert turn_away.other_department(Situation(q, scores({SEAL: weak}), ctx), facts) is not None
    assert turn_away.other_department(Situation(q, scores({PLACE: 0.99, SEAL: 0.98}), ctx), facts) is not None


def test_an_item_asked_under_the_cited_policy_gets_the_point_relating_to_it(facts) -> None:  # type: ignore[no-untyped-def]
    from knowledge.decide.topic import policy_followup

    cited = Context(policy_id="shanghai-2024-business-env-points.p08")
    q = query("医美门诊部也能这样吗", refers_back=True, asks=True)
    # another point of the document names the item too and scores higher: the cited point's topic (一业一证) wins
    named = Scores(
        items={"medical-cosmetology": 1.0},
        points={"shanghai-2024-business-env-points.p07": 0.80, "shanghai-2024-business-env-points.p17": 0.90},
        named={"medical-cosmetology": 1.0},
        exact=frozenset({"medical-cosmetology"}),
    )
    d = policy_followup(Situation(q, named, cited), facts)
    assert d is not None and (d.rule, d.policy_id) == ("policy_followup", "shanghai-2024-business-env-points.p07")
    plain = query("医美门诊部要什么材料", aspects=(Aspect.materials,), aspect_cues=("材料",), asks=True)
    assert policy_followup(Situation(plain, named, cited), facts) is None  # asks for part of its guide
    unrelated = scores({"free-contraceptives": 1.0}, exact=("free-contraceptives",))
    assert policy_followup(Situation(q, unrelated, cited), facts) is None  # the document does not concern it
