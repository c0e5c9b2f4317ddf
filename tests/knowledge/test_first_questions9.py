"""First questions of a conversation (round 9): a policy asked with a generic word for the item, a policy about
other departments' papers, a policy the learned kind is sure of, the applicant's deadline as a firm cue, and which
level approves — on hand-built `Query` and `Scores` (no retrieval) or the curated guides."""

from __future__ import annotations

from knowledge.answer import Context
from knowledge.compose.level_lines import asks_level, level_lines
from knowledge.decide import turn_away
from knowledge.decide.rules import decide
from knowledge.decide.situation import Facts, Situation
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Referral
from knowledge.query.predictors import combine_aspects
from knowledge.schema import Aspect
from tests.support.decide import query, scores

PUBLIC_PLACE = "public-place-health-permit"
DISINFECTION = "disinfection-product-manufacturer-permit"
COMMITMENT_POINT = "yuhang-2020-rule-of-law-summary.p02"  # 告知承诺制: relates to 公共场所卫生许可 among others
PAPERS_POINT = "shanghai-2024-business-env-points.p12"  # 两个免于提交
RANDOM_POINT = "shanghai-2024-business-env-points.p18"  # 双随机一公开
LICENCE = Referral("营业执照", "市场监督管理部门")


def test_a_policy_with_the_item_retrieval_finds_clearly_answers_both(facts: Facts) -> None:
    asked = query("西宁…卫生许可证承诺一下当天就给，是这样吗", policy_names=("告知承诺",), policy_cues=("告知承诺",))
    clear = scores({PUBLIC_PLACE: 0.993, DISINFECTION: 0.976}, points={COMMITMENT_POINT: 0.954})
    d = decide(Situation(asked, clear, Context()), facts)
    assert (d.rule, d.item_code, d.policy_id) == ("item_and_policy", PUBLIC_PLACE, COMMITMENT_POINT)
    close = scores({PUBLIC_PLACE: 0.993, DISINFECTION: 0.985}, points={COMMITMENT_POINT: 0.954})  # no clear lead
    d = decide(Situation(asked, close, Context()), facts)
    assert (d.rule, d.item_code) == ("policy", None)
    weak = scores({PUBLIC_PLACE: 0.95, DISINFECTION: 0.90}, points={COMMITMENT_POINT: 0.954})  # below the threshold
    assert decide(Situation(asked, weak, Context()), facts).item_code is None
    unrelated = scores({"nurse-practice-registration": 0.993, DISINFECTION: 0.9}, points={COMMITMENT_POINT: 0.954})
    assert decide(Situation(asked, unrelated, Context()), facts).item_code is None  # the point does not relate to it


def test_another_departments_paper_beside_a_policy_about_such_papers_is_the_policys(facts: Facts) -> None:
    none = scores({PUBLIC_PLACE: 0.97}, points={PAPERS_POINT: 0.96})
    papers = query("政府自己发的营业执照这类证，还要我再复印一份交上去吗", referral=LICENCE, policy_names=("免于提交",))
    assert turn_away.referral(Situation(papers, none, Context()), facts) is None
    d = decide(Situation(papers, none, Context()), facts)
    assert (d.kind, d.policy_id) == ("answer", PAPERS_POINT)
    commitment = query("营业执照能告知承诺办吗", referral=LICENCE, policy_names=("告知承诺",))  # not about papers
    d = turn_away.referral(Situation(commitment, none, Context()), facts)
    assert d is not None and d.kind == "no_answer"
    assert set(load_lexicon().policy_cues.about_others_papers) <= set(load_lexicon().policy_cues.names)


def test_a_policy_the_learned_kind_is_sure_of_when_its_point_scores_at_least_the_best_item(facts: Facts) -> None:
    sure = {"policy": 0.92, "in_domain": 0.02}
    text = "卫生监督来店里检查，是想啥时候来就啥时候来吗"
    asked = query(text, aspects=(Aspect.time_limit,), kind="policy", kind_probs=sure)
    leading = scores({PUBLIC_PLACE: 0.965}, points={RANDOM_POINT: 0.979})
    d = decide(Situation(asked, leading, Context()), facts)
    assert (d.rule, d.policy_id) == ("policy_by_kind", RANDOM_POINT)
    behind = scores({PUBLIC_PLACE: 0.985}, points={RANDOM_POINT: 0.979})
    assert decide(Situation(asked, behind, Context()), facts).rule != "policy_by_kind"
    unsure = query("卫生监督来店里检查", aspects=(Aspect.time_limit,), kind_probs={"policy": 0.5, "in_domain": 0.4})
    assert decide(Situation(unsure, leading, Context()), facts).rule != "policy_by_kind"


def test_a_firm_cue_stands_even_where_the_tuning_rows_contradict_it() -> None:
    head = {Aspect.validity: 0.9, Aspect.time_limit: 0.8, Aspect.conditions: 0.05}
    kw = {"strategy": "cues_unless_head_sure", "contradicted": frozenset({"到期前多久"})}
    firm = combine_aspects((Aspect.conditions,), head, cue_word="到期前多久", confirmed=frozenset({"到期前多久"}), **kw)
    assert firm == ((Aspect.conditions,), "cue")
    loose = combine_aspects((Aspect.conditions,), head, cue_word="到期前多久", **kw)
    assert loose[1] == "predictor"
    assert "到期前多久" in load_lexicon().firm_cues()


def test_which_level_approves_gets_the_guides_lines_naming_a_level(catalog) -> None:  # type: ignore[no-untyped-def]
    levels = load_lexicon().levels
    assert levels is not None
    assert asks_level("在西安办一家三百张床的中医专科医院,是省里批还是市里批", levels.questions)
    assert asks_level("香港投资者想在甘肃陇南设一家独资医院,审批归哪一级?", levels.questions)
    assert not asks_level("医疗机构设置审批要多久", levels.questions)
    item = catalog.item_by_code["medical-institution-setup-approval"]
    by_region = {g.region: g for g in item.guides}
    shaanxi = next(g for r, g in by_region.items() if "陕西" in r)
    lines = level_lines(shaanxi, (Aspect.overview,), levels.words, helpline="12345")
    assert any("300张以上" in line for _, line in lines) and {k for k, _ in lines} == {"conditions"}
    assert level_lines(shaanxi, (Aspect.conditions,), levels.words, helpline="12345") == []  # already shown
    longnan = next(g for r, g in by_region.items() if "陇南" in r)
    lines = level_lines(longnan, (Aspect.overview,), levels.words, helpline="12345")
    assert [k for k, _ in lines] == ["basis"] and "下放至省级" in lines[0][1]
