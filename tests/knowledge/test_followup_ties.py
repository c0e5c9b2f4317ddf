"""Round 9's follow-up ties (`knowledge/decide/followup_ties.py`) and the turn-away rules that use them, on hand-built
`Query` and `Scores` (no retrieval): mid-conversation, the learned other-department verdict alone does not turn away a
message tied to the conversation's item; a department word or another department's office keeps it; a need asked
A-not-A beside a keyword the item's guides use is the item's prerequisite."""

from __future__ import annotations

from dataclasses import replace

from knowledge.answer import Context
from knowledge.decide import followup_ties, turn_away
from knowledge.decide.situation import Situation
from knowledge.query.model import Query, Referral
from knowledge.schema import Aspect
from tests.support.decide import query, scores

AD = "medical-advertisement-review"
SEAL = "narcotic-drug-purchase-seal-card"
PLACE = "public-place-health-permit"  # its conditions list 公园、体育场(馆)
SPECIAL = "family-planning-special-assistance"  # its materials ask for 子女死亡证明
REWARD = "family-planning-reward-assistance"  # its conditions say 农业户口
BIRTH = "birth-medical-certificate"
NURSE = "nurse-practice-registration"
OTHER = ("other_department",)


def _english(text: str, **kw: object) -> Query:
    return Query(text=text, norm=text.lower(), language="en", **kw)  # type: ignore[arg-type]


