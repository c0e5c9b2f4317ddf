"""Items a citizen points to by what they mention (round 17, `decide/item_clues.py`, lexicon `item_clues`): the shipped
clues on invented sentences, and the rules on hand-built `Query`/`Scores` and item-head probabilities (no retrieval,
no embedding)."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from knowledge.answer import Context
from knowledge.decide import rules
from knowledge.decide.followup import followup
from knowledge.decide.item_clues import clue_gate, clue_switch, clued_item, told_clue
from knowledge.decide.situation import Facts, Situation
from knowledge.query.cues import CueMatcher
from knowledge.query.item_clues import ItemClue
from knowledge.query.lexicon import Lexicon, load_lexicon
from knowledge.query.predictors import ITEM_NONE
from knowledge.schema import Aspect
from knowledge.text_normalise import normalise
from tests.support.decide import query, scores

SEAL = "narcotic-drug-purchase-seal-card"
RADIATION = "radiation-diagnosis-treatment-permit"
RAD_PROJECT = "radiation-project-health-review"
RAD_WORKER = "radiation-worker-certificate"
FOREIGN = "foreign-physician-short-term-practice"
MULTISITE = "physician-multi-site-practice"
PHYSICIAN = "physician-practice-registration"
NURSE = "nurse-practice-registration"
CLINIC = "clinic-filing"
SETUP = "medical-institution-setup-approval"
IN_DOMAIN = {"in_domain": 0.95, "other_department": 0.03, "complaint": 0.01, "policy": 0.01}

DRUGS = "我们麻醉科要采购瑞芬太尼，医院得先办什么"


def clue_names(text: str) -> list[str]:
    return [c.name for c in CueMatcher(load_lexicon()).clues_in(normalise(text))]


@pytest.mark.parametrize(
    ("text", "clue"),
    [
        (DRUGS, "controlled_drugs_bought"),
        ("安宁病房想进点氢吗啡酮，要先申请什么", "controlled_drugs_bought"),
        ("打算给口腔门诊买一台CT，之前要报什么", "radiological_device_installed"),
        ("医院准备引进一台直线加速器", "radiological_device_installed"),
        ("放射科新招的技术员上岗前要什么证", "radiological_staff_certified"),
        ("科里想邀请一位美国教授来做几台手术", "foreign_doctor_practising"),
        ("We are inviting a surgeon from Japan to operate in our hospital", "foreign_doctor_practising"),
        ("我是外科医生，下班后想去私人诊所坐诊", "doctor_sitting_in_elsewhere"),
        ("主任想每周六去另一家医院出门诊，这边的岗位保留", "doctor_sitting_in_elsewhere"),
        ("医生能在两家医院执业吗", "doctor_working_two_places"),
    ],
)
def test_the_shipped_clues_read_what_is_mentioned(text: str, clue: str) -> None:
    assert clue_names(text) == [clue]


@pytest.mark.parametrize(
    "text",
    [
        "我是护士，周末想去另一家医院兼职",  # a nurse: not the physicians' multi-site practice
        "我调到另一家医院上班了，执业证怎么变更",  # a move, not a second place
        "戒毒的人用美沙酮去哪里买",  # another department's matter
        "我上周去医院拍了个CT，片子去哪取",  # a patient, no device installed
        "我在日本读的医学博士，回国当医生要考什么",  # coming home, not a foreign doctor
        "拍片的机器要办什么证",  # the machine's permit, not its operators'
    ],
)
def test_what_the_shipped_clues_must_not_read(text: str) -> None:
    assert clue_names(text) == []


def test_negated_words_tell_no_clue() -> None:
    assert clue_names("不是采购吗啡，我们问的是别的") == []


def test_an_item_clue_needs_word_groups_and_the_lexicon_unique_names() -> None:
    with pytest.raises(ValidationError):
        ItemClue(name="x", item=SEAL, all_of=[[]])
    with pytest.raises(ValidationError):
        ItemClue(name="x", item=SEAL, all_of=[["吗啡", "吗啡"]])
    with pytest.raises(ValidationError):
        ItemClue(name="x", item=SEAL, all_of=[["Morphine"]])  # cues are written normalised
    data = load_lexicon().model_dump()
    data["item_clues"] = [*data["item_clues"], data["item_clues"][0]]
    with pytest.raises(ValidationError, match="listed twice"):
        Lexicon.model_validate(data)


def test_every_shipped_clue_points_to_an_item_of_the_catalog(catalog: Any) -> None:
    codes = set(catalog.item_by_code)
    for clue in load_lexicon().item_clues:
        assert {clue.item, *clue.shared_with} <= codes, clue.name


def weak(f: Facts, best: str, runner_up: str = SETUP) -> Any:
    below = f.tuning.no_answer_below - 0.01
    return scores({best: below, runner_up: below - 0.03})


def situation(
    text: str,
    items: Any,
    item_probs: dict[str, float],
    context: Context | None = None,
    **kw: Any,
) -> Situation:
    kind = kw.pop("kind", "in_domain")
    kind_probs = kw.pop("kind_probs", IN_DOMAIN)
    q = query(text, norm=normalise(text), kind=kind, kind_probs=kind_probs, item_probs=item_probs, **kw)
    return Situation(q, items, context or Context())


def test_a_clued_item_is_answered_where_retrieval_finds_nothing(facts: Facts) -> None:
    s = situation(DRUGS, weak(facts, SETUP, CLINIC), {SEAL: 0.4, ITEM_NONE: 0.15})
    d = clued_item(s, facts)
    assert d is not None and d.kind == "answer" and d.item_code == SEAL and d.rule == "clued_item"
    assert rules.decide(s, facts).item_code == SEAL  # before weak_match's no answer


def test_a_clued_item_is_answered_over_an_item_named_in_part(facts: Facts) -> None:
    text = "诊所之前备案了，现在想加一台DR，放射那块要单独申请吗"
    s = situation(text, scores({CLINIC: 1.06, RADIATION: 0.93}, named=(CLINIC,)), {CLINIC: 0.29, RADIATION: 0.17})
    assert rules.decide(s, facts).item_code == RADIATION


def test_a_question_naming_an_item_is_not_read_by_its_clues(facts: Facts) -> None:
    s = situation(DRUGS, scores({CLINIC: 1.1}, exact=(CLINIC,)), {SEAL: 0.4, ITEM_NONE: 0.05})
    assert told_clue(s, facts) is None and clued_item(s, facts) is None


def test_clues_of_two_items_decide_nothing(facts: Facts) -> None:
    text = "科里想邀请一位美国教授来做手术，还要采购芬太尼"
    s = situation(text, weak(facts, SETUP), {SEAL: 0.3, FOREIGN: 0.3, ITEM_NONE: 0.05})
    assert told_clue(s, facts) is None


@pytest.mark.parametrize(
    ("item_probs", "kind", "kind_probs"),
    [
        ({SEAL: 0.03, SETUP: 0.5, ITEM_NONE: 0.05}, "in_domain", IN_DOMAIN),  # the head does not see the item
        ({SEAL: 0.2, SETUP: 0.6, ITEM_NONE: 0.05}, "in_domain", IN_DOMAIN),  # it clearly prefers another item
        ({SEAL: 0.4, ITEM_NONE: 0.4}, "in_domain", IN_DOMAIN),  # the head says "none of ours"
        ({SEAL: 0.4, ITEM_NONE: 0.05}, "other_department", {"in_domain": 0.2, "other_department": 0.8}),
        ({SEAL: 0.4, ITEM_NONE: 0.05}, "in_domain", {"in_domain": 0.5, "other_department": 0.5}),  # the kind unsure
        ({}, "in_domain", IN_DOMAIN),  # no learned predictors
    ],
)
def test_the_learned_views_can_stop_a_clue(
    facts: Facts, item_probs: dict[str, float], kind: str, kind_probs: dict[str, float]
) -> None:
    s = situation(DRUGS, weak(facts, SETUP), item_probs, kind=kind, kind_probs=kind_probs)
    assert not clue_gate(s, facts, SEAL)
    assert clued_item(s, facts) is None


def test_an_item_sharing_the_clues_words_found_first_is_left_to_the_other_rules(facts: Facts) -> None:
    """ "医院要新建机房，安装一台DSA": the building project's as well — retrieval finding it first stands."""
    text = "医院要新建机房，安装一台DSA，施工前要报什么"
    s = situation(text, scores({RAD_PROJECT: 1.05, RADIATION: 0.95}), {RAD_PROJECT: 0.5, RADIATION: 0.3})
    assert clued_item(s, facts) is None
    assert rules.decide(s, facts).item_code == RAD_PROJECT


