"""Round 12's later-turn rules on hand-built `Query`/`Scores` (no retrieval): a pressed clarify button is answered as
the choice it is (never turned away, a process question for a chosen case as materials then process, not replaced by
a FAQ entry); a long description of another item, found first by both the fused and the meaning channel well ahead of
the conversation's item, switches to it; an answer from a guide written for no case in particular keeps the case the
citizen asked, and a place remembered keeps the last guide when it is that place's own."""

from __future__ import annotations

from types import SimpleNamespace

from knowledge.answer import Context
from knowledge.decide.clarify_reply import button_choice
from knowledge.decide.faq_rule import chosen_case
from knowledge.decide.followup import _describes_another_item, followup
from knowledge.decide.item_decision import guide_hint
from knowledge.decide.model import Decision
from knowledge.decide.rules import decide
from knowledge.decide.situation import Situation
from knowledge.query.analyse import SUB_ITEM_HOW
from knowledge.query.cues import CueMatcher
from knowledge.query.lexicon import load_lexicon
from knowledge.query.model import Referral
from knowledge.retrieve.protocol import ChannelScores, Scores
from knowledge.schema import Aspect
from tests.support.decide import query, scores

NURSE = "nurse-practice-registration"
BIRTH = "birth-medical-certificate"


def test_a_pressed_button_answers_the_chosen_case_of_a_process_question(facts) -> None:  # type: ignore[no-untyped-def]
    pressed = Context(item_code=NURSE, sub_item="延续", aspect=Aspect.process, chosen=True)
    how = query("护理岗的证 怎么办", aspects=(Aspect.process,), asks=True, vague_aspect=True)
    decision = decide(Situation(how, scores({BIRTH: 0.99, NURSE: 0.95}), pressed), facts)
    assert decision.rule.startswith("button_choice") and decision.item_code == NURSE
    assert decision.sub_item == "延续" and decision.aspects == SUB_ITEM_HOW
    # the process asked in so many words: the process first, the chosen case's materials too
    flow = query("护士注册的流程是什么", aspects=(Aspect.process,), asks=True)
    d = button_choice(Situation(flow, scores({NURSE: 0.97}), pressed), facts)
    assert d is not None and d.aspects == (Aspect.process, Aspect.materials)
    # a field asked keeps that field; a button choosing only the item carries no sub-item of its own
    fee = query("护士证要交钱吗", aspects=(Aspect.fee,), asks=True)
    d = button_choice(Situation(fee, scores({NURSE: 0.97}), pressed), facts)
    assert d is not None and d.aspects == (Aspect.fee,)
    item_only = Context(item_code=NURSE, aspect=Aspect.process, chosen=True)
    d = button_choice(Situation(how, scores({NURSE: 0.97}), item_only), facts)
    assert d is not None and d.aspects == (Aspect.process,) and d.sub_item is None


def test_a_pressed_button_is_never_turned_away_and_a_typed_context_is_not_a_choice(facts) -> None:  # type: ignore[no-untyped-def]
    hukou = query("办孩子那张要上户口用的证", referral=Referral("户口", "公安机关"))
    pressed = Context(item_code=BIRTH, chosen=True)
    decision = decide(Situation(hukou, scores({BIRTH: 0.9}), pressed), facts)
    assert decision.kind == "answer" and decision.item_code == BIRTH
    typed = Context(item_code=BIRTH)  # the same slots after an answer: a typed message, the other rules decide
    assert button_choice(Situation(hukou, scores({BIRTH: 0.9}), typed), facts) is None
    assert button_choice(Situation(hukou, scores({}), Context(item_code="no-such-item", chosen=True)), facts) is None


def test_a_chosen_case_is_not_answered_by_a_faq_entry() -> None:
    decision = Decision(kind="answer", rule="button_choice", item_code=BIRTH, sub_item="补发")
    pressed = Context(item_code=BIRTH, sub_item="补发", chosen=True)
    assert chosen_case(decision, Situation(query("孩子那张证明怎么弄"), scores({}), pressed))
    typed = Context(item_code=BIRTH, sub_item="补发")
    assert not chosen_case(decision, Situation(query("孩子那张证明怎么弄"), scores({}), typed))
    no_case = Decision(kind="answer", rule="button_choice", item_code=BIRTH)
    assert not chosen_case(no_case, Situation(query("孩子那张证明怎么弄"), scores({}), pressed))


