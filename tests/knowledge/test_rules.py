"""Each decision rule on hand-built `Query` and `Scores`: no embedding, no BM25, no retrieval at all."""

from __future__ import annotations

import pytest

from knowledge.answer import Context
from knowledge.decide import followup, rules, turn_away
from knowledge.decide.guide_select import GuideSelector
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Query, Referral
from knowledge.retrieve.protocol import Scores
from knowledge.schema import Aspect
from tests.support.decide import query, scores

NURSE = "nurse-practice-registration"
DOCTOR = "physician-practice-registration"
PLACE = "public-place-health-permit"
WATER = "water-supply-unit-permit"
PREMARITAL = "premarital-medical-exam"


def run(facts: Facts, q: Query, s: Scores, ctx: Context | None = None):  # type: ignore[no-untyped-def]
    return decide(Situation(q, s, ctx or Context()), facts)


def test_referral_names_the_department_unless_an_item_of_ours_is_named(facts) -> None:  # type: ignore[no-untyped-def]
    ref = Referral("公积金", "住房公积金管理中心")
    d = run(facts, query(referral=ref, aspects=(Aspect.materials,)), scores({NURSE: 0.99}))
    assert (d.kind, d.rule, d.referral) == ("no_answer", "referral", ref)
    d = run(facts, query(referral=ref), scores({NURSE: 0.99}, exact=(NURSE,)))
    # not turned away: our item (only named, so round 14's general-question rule asks which sub-item)
    assert d.kind in ("answer", "clarify") and d.rule != "referral" and d.item_code == NURSE


def test_predicted_other_department_is_turned_away_in_one_place(facts) -> None:  # type: ignore[no-untyped-def]
    q = query(
        kind="other_department", kind_source="predictor", residue="车辆年审", confident_kinds=("other_department",)
    )
    d = turn_away.other_department(Situation(q, scores({NURSE: 0.99}), Context()), facts)
    assert d is not None and d.kind == "no_answer" and d.referral is None and d.rule == "other_department"
    assert run(facts, q, scores({NURSE: 0.99}), Context()).rule == "other_department"
    # below its calibrated threshold (not among the confident kinds) the kind does not turn anything away
    unsure = query(kind="other_department", kind_source="predictor", residue="车辆年审")
    assert turn_away.other_department(Situation(unsure, scores({NURSE: 0.99}), Context()), facts) is None
    # a follow-up saying nothing beyond cue words stays on the conversation's item
    short = query("那要多久", aspects=(Aspect.time_limit,), residue="", confident_kinds=("other_department",))
    ctx = Context(item_code=NURSE)
    assert turn_away.other_department(Situation(short, scores({NURSE: 0.99}), ctx), facts) is None
    # a new question mid-conversation that says more is still turned away
    long = query(
        "那驾驶证换证要多久", aspects=(Aspect.time_limit,), residue="驾驶证换证", confident_kinds=("other_department",)
    )
    assert turn_away.other_department(Situation(long, scores({NURSE: 0.9}), ctx), facts) is not None


def test_a_referral_keyword_beside_an_item_named_in_passing(facts) -> None:  # type: ignore[no-untyped-def]
    ref = Referral("户口", "公安机关")
    named = scores({NURSE: 0.99}, exact=(NURSE,))
    plain = query("护士执业注册和户口有关吗", referral=ref)
    assert turn_away.referral(Situation(plain, named, Context()), facts) is None  # the item named wins
    sure = query("护士证拿到了，户口迁移去哪", referral=ref, confident_kinds=("other_department",))
    d = turn_away.referral(Situation(sure, named, Context()), facts)
    assert d is not None and d.referral == ref


@pytest.mark.parametrize(
    ("q", "aspects"),
    [
        (query("那要多久？", aspects=(Aspect.time_limit,), residue=""), (Aspect.time_limit,)),
        (query("办下来大概得等上多长时间啊", aspects=(Aspect.time_limit,), residue="大概等上"), (Aspect.time_limit,)),
        (query("这个呢", residue=""), (Aspect.materials,)),  # no aspect: keeps the conversation's
        (query("要带身份证吗", aspects=(Aspect.materials,), residue="身份证"), (Aspect.materials,)),
    ],
)
def test_followup_keeps_the_item_however_phrased(facts, q, aspects) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.materials, sub_item="首次")
    d = run(facts, q, scores({DOCTOR: 0.99, NURSE: 0.98}), ctx)
    assert (d.rule, d.item_code, d.aspects, d.sub_item) == ("followup", NURSE, aspects, "首次")