def test_a_follow_up_clue_switches_to_its_item_with_its_own_aspect(facts: Facts) -> None:
    ctx = Context(item_code=MULTISITE, aspect=Aspect.location)
    text = "另外科里想邀请一位美国教授来做几台手术，要办什么"
    s = situation(text, weak(facts, NURSE), {FOREIGN: 0.3, ITEM_NONE: 0.1}, ctx, residue="科里邀请美国教授来做几台手术")
    assert clue_switch(s, facts) == FOREIGN
    d = followup(s, facts)
    assert d is not None and d.item_code == FOREIGN and d.aspects != (Aspect.location,)


def test_a_follow_up_clue_of_the_conversations_item_keeps_it(facts: Facts) -> None:
    s = situation(DRUGS, weak(facts, SETUP), {SEAL: 0.4, ITEM_NONE: 0.05}, Context(item_code=SEAL))
    assert clue_switch(s, facts) is None


def test_a_conversation_on_an_item_sharing_the_words_keeps_it(facts: Facts) -> None:
    text = "机房里要安装一台DSA，预评价怎么做"
    s = situation(text, weak(facts, RADIATION), {RADIATION: 0.3, ITEM_NONE: 0.05}, Context(item_code=RAD_PROJECT))
    assert clue_switch(s, facts) is None


def test_the_operators_certificate_after_the_machines_permit(facts: Facts) -> None:
    text = "那放射科新来的技术员上岗要办什么证"
    ctx = Context(item_code=RADIATION, aspect=Aspect.materials)
    probs = {RAD_WORKER: 0.2, ITEM_NONE: 0.1}
    s = situation(text, weak(facts, RADIATION), probs, ctx, residue="放射科新来技术员上岗证")
    assert clue_switch(s, facts) == RAD_WORKER


def test_a_nurse_conversation_does_not_switch_on_a_nurses_second_job(facts: Facts) -> None:
    text = "我是护士，周末想去另一家医院兼职"
    s = situation(text, weak(facts, PHYSICIAN), {MULTISITE: 0.3, ITEM_NONE: 0.05}, Context(item_code=NURSE))
    assert clue_switch(s, facts) is None


def test_a_follow_ups_head_may_prefer_another_item(facts: Facts) -> None:
    """The head reads a follow-up without its conversation: its favourite does not stop the switch, only its own
    probability of the clued item and of "none"."""
    text = "那放射科新来的技术员上岗要办什么证"
    probs = {RAD_WORKER: 0.08, CLINIC: 0.3, ITEM_NONE: 0.06}
    ctx = Context(item_code=RADIATION)
    assert clue_switch(situation(text, weak(facts, RADIATION), probs, ctx), facts) == RAD_WORKER
    assert clue_gate(situation(text, weak(facts, RADIATION), probs), facts, RAD_WORKER) is False