PLACE = "public-place-health-permit"
WATER = "water-supply-unit-permit"


def _with_dense(fused: dict[str, float], dense: dict[str, float]) -> Scores:
    return Scores(items=fused, channels={"dense": ChannelScores(items=dense)})


def test_a_long_description_of_another_item_switches_to_it(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PLACE, aspect=Aspect.conditions)
    well = query("那我们自己打井供水给周边用 要办啥", residue="们自己打井供水给周边用", asks=True)
    found = _with_dense({WATER: 0.95, PLACE: 0.88, BIRTH: 0.87}, {WATER: 0.87, PLACE: 0.85, BIRTH: 0.84})
    decision = followup(Situation(well, found, ctx), facts)
    assert decision is not None and decision.item_code == WATER
    # a new question about another item: not the conversation's last aspect (round 15)
    assert decision.aspects == (Aspect.overview,)


def test_a_short_or_close_or_meaningless_lead_keeps_the_conversations_item(facts) -> None:  # type: ignore[no-untyped-def]
    ctx = Context(item_code=PLACE, aspect=Aspect.conditions)
    found = _with_dense({WATER: 0.95, PLACE: 0.88}, {WATER: 0.87, PLACE: 0.85})
    short = query("审批多少天，知道吗", residue="知道", asks=True, aspects=(Aspect.time_limit,))
    assert _describes_another_item(Situation(short, found, ctx), facts) is None
    long = query("那我们自己打井供水给周边用 要办啥", residue="们自己打井供水给周边用", asks=True)
    assert _describes_another_item(Situation(long, found, ctx), facts) == WATER
    close = _with_dense({WATER: 0.95, PLACE: 0.92}, {WATER: 0.87, PLACE: 0.85})  # fused lead 0.03
    assert _describes_another_item(Situation(long, close, ctx), facts) is None
    by_words = _with_dense({WATER: 0.95, PLACE: 0.88}, {WATER: 0.86, PLACE: 0.85})  # the meaning channel barely leads
    assert _describes_another_item(Situation(long, by_words, ctx), facts) is None
    other_meaning = _with_dense({WATER: 0.95, PLACE: 0.88}, {BIRTH: 0.90, WATER: 0.87, PLACE: 0.85})
    assert _describes_another_item(Situation(long, other_meaning, ctx), facts) is None
    no_dense = scores({WATER: 0.95, PLACE: 0.88})
    assert _describes_another_item(Situation(long, no_dense, ctx), facts) is None


def test_an_answer_from_a_guide_for_no_case_in_particular_keeps_the_asked_case() -> None:
    cues = CueMatcher(load_lexicon())
    # a county's guide for the whole item answered "首次注册去哪个窗口交": the next question is still about 首次
    assert cues.answered_sub_item("（县级）护士执业注册", "首次") == "首次"
    assert cues.answered_sub_item(None, "延续") == "延续"
    # a guide covering the asked case among others stands for it; a guide for another case stands for its own
    assert cues.answered_sub_item("首次签发（机构内/机构外）、换发", "换发") == "换发"
    assert cues.answered_sub_item("延续注册", "首次") == "延续"
    # nothing asked: the guide's own (canonical when it names one case)
    assert cues.answered_sub_item("首次注册", None) == "首次"
    assert cues.answered_sub_item("（县级）护士执业注册", None) == "（县级）护士执业注册"
    assert cues.answered_sub_item(None, None) is None


def test_a_remembered_place_keeps_the_last_guide_only_when_it_is_that_places_own() -> None:
    from tests.knowledge.test_followups_round11 import ITEM, JIA, _selector

    guides = {g.id: (ITEM, g) for g in ITEM.guides}
    f = SimpleNamespace(
        catalog=SimpleNamespace(item_by_code={ITEM.code: ITEM}, guide_by_id=guides), selector=_selector()
    )
    ctx = Context(item_code=ITEM.code, guide_id=JIA.id, aspect=Aspect.materials)
    # 甲市's guide answered; the place remembered is 甲市: the guide keeps answering
    assert guide_hint(Situation(query("找谁补", region_hint="甲市"), scores({}), ctx), ITEM.code, f) == JIA.id  # type: ignore[arg-type]
    # another place remembered, or one named now, or no facts to tell: the place's guides decide
    assert guide_hint(Situation(query("找谁补", region_hint="乙市"), scores({}), ctx), ITEM.code, f) is None  # type: ignore[arg-type]
    assert guide_hint(Situation(query("找谁补", region="甲市"), scores({}), ctx), ITEM.code, f) is None  # type: ignore[arg-type]
    assert guide_hint(Situation(query("找谁补", region_hint="甲市"), scores({}), ctx), ITEM.code) is None