def test_followup_in_many_words_that_finds_no_item_of_its_own_keeps_the_item(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.materials, sub_item="首次")
    q = query("这个东西我得等到猴年马月才能拿到手", aspects=(Aspect.time_limit,), residue="东西等到猴年马月拿到手")
    weak = facts.tuning.no_answer_below - 0.01
    d = run(facts, q, scores({DOCTOR: weak}), ctx)
    assert (d.rule, d.item_code, d.aspects) == ("followup", NURSE, (Aspect.time_limit,))
    assert run(facts, q, scores({DOCTOR: weak + 0.02}), ctx).item_code == DOCTOR  # it finds one: a new question


def test_followup_with_a_name_fragment_switches_item_and_keeps_aspect(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.time_limit, sub_item="首次")
    d = run(facts, query("医师呢？", residue="医师"), scores({DOCTOR: 0.97, NURSE: 0.96}), ctx)
    assert (d.item_code, d.aspects, d.sub_item) == (DOCTOR, (Aspect.time_limit,), None)


def test_a_new_question_is_not_a_followup(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.time_limit)
    q = query("卫生许可证年审流程", aspects=(Aspect.process,), residue="卫生许可证年审")
    assert followup.followup(Situation(q, scores({PLACE: 0.99}), ctx), facts) is None
    q = query("供水单位卫生许可收费吗", aspects=(Aspect.fee,), residue="供水单位")
    assert followup.followup(Situation(q, scores({WATER: 0.99}, exact=(WATER,)), ctx), facts) is None


def test_region_named_mid_conversation_switches_guide_for_the_same_question(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.materials, sub_item="首次")
    d = run(facts, query("那在山东呢", region="山东", residue=""), scores({NURSE: 0.9}), ctx)
    assert (d.rule, d.item_code, d.aspects, d.region, d.region_named) == (
        "followup",
        NURSE,
        (Aspect.materials,),
        "山东",
        True,
    )


def test_a_place_with_only_a_vague_how_keeps_the_conversations_aspect(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.time_limit)
    vague = query("我是山东的，那边怎么办", region="山东", residue="边", aspects=(Aspect.process,), vague_aspect=True)
    d = run(facts, vague, scores({NURSE: 0.9}), ctx)
    assert (d.rule, d.item_code, d.aspects, d.region) == ("followup", NURSE, (Aspect.time_limit,), "山东")
    # a place with a real process question asks for the process there
    clear = query("山东那边怎么申请", region="山东", residue="边", aspects=(Aspect.process,), aspect_cues=("怎么申请",))
    assert run(facts, clear, scores({NURSE: 0.9}), ctx).aspects[0] is Aspect.process  # (with the conditions where
    # the guide there states no process: decide/how_fallback.py)
    # the learned head's guess on a place and a vague question (no cue) does not replace the conversation's aspect
    guessed = query("上海那边是什么情况", region="上海", residue="边情况", aspects=(Aspect.location,), asks=True)
    assert run(facts, guessed, scores({NURSE: 0.9}), ctx).aspects == (Aspect.time_limit,)
    same = query("我人在上海，一样吗", region="上海", residue="人", aspects=(Aspect.conditions,), asks=True)
    assert run(facts, same, scores({NURSE: 0.9}), ctx).aspects == (Aspect.time_limit,)
    # a vague how without a place is still the process
    no_place = query("那怎么办", residue="", aspects=(Aspect.process,), vague_aspect=True)
    assert run(facts, no_place, scores({NURSE: 0.9}), ctx).aspects[0] is Aspect.process