def test_a_demonstrative_before_a_word_of_the_items_name_points_at_it(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("客户法务问这审查是依据哪部法规规定的", residue="客户法务审查部规定", asks=True, confident_kinds=OTHER)
    s = Situation(q, scores({"radiation-project-health-review": 0.963, AD: 0.928}), Context(item_code=AD))
    assert followup_ties.points_at_the_item(s, facts)
    assert turn_away.other_department(s, facts) is None  # the follow-up rule's
    card = query("有了这卡是不是哪儿的药商都能进货", residue="卡不药商进货", asks=True)
    assert followup_ties.points_at_the_item(Situation(card, scores({}), Context(item_code=SEAL)), facts)
    # the same words after another item name nothing of it; no conversation, no tie
    assert not followup_ties.points_at_the_item(Situation(q, scores({}), Context(item_code=SEAL)), facts)
    assert not followup_ties.points_at_the_item(Situation(q, scores({}), Context()), facts)
    alone = Situation(q, scores({}), Context())
    assert turn_away.other_department(alone, facts) is not None  # a first question: the head decides


def test_an_elliptical_x_ne_asks_the_conversations_question(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PLACE, aspect=Aspect.conditions)
    q = query("公园和体育馆呢", residue="公园体育馆", asks=True, confident_kinds=OTHER)
    s = Situation(q, scores({PLACE: 0.951}), ctx)
    assert followup_ties.elliptical_about(s, facts)
    assert turn_away.other_department(s, facts) is None
    # a question word of its own before 呢, an aspect cue, or a long message: not elliptical
    asked = query("公园要办吗呢", residue="公园", asks=True)
    assert not followup_ties.elliptical_about(Situation(asked, scores({}), ctx), facts)
    cue = query("公园要多久呢", aspect_cues=("多久",), aspects=(Aspect.time_limit,), asks=True)
    assert not followup_ties.elliptical_about(Situation(cue, scores({}), ctx), facts)
    long = query("我家楼下新开的那家健身房和旁边那个游泳馆的情况呢", asks=True)
    assert not followup_ties.elliptical_about(Situation(long, scores({}), ctx), facts)


def test_a_short_english_question_for_an_aspect_is_a_followup(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PLACE, aspect=Aspect.time_limit)
    q = _english(
        "where's the office",
        aspects=(Aspect.location,),
        aspect_cues=("where",),
        residue="'soffice",
        asks=True,
        confident_kinds=OTHER,
    )
    s = Situation(q, scores({"occupational-health-exam-institution-filing": 0.895, PLACE: 0.872}), ctx)
    assert followup_ties.short_english_aspect(s, facts)
    assert turn_away.other_department(s, facts) is None
    story = _english(
        "How can I get my foreign medical degree certified for further study at a Chinese university?",
        aspects=(Aspect.process,),
        aspect_cues=("how can i",),
        residue="getforeignmedicaldegreecertifiedfurtherstudychineseuniversity",
        asks=True,
        confident_kinds=OTHER,
    )
    assert turn_away.other_department(Situation(story, scores({PLACE: 0.88}), ctx), facts) is not None


def test_a_phrase_of_the_items_guides_in_a_short_message(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=SPECIAL, aspect=Aspect.conditions)
    q = query("还要开孩子的死亡证明吗", residue="开孩子死亡", asks=True, confident_kinds=OTHER)
    s = Situation(q, scores({NURSE: 0.954, SPECIAL: 0.951}), ctx)
    assert followup_ties.shared_phrase(s, facts) == "死亡证明"
    assert turn_away.other_department(s, facts) is None
    # a phrase of function characters is no tie ("需要办理"); a long story sharing one phrase is chance
    filler = query("这个需要办理吗", asks=True)
    assert followup_ties.shared_phrase(Situation(filler, scores({}), ctx), facts) is None
    story = query("我在医院住院期间手机和钱包被偷了，医院说监控坏了不管，我想报案，应该找哪里", asks=True)
    assert followup_ties.shared_phrase(Situation(story, scores({}), Context(item_code=BIRTH)), facts) is None


def test_a_department_word_or_another_departments_office_keeps_the_verdict(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PLACE, aspect=Aspect.conditions)
    which = query("那健身房和游泳馆呢，找哪个部门", residue="健身房游泳馆", asks=True, confident_kinds=OTHER)
    s = Situation(which, scores({PLACE: 0.95}), ctx)
    assert followup_ties.names_another_department(s, facts)
    assert not followup_ties.tied_to_the_item(s, facts)
    assert turn_away.other_department(s, facts) is not None
    office = query("那社保局呢", residue="社保局", asks=True, confident_kinds=OTHER)
    assert followup_ties.names_another_department(Situation(office, scores({}), ctx), facts)
    plain = query("公园和体育馆呢", residue="公园体育馆", asks=True)
    assert not followup_ties.names_another_department(Situation(plain, scores({}), ctx), facts)


def test_a_need_asked_a_not_a_beside_a_keyword_of_the_items_guides(facts) -> None:  # type: ignore[no-untyped-def]
    ref = Referral("户口", "公安机关")
    ctx = Context(item_code=REWARD, aspect=Aspect.process)
    q = query(
        "材料呢？户口本要不要",
        referral=ref,
        aspects=(Aspect.materials,),
        aspect_cues=("材料",),
        residue="户口本不",
        asks=True,
        question_clauses=("材料呢", "户口本要不要"),
    )
    s = Situation(q, scores({"only-child-parents-honor-certificate": 0.959, "premarital-medical-exam": 0.943}), ctx)
    assert turn_away._asked_whether_needed(s, facts)
    assert turn_away.referral(s, facts) is None  # the item's own requirement: the follow-up rule's
    # where to get the other service done asks no need; our item named as the paper is the other service's question
    where = query("上户口去哪办", referral=ref, aspects=(Aspect.location,), asks=True)
    assert turn_away.referral(Situation(where, scores({REWARD: 0.9}), ctx), facts) is not None
    paper = query("上户口要不要带出生医学证明", referral=ref, aspects=(Aspect.materials,), asks=True)
    named = scores({BIRTH: 1.1}, exact=(BIRTH,))
    assert not turn_away._asked_whether_needed(Situation(paper, named, Context(item_code=BIRTH)), facts)


def test_a_guide_label_covering_several_sub_items_is_kept_while_no_place_is_named(facts) -> None:  # type: ignore[no-untyped-def]
    from knowledge.decide.item_decision import context_sub_item

    label = "首次签发（机构内/机构外）、换发"
    ctx = Context(item_code=BIRTH, sub_item=label, aspect=Aspect.location)
    q = query("户口本要不要带", aspects=(Aspect.materials,), asks=True)
    assert context_sub_item(Situation(q, scores({}), ctx), facts, BIRTH) == label
    there = query("上海的要带啥", region="上海", aspects=(Aspect.materials,), asks=True)
    assert context_sub_item(Situation(there, scores({}), ctx), facts, BIRTH) is None  # a place named: its guides
    one = Context(item_code=NURSE, sub_item="（县级）护士执业注册")
    assert context_sub_item(Situation(q, scores({}), one), facts, NURSE) is None  # names no sub-item
    assert (
        context_sub_item(Situation(q, scores({}), Context(item_code=NURSE, sub_item="首次注册")), facts, NURSE)
        == "首次"
    )


def test_a_switch_word_with_another_item_found_confidently_ends_the_followup(facts) -> None:  # type: ignore[no-untyped-def]
    from knowledge.decide import followup

    ctx = Context(item_code=REWARD, aspect=Aspect.conditions)
    q = query(
        "孩子残疾了的那种扶助是另外一个吧，条件是啥",
        aspects=(Aspect.conditions,),
        aspect_cues=("条件",),
        residue="孩子残疾种扶助另外",
        asks=True,
    )
    found = scores({SPECIAL: 0.99, REWARD: 0.94})
    assert followup.followup(Situation(q, found, ctx), facts) is None  # the later rules answer 特别扶助
    weak = scores({SPECIAL: facts.tuning.no_answer_below - 0.02, REWARD: 0.94})
    assert followup.followup(Situation(q, weak, ctx), facts) is not None  # nothing found confidently: stays
    same = query("条件是啥", aspects=(Aspect.conditions,), aspect_cues=("条件",), asks=True)
    assert followup.followup(Situation(same, found, ctx), facts) is not None  # no switch word: the follow-up's


def test_another_departments_office_turns_away_a_message_tied_to_the_item(facts) -> None:  # type: ignore[no-untyped-def]
    """Round 16: "我们药店卖的药想打广告，也是你们审吗" after 医疗广告审查: pointing back (你们) and
    retrieval's lead on the conversation's item keep an ordinary follow-up, but an office of another department
    (药店, 药监's) that the item's guides never name keeps the learned verdict, and the no-answer names that
    office's department."""
    ctx = Context(item_code=AD, aspect=Aspect.fee)
    text = "我们药店卖的药想打广告，也是你们审吗"
    drug = query(text, residue="们药店卖药打广告们审", asks=True, refers_back=True, confident_kinds=OTHER)
    s = Situation(drug, scores({AD: 1.03, SEAL: 0.9}), ctx)
    assert not facts.item_mentions(AD, "药店")
    agency = followup_ties.agency_named(s, facts)
    assert agency is not None and agency.keyword == "药店" and "药品监督" in agency.department
    d = turn_away.other_department(s, facts)
    assert d is not None and d.kind == "no_answer" and d.referral == agency
    # the same words with no office named: tied to the item by pointing back, left to the follow-up rule
    plain = query("我们的也是你们审吗", residue="们们审", asks=True, refers_back=True, confident_kinds=OTHER)
    assert turn_away.other_department(Situation(plain, scores({AD: 1.03, SEAL: 0.9}), ctx), facts) is None
    # the learned kind not confident of another department: the office alone turns nothing away
    unsure = query(text, residue="们药店卖药打广告们审", asks=True, refers_back=True)
    assert turn_away.other_department(Situation(unsure, scores({AD: 1.03}), ctx), facts) is None


def test_a_message_saying_only_the_keyword_asks_for_the_items_paper(facts) -> None:  # type: ignore[no-untyped-def]
    """Round 16: "残疾证要原件吗" after 特别扶助 (its guides: 《中华人民共和国残疾人证》): nothing beyond the
    keyword and cue words, a materials question, retrieval leading with another item: the item's requirement, not
    the 残联 referral. Where to get the paper, or a word beside the keyword ("上户口要带什么材料": the errand),
    stays the referral."""
    ref = Referral("残疾证", "残疾人联合会")
    ctx = Context(item_code=SPECIAL, aspect=Aspect.materials)
    elsewhere = scores({BIRTH: 0.96, REWARD: 0.95})
    q = query("残疾证要原件吗", referral=ref, aspects=(Aspect.materials,), residue="残疾", asks=True)
    q = replace(q, confident_kinds=OTHER)
    s = Situation(q, elsewhere, ctx)
    assert turn_away._says_only_the_keyword(s, facts)
    assert turn_away.referral(s, facts) is None
    where = query("残疾证去哪办", referral=ref, aspects=(Aspect.location,), residue="残疾", asks=True)
    where = replace(where, confident_kinds=OTHER)
    assert turn_away.referral(Situation(where, elsewhere, ctx), facts) is not None
    hukou = Referral("户口", "公安机关")
    errand = query("上户口要带什么材料", referral=hukou, aspects=(Aspect.materials,), residue="上户口", asks=True)
    e = Situation(errand, elsewhere, Context(item_code=BIRTH))
    assert not turn_away._says_only_the_keyword(e, facts)
    assert turn_away.referral(e, facts) is not None
    # the same words as a first question: no conversation item, the keyword decides
    assert turn_away.referral(Situation(q, elsewhere, Context()), facts) is not None