def test_a_paper_the_conversations_item_asks_for_is_no_switch(facts) -> None:  # type: ignore[no-untyped-def]
    ad, practice = "medical-advertisement-review", "medical-institution-practice-registration"
    ctx = Context(item_code=ad, aspect=Aspect.time_limit)
    found = scores({practice: 0.966, ad: 0.92})
    bring = query("要带执业许可证吗", residue="执业", aspects=(Aspect.materials,), asks=True)
    decision = followup(Situation(bring, found, ctx), facts)
    assert decision is not None and decision.item_code == ad
    # the same words not handed over as a paper still name the other item ("那执业的呢")
    elliptical = query("那执业的呢", residue="执业")
    decision = followup(Situation(elliptical, found, ctx), facts)
    assert decision is not None and decision.item_code == practice


def test_a_description_switch_the_item_head_does_not_see_keeps_the_conversations_item(facts) -> None:  # type: ignore[no-untyped-def]
    """Round 15: the learned item head reads the long message alone; when it gives the item retrieval would switch to
    less than `switch_min_head_prob`, the generic words found that item, and the conversation's item is answered."""
    from dataclasses import replace

    ctx = Context(item_code=PLACE, aspect=Aspect.conditions)
    found = _with_dense({WATER: 0.95, PLACE: 0.88, BIRTH: 0.87}, {WATER: 0.87, PLACE: 0.85, BIRTH: 0.84})
    well = query("那我们自己打井供水给周边用 要办啥", residue="们自己打井供水给周边用", asks=True)
    low = facts.tuning.switch_min_head_prob - 0.05
    doubted = replace(well, item_probs={"none": 0.4, WATER: low, PLACE: 0.05})
    decision = followup(Situation(doubted, found, ctx), facts)
    assert decision is not None and decision.item_code == PLACE
    seen = replace(well, item_probs={WATER: facts.tuning.switch_min_head_prob + 0.2, "none": 0.1})
    decision = followup(Situation(seen, found, ctx), facts)
    assert decision is not None and decision.item_code == WATER


def test_asking_whether_the_conversations_item_needs_another_procedure_keeps_it(facts) -> None:  # type: ignore[no-untyped-def]
    """Round 15: "那还得走设置审批吗" after 医疗美容, whose guide says 办理设置审批和登记注册: its own guide
    answers; the same words asking a field of the other item, or without the need words, or after an item whose
    guides do not name that procedure, still leave the conversation."""
    from knowledge.decide.followup import _asks_whether_its_item_needs

    beauty, setup = "medical-cosmetology", "medical-institution-setup-approval"
    found = scores({setup: 1.10, "medical-institution-practice-registration": 0.96, beauty: 0.95}, named=(setup,))
    ctx = Context(item_code=beauty, aspect=Aspect.conditions)
    needs = query("那还得走设置审批吗", residue="走设置", asks=True, aspects=(Aspect.conditions,))
    assert _asks_whether_its_item_needs(Situation(needs, found, ctx), facts)
    decision = followup(Situation(needs, found, ctx), facts)
    assert decision is not None and decision.item_code == beauty
    how_long = query("那还得走设置审批吗 要多久", residue="走设置", asks=True, aspects=(Aspect.time_limit,))
    assert not _asks_whether_its_item_needs(Situation(how_long, found, ctx), facts)
    plain = query("设置审批的条件是什么", residue="设置", asks=True, aspects=(Aspect.conditions,))
    assert not _asks_whether_its_item_needs(Situation(plain, found, ctx), facts)
    birth = Context(item_code=BIRTH, aspect=Aspect.conditions)  # its guides never name 设置审批
    assert not _asks_whether_its_item_needs(Situation(needs, found, birth), facts)