def test_named_policy_is_answered_from_its_point(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("首违不罚是什么", policy_names=("首违不罚",), policy_cues=("首违不罚", "是什么"))
    d = run(facts, q, scores({NURSE: 0.99}, points={"compiled-plan-fragment.p02": 0.9}))
    assert (d.kind, d.rule, d.policy_id, d.item_code) == ("answer", "policy", "compiled-plan-fragment.p02", None)


def test_item_and_policy_gets_both_and_the_policys_own_guide(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("公共场所卫生许可能告知承诺当场办吗", policy_names=("告知承诺",), policy_cues=("告知承诺",))
    points = {"shanghai-2024-business-env-points.p04": 0.91, "yuhang-2020-rule-of-law-summary.p02": 0.9}
    d = run(facts, q, scores({PLACE: 0.99}, exact=(PLACE,), points=points))
    assert (d.rule, d.item_code, d.policy_id) == ("item_and_policy", PLACE, "shanghai-2024-business-env-points.p04")
    assert d.sub_item == "告知承诺"  # the item's 告知承诺制 guide


def test_general_policy_word_needs_the_point_to_score_as_well_as_the_item(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("这是什么政策", policy_cues=("政策",))
    low = run(facts, q, scores({NURSE: 0.99}, points={"siping-business-env-plan.p01": 0.9}))
    assert low.rule != "policy"
    high = run(facts, q, scores({NURSE: 0.95}, points={"siping-business-env-plan.p01": 0.94}))
    assert (high.rule, high.policy_id) == ("policy", "siping-business-env-plan.p01")


def test_a_general_policy_word_in_another_departments_question_is_no_policy_question(facts) -> None:  # type: ignore[no-untyped-def]
    """A message like "社保卡补了一个月还没寄到，怎么回事": 怎么回事 is a general policy cue, but the learned
    kind leans to another department: no policy point is given for it."""
    points = {"siping-business-env-plan.p01": 0.94}
    q = query("卡补了一个月还没寄到怎么回事", policy_cues=("怎么回事",), kind="other_department")
    assert run(facts, q, scores({NURSE: 0.80}, points=points)).rule != "policy"
    ours = query("卡补了一个月还没寄到怎么回事", policy_cues=("怎么回事",))
    assert run(facts, ours, scores({NURSE: 0.80}, points=points)).rule == "policy"


def test_generic_words_ask_which_item_unless_the_context_says(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("我要办许可证", norm="我要办许可证", generic=True, residue="")
    s = scores({NURSE: 0.97, PLACE: 0.96, WATER: 0.95})
    d = run(facts, q, s)
    assert d.kind == "clarify" and d.rule == "generic" and set(d.clarify_items) == {NURSE, PLACE, WATER}
    assert d.clarify_items[0] in (PLACE, WATER)  # items named "…许可" first
    in_context = run(facts, q, s, Context(item_code=WATER))
    assert (in_context.kind, in_context.item_code) == ("answer", WATER)


def test_weak_scores_give_an_honest_no_answer_or_a_strong_policy_point(facts) -> None:  # type: ignore[no-untyped-def]
    t = facts.tuning
    weak = t.no_answer_below - 0.01
    assert run(facts, query("养鸡场怎么办"), scores({NURSE: weak})).rule == "weak_match"
    point = {"siping-business-env-plan.p01": t.no_answer_below + t.policy_bonus}
    d = run(facts, query("办事不求人"), scores({NURSE: weak}, points=point))
    assert (d.rule, d.policy_id) == ("policy", "siping-business-env-plan.p01")


def test_close_scores_ask_which_item(facts) -> None:  # type: ignore[no-untyped-def]
    t = facts.tuning
    top = t.no_answer_below + 0.02
    d = run(facts, query("办个证"), scores({NURSE: top, DOCTOR: top - t.clarify_margin / 2}))
    assert d.kind == "clarify" and d.rule == "close_call"
    # asks=True: a question, not the bare mention round 14's general-question rule asks about
    d = run(facts, query("办个证", asks=True), scores({NURSE: top, DOCTOR: top - t.clarify_margin * 2}))
    assert (d.rule, d.item_code) == ("best_item", NURSE)


def test_differing_sub_items_ask_for_lists_and_show_short_fields_side_by_side(facts) -> None:  # type: ignore[no-untyped-def]
    s = scores({NURSE: 0.99}, exact=(NURSE,))
    asked = run(facts, query("护士执业注册要什么材料", aspects=(Aspect.materials,)), s)
    assert (asked.kind, asked.rule, asked.item_code) == ("clarify", "clarify_sub_item", NURSE)
    assert asked.clarify_sub_items == ("首次", "延续", "变更")
    side = run(facts, query("护士执业注册要多久", aspects=(Aspect.time_limit,)), s)
    assert side.kind == "answer" and side.rule.endswith("sub_items_side_by_side")
    said = run(facts, query("护士延续注册要什么材料", aspects=(Aspect.materials,), sub_item="延续"), s)
    assert (said.kind, said.sub_item) == ("answer", "延续")
    remembered = run(
        facts, query("要什么材料", aspects=(Aspect.materials,)), s, Context(item_code=NURSE, sub_item="变更")
    )
    assert (remembered.kind, remembered.sub_item) == ("answer", "变更")
    same = run(
        facts, query("医师执业注册要什么材料", aspects=(Aspect.materials,)), scores({DOCTOR: 0.99}, exact=(DOCTOR,))
    )
    assert same.kind == "answer"  # one guide covers its sub-items: nothing to ask


def test_rules_are_named_and_ordered() -> None:
    names = [r.__name__ for r in rules.RULES]
    assert names == [
        "button_choice",
        "clarify_reply",
        "referral",
        "complaint_about_department",
        "department_subject",
        "not_held_matter",
        "other_department",
        "policy_followup",
        "followup",
        "policy",
        "named_item",
        "generic",
        "department_question",
        "unknown_document",
        "clued_item",
        "described_item",
        "weak_match",
        "close_call",
        "described_over_best",
        "best_item",
    ]


def test_department_question_naming_nothing_of_ours_is_a_no_answer(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("施工噪音找哪个部门", asks_department=True)
    d = run(facts, q, scores({NURSE: 0.99}))
    assert (d.kind, d.rule) == ("no_answer", "department_question")
    named = scores({NURSE: 0.99}, exact=(NURSE,))
    assert run(facts, query("护士执业注册归谁管", asks_department=True), named).kind != "no_answer"


def test_referral_keyword_beside_an_item_named_only_in_a_statement(facts) -> None:  # type: ignore[no-untyped-def]
    ref = Referral("结婚登记", "民政部门")
    named = scores({PREMARITAL: 0.99}, exact=(PREMARITAL,))
    text = "婚前医学检查做完了,结婚登记去哪里办"
    q = query(text, norm=text, referral=ref, question_clauses=("结婚登记去哪里办",))
    assert run(facts, q, named).rule == "referral"
    asked = "婚前医学检查要结婚登记证明吗"
    q2 = query(asked, norm=asked, referral=ref, question_clauses=())
    assert run(facts, q2, named).rule != "referral"


def test_a_name_fragment_must_be_whole_words_of_a_name(facts) -> None:  # type: ignore[no-untyped-def]
    assert DOCTOR in facts.items_naming("医师")
    assert facts.items_naming("准备") == []  # straddles 标准|备案 in 企业标准备案
    ctx = Context(item_code="free-contraceptives", aspect=Aspect.overview)
    q = query("得准备哪些东西", aspects=(Aspect.materials,), residue="准备")
    d = run(facts, q, scores({"food-safety-enterprise-standard-filing": 0.9}), ctx)
    assert (d.rule, d.item_code, d.aspects) == ("followup", "free-contraceptives", (Aspect.materials,))


def test_english_questions_have_their_own_threshold_and_need_a_clear_lead(facts) -> None:  # type: ignore[no-untyped-def]
    t = facts.tuning
    english = Query(text="Is there a fee for a public place hygiene permit?", norm="x", language="en", asks=True)
    chinese = Query(text="公共场所卫生许可收费吗", norm="x", language="zh")
    between = t.no_answer_below_en + 0.01
    assert between < t.no_answer_below
    clear = scores({PLACE: between, WATER: between - t.english_min_margin - 0.005})
    d = run(facts, english, clear)
    assert (d.kind, d.item_code) == ("answer", PLACE)
    assert run(facts, chinese, clear).kind == "no_answer"  # the Chinese threshold still holds
    close = scores({PLACE: between, WATER: between - t.english_min_margin + 0.005})
    assert run(facts, english, close).kind == "no_answer"  # no clear lead: honest no-answer
    low = scores({PLACE: t.no_answer_below_en - 0.005, WATER: 0.8})
    assert run(facts, english, low).kind == "no_answer"


def test_a_short_message_naming_no_item_of_its_own_is_a_followup(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PLACE, aspect=Aspect.time_limit)
    weak = facts.tuning.no_answer_below - 0.05
    short = query("要跑几趟啊", residue="跑趟")  # no aspect cue, words of its own
    d = run(facts, short, scores({NURSE: weak}), ctx)
    assert (d.rule, d.item_code, d.aspects) == ("followup", PLACE, (Aspect.time_limit,))
    # the same words in a longer message are a new question
    long = query("要跑几趟啊，我们单位在郊区，离城里的政务服务中心很远", residue="跑趟单位郊区离城政务服务中心很远")
    assert run(facts, long, scores({NURSE: weak}), ctx).rule == "weak_match"
    # a short message that finds an item of its own is a new question about it
    assert run(facts, short, scores({NURSE: facts.tuning.no_answer_below + 0.01}), ctx).item_code == NURSE


def test_english_followups_are_measured_in_words(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.materials)
    text = "and how long is the renewed one valid for"  # 41 characters, 9 words
    q = Query(text=text, norm=text, language="en", aspects=(Aspect.validity,), residue="renewedone")
    d = followup.followup(Situation(q, scores({DOCTOR: 0.89}), ctx), facts)
    assert d is not None and (d.item_code, d.aspects) == (NURSE, (Aspect.validity,))
    pay = Query(text="do I have to pay anything", norm="do i have to pay anything", language="en", residue="pay")
    assert run(facts, pay, scores({DOCTOR: 0.87}), ctx).item_code == NURSE


def test_a_place_named_mid_conversation_is_not_turned_away_by_the_kind(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=NURSE, aspect=Aspect.time_limit)
    q = query("我人在韶山 走县里窗口", region="韶山", residue="人走县窗口", confident_kinds=("other_department",))
    assert turn_away.other_department(Situation(q, scores({NURSE: 0.93}), ctx), facts) is None
    d = run(facts, q, scores({NURSE: 0.93}), ctx)
    assert (d.rule.split("+")[0], d.item_code, d.region) == ("followup", NURSE, "韶山")


def test_a_referral_asked_in_its_own_clause_or_our_item_named_as_a_paper(facts) -> None:  # type: ignore[no-untyped-def]
    tax = Referral("开发票", "税务部门")
    clinic = "clinic-filing"
    fuzzy = Scores(items={clinic: 0.97}, points={}, named={clinic: 0.6}, exact=frozenset())
    q = query("我开了个个体诊所，开发票要去哪申请", referral=tax, question_clauses=("开发票要去哪申请",))
    assert run(facts, q, fuzzy).rule == "referral"
    # one clause naming our item only fuzzily beside the keyword: theirs ("个体诊所每个月要报税吗")
    assert run(facts, query("个体诊所每个月要开发票吗", referral=tax), fuzzy).rule == "referral"
    # our item named verbatim in the asking clause: ours
    exact = scores({clinic: 1.1}, exact=(clinic,))
    mine = query("诊所备案以后开发票要什么材料", referral=tax, question_clauses=())
    assert run(facts, mine, exact).item_code == clinic
    police = Referral("上户口", "公安机关")
    birth = "birth-medical-certificate"
    named = scores({birth: 1.1}, exact=(birth,))
    paper = query("宝宝上户口要带出生医学证明原件吗", referral=police)
    d = run(facts, paper, named)
    assert (d.rule, d.referral) == ("referral", police)
    # the item asked about, a keyword beside it: ours
    ours = query("出生医学证明办好了才能上户口吗，出生医学证明怎么办", referral=police)
    assert run(facts, ours, named).item_code == birth


def test_a_policy_point_asked_about_in_its_own_words(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("执法公示是什么意思", policy_cues=("什么意思",))
    d = run(facts, q, scores({NURSE: 0.9}))
    assert d.rule == "policy" and d.policy_id is not None
    assert "执法公示" in facts.catalog.point_by_id[d.policy_id][1].keywords
    # without a policy word it is not taken for a policy question
    assert run(facts, query("执法公示"), scores({NURSE: 0.9})).rule != "policy"


def test_where_to_complain_mid_conversation_is_the_complaint_route(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code="radiation-worker-certificate", aspect=Aspect.location)
    q = query("要是办不下来该找谁反映", residue="办不来", asks_department=True, asks_complaint_route=True)
    d = run(facts, q, scores({"radiation-worker-certificate": 0.93}), ctx)
    assert (d.kind, d.rule) == ("no_answer", "department_question")
    # which department handles the item is still a follow-up about it
    where = query("那找哪个部门办", residue="", asks_department=True, aspects=(Aspect.location,))
    assert run(facts, where, scores({"radiation-worker-certificate": 0.93}), ctx).rule == "followup"


# ---- round 5: the conversation's state --------------------------------------------------------------------------


def test_a_long_followup_that_names_no_item_keeps_the_conversations_item(facts) -> None:  # type: ignore[no-untyped-def]
    """Whatever its length: it asks something, names nothing, and retrieval finds no other item by name."""
    text = "我们店上个月提交了申请，工作人员说还要补材料，到底还缺哪些东西才能批下来"
    q = query(text, aspects=(Aspect.materials,), residue="们店上月提交工作人员说补底缺东西才批来", asks=True)
    ctx = Context(item_code=PLACE)
    d = followup.followup(Situation(q, scores({NURSE: 0.97, PLACE: 0.95}), ctx), facts)
    assert d is not None and (d.rule, d.item_code) == ("followup", PLACE)


def test_a_followup_pointing_back_keeps_the_item_without_aspect_cues(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("办这个的时候需要本人到场吗还是单位可以代办", residue="时候本人场单位代", asks=True, refers_back=True)
    ctx = Context(item_code=DOCTOR, aspect=Aspect.materials)
    d = followup.followup(Situation(q, scores({NURSE: 0.96, DOCTOR: 0.88}), ctx), facts)
    assert d is not None and (d.item_code, d.aspects) == (DOCTOR, (Aspect.materials,))
    # the learned kind (one message, no conversation) does not turn it away either
    sure = query(
        "办这个的时候需要本人到场吗还是单位可以代办",
        residue="时候本人场单位代",
        asks=True,
        refers_back=True,
        confident_kinds=("other_department",),
    )
    assert turn_away.other_department(Situation(sure, scores({DOCTOR: 0.88}), ctx), facts) is None


def test_another_item_found_by_its_name_ends_the_followup(facts) -> None:  # type: ignore[no-untyped-def]
    q = query("我们小区楼下新开了一家宾馆，需要办什么卫生许可吗", residue="们小区楼新开家宾馆", asks=True)
    found = Scores(items={PLACE: 0.99, NURSE: 0.93}, points={}, named={PLACE: 0.6}, exact=frozenset())
    assert followup.followup(Situation(q, found, Context(item_code=NURSE)), facts) is None
    # … and so does another item scoring high while the conversation's is not even among the few best
    ranked = {PLACE: 0.99, **{f"x{i}": 0.98 - i / 100 for i in range(8)}, NURSE: 0.80}
    assert followup.followup(Situation(q, scores(ranked), Context(item_code=NURSE)), facts) is None


def test_a_place_stated_mid_conversation_is_not_another_departments_question(facts) -> None:  # type: ignore[no-untyped-def]
    ref = Referral("公司注册", "市场监督管理部门")
    q = query("我们公司注册在上海", referral=ref, region="上海", residue="们公司")
    ctx = Context(item_code=WATER)
    assert turn_away.referral(Situation(q, scores({WATER: 0.93}), ctx), facts) is None
    d = run(facts, q, scores({WATER: 0.93}), ctx)
    assert (d.rule.split("+")[0], d.item_code, d.region) == ("followup", WATER, "上海")
    # the same words asking something, or with no conversation, are still referred
    asking = query("公司注册在上海去哪办", referral=ref, region="上海", residue="公司办", asks=True)
    assert turn_away.referral(Situation(asking, scores({WATER: 0.93}), ctx), facts) is not None
    assert turn_away.referral(Situation(q, scores({WATER: 0.93}), Context()), facts) is not None


def test_the_guides_own_words_pick_the_sub_item(facts) -> None:  # type: ignore[no-untyped-def]
    """Words only the first registration's guide uses (实习, 学历) pick it; none ask back. ("护士资格考试过了好几年才去
    注册还行吗" voted by chance through 过了; its 考试过了 is now a sub-item cue of the lexicon.)"""
    text = "实习满8个月拿到学历证书了，注册还行吗"
    late = query(text, aspects=(Aspect.conditions,), residue="实习满8个月拿到学历证书")
    d = run(facts, late, scores({NURSE: 1.1}, exact=(NURSE,)))
    assert (d.kind, d.sub_item) == ("answer", "首次") and d.rule.endswith("+sub_item_words")
    plain = query("护士执业注册要交什么材料", aspects=(Aspect.materials,), residue="")
    assert run(facts, plain, scores({NURSE: 1.1}, exact=(NURSE,))).kind == "clarify"


def test_a_city_selects_its_provinces_guide(catalog) -> None:  # type: ignore[no-untyped-def]
    from knowledge.places import load_places

    selector = GuideSelector(CueMatcher(load_lexicon()), places=load_places())
    item = catalog.item_by_code["medical-institution-setup-approval"]
    assert "陕西" in selector.choose(item, Aspect.time_limit, None, "西安").region
    assert "陕西" not in selector.choose(item, Aspect.time_limit, None, "南京").region


def test_sub_items_compared_across_regions_for_materials_only(catalog) -> None:  # type: ignore[no-untyped-def]
    from knowledge.places import load_places

    selector = GuideSelector(CueMatcher(load_lexicon()), places=load_places())
    glory = catalog.item_by_code["only-child-parents-honor-certificate"]  # 办证 in 安徽, 补办 elsewhere
    assert [c for c, _ in selector.differing_sub_items(glory, (Aspect.materials,), None)] == ["首次", "补发"]
    assert selector.differing_sub_items(glory, (Aspect.materials,), "安徽") == []  # only 办证 there: nothing to ask
    place = catalog.item_by_code[PLACE]  # regions' conditions differ for reasons of their own
    assert selector.differing_sub_items(place, (Aspect.location,), None) == []


def _dense(items: dict[str, float], points: dict[str, float], *, exact: tuple[str, ...] = ()) -> Scores:
    """Scores whose dense channel saw these items and policy points (the fused view is the same)."""
    from knowledge.retrieve.protocol import ChannelScores

    named = {c: 1.0 for c in exact}
    dense = ChannelScores(items=items, points=points)
    return Scores(items=items, points=points, named=named, exact=frozenset(exact), channels={"dense": dense})


def test_a_policy_in_the_citizens_own_words_is_found_by_meaning(facts) -> None:  # type: ignore[no-untyped-def]
    t = facts.tuning
    point = "shanghai-2024-business-env-points.p04"
    top = t.policy_dense_min + 0.05
    clear = _dense({NURSE: top - t.policy_dense_lead - 0.01}, {point: top})
    d = run(facts, query("政府发的证还要我交复印件吗", aspects=(Aspect.materials,)), clear)
    assert (d.kind, d.rule, d.policy_id, d.item_code) == ("answer", "policy_by_meaning", point, None)
    # the learned kind leans to another department: not a policy point
    other = query("无犯罪记录证明在哪开", kind="other_department", kind_source="predictor")
    assert run(facts, other, clear).rule != "policy_by_meaning"
    # the learned kind sees no policy question: not a policy point either
    unlikely = query("医保报销比例是多少", kind_probs={"policy": t.policy_min_kind_prob - 0.05, "in_domain": 0.5})
    assert run(facts, unlikely, clear).rule != "policy_by_meaning"
    likely = query("政府发的证还要我交复印件吗", kind_probs={"policy": t.policy_min_kind_prob + 0.05})
    assert run(facts, likely, clear).rule == "policy_by_meaning"
    # the point does not lead the best item clearly: the item
    close = _dense({NURSE: top - t.policy_dense_lead + 0.005}, {point: top})
    assert run(facts, query("护士证要交复印件吗", aspects=(Aspect.materials,)), close).rule != "policy_by_meaning"
    # a clear lead at a low score is not enough
    low = t.policy_dense_min - 0.01
    weak = _dense({NURSE: low - t.policy_dense_lead - 0.05}, {point: low})
    assert run(facts, query("这个怎么弄"), weak).rule != "policy_by_meaning"
    # an item named verbatim: the item (a named policy would give both)
    named = _dense({NURSE: top - 0.2}, {point: top}, exact=(NURSE,))
    assert run(facts, query("护士执业注册要交复印件吗"), named).item_code == NURSE


def test_an_item_and_a_related_policy_in_own_words_get_both(facts) -> None:  # type: ignore[no-untyped-def]
    t = facts.tuning
    clinic, point = "clinic-filing", "yuhang-2020-rule-of-law-summary.p01"  # 诊所备案制, related to 诊所备案
    top = t.policy_dense_min + 0.05
    leads = _dense({clinic: top - t.policy_dense_lead - 0.01}, {point: top}, exact=(clinic,))
    d = run(facts, query("余杭开诊所是不是不用审批了"), leads)
    assert (d.rule, d.item_code, d.policy_id) == ("item_and_policy_by_meaning", clinic, point)
    # the item's own chunks score as high: the item alone
    level = _dense({clinic: top}, {point: top}, exact=(clinic,))
    assert run(facts, query("诊所备案要什么材料"), level).policy_id is None
    # a point that does not relate to the named item: the item alone
    other = _dense({NURSE: top - 0.2}, {point: top}, exact=(NURSE,))
    assert run(facts, query("护士执业注册"), other).policy_id is None


BIRTH = "birth-medical-certificate"
ONE_THING = "shanghai-2024-business-env-points.p09"  # 出生一件事
CROSS_PROVINCE = "shanghai-2024-business-env-points.p10"  # 跨省通办 (长三角), the same plan
COMMITMENT = "yuhang-2020-rule-of-law-summary.p02"  # 告知承诺制, another document


def test_a_followup_after_a_policy_answer_continues_the_policy(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=BIRTH, policy_id=ONE_THING)
    q = query("长三角的可以跨省办吗", asks=True, residue="长三角的跨省")
    points = {ONE_THING: 0.93, CROSS_PROVINCE: 0.95, COMMITMENT: 0.90}
    d = run(facts, q, scores({BIRTH: 0.92}, points=points), ctx)
    assert (d.kind, d.rule, d.policy_id, d.item_code) == ("answer", "policy_followup", CROSS_PROVINCE, None)
    # without the policy in the context, the follow-up rule keeps the item
    assert run(facts, q, scores({BIRTH: 0.92}, points=points), Context(item_code=BIRTH)).item_code == BIRTH


def test_a_policy_followup_yields_to_the_item_an_aspect_another_document_or_a_name(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=BIRTH, policy_id=ONE_THING)
    points = {ONE_THING: 0.93, CROSS_PROVINCE: 0.92, COMMITMENT: 0.90}
    # asks for part of a guide: the item's
    aspect = query("要带什么材料", asks=True, aspects=(Aspect.materials,), aspect_cues=("什么材料",))
    assert run(facts, aspect, scores({BIRTH: 0.9}, points=points), ctx).item_code == BIRTH
    # the conversation's item holds it better
    plain = query("那医院能直接办吗", asks=True, residue="医院直接")
    assert run(facts, plain, scores({BIRTH: 0.96}, points=points), ctx).rule != "policy_followup"
    # another document's point fits clearly better
    other = {ONE_THING: 0.88, CROSS_PROVINCE: 0.87, COMMITMENT: 0.95}
    assert run(facts, plain, scores({BIRTH: 0.85}, points=other), ctx).policy_id != ONE_THING
    # names an item: a new question; asks nothing: not a follow-up question
    named = query("出生医学证明要多久", asks=True, aspects=(Aspect.time_limit,))
    assert run(facts, named, scores({BIRTH: 0.99}, exact=(BIRTH,), points=points), ctx).rule != "policy_followup"
    statement = query("好的知道了", residue="知道")
    assert rules.policy_followup(Situation(statement, scores({BIRTH: 0.8}, points=points), ctx), facts) is None


def test_a_followup_after_a_policy_answer_reads_the_items_guide_for_that_policy(facts) -> None:  # type: ignore[no-untyped-def]
    point = "shanghai-2024-business-env-points.p04"  # 告知承诺制
    q = query("拿证以后还会有人来检查不", asks=True, residue="拿后人来检查不", aspects=(Aspect.process,))
    d = run(facts, q, scores({PLACE: 0.9}), Context(item_code=PLACE, policy_id=point))
    assert (d.item_code, d.sub_item) == (PLACE, "告知承诺制")  # the item's 告知承诺制 guide states its process
    plain = run(facts, q, scores({PLACE: 0.9}), Context(item_code=PLACE))
    assert plain.sub_item != "告知承诺制"


def test_a_complaint_about_another_department_is_referred_unless_it_names_an_item(facts) -> None:  # type: ignore[no-untyped-def]
    target = Referral("公积金中心", "住房公积金管理中心")
    text = "公积金中心拖了两个月不给提取，我要投诉公积金中心"
    q = query(text, complains=True, complaint_target=target)
    d = run(facts, q, scores({NURSE: 0.99}))
    assert (d.kind, d.rule, d.referral) == ("no_answer", "complaint_about_department", target)
    assert (
        turn_away.complaint_about_department(Situation(q, scores({NURSE: 0.99}, exact=(NURSE,)), Context()), facts)
        is None
    )
    assert run(facts, query(text, complains=True), scores({NURSE: 0.99})).rule != "complaint_about_department"
