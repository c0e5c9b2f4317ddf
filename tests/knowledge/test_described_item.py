"""An item described rather than named (round 14, `decide/described_item.py`): hand-built scores and item-head
probabilities, no retrieval, no embedding."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from knowledge.answer import Context
from knowledge.decide import rules
from knowledge.decide.described_item import described_by_head, described_item, head_over_ranking
from knowledge.decide.situation import Facts, Situation
from knowledge.query.predictors import ITEM_NONE
from tests.support.decide import facts_for, query, scores

BIRTH = "birth-medical-certificate"
HONOR = "only-child-parents-honor-certificate"
SEAL = "narcotic-drug-purchase-seal-card"
SETUP = "medical-institution-setup-approval"
NURSE = "nurse-practice-registration"
IN_DOMAIN = {"in_domain": 0.95, "other_department": 0.03, "complaint": 0.01, "policy": 0.01}


@pytest.fixture
def on(catalog: Any) -> Facts:
    """Fresh facts with the rule switched on (`described_min_prob` > 0; the shipped value is measured elsewhere)."""
    f = facts_for(catalog)
    f.tuning = replace(f.tuning, described_min_prob=0.5)
    return f


@pytest.fixture
def off(catalog: Any) -> Facts:
    f = facts_for(catalog)
    f.tuning = replace(f.tuning, described_min_prob=0.0)
    return f


def weak(f: Facts, best: str, runner_up: str = SETUP) -> Any:
    below = f.tuning.no_answer_below - 0.01
    return scores({best: below, runner_up: below - 0.03})


def situation(items: Any, item_probs: dict[str, float], kind: str | None = "in_domain", **kw: Any) -> Situation:
    kind_probs = kw.pop("kind_probs", IN_DOMAIN)
    language = kw.pop("language", "zh")
    q = query(kw.pop("text", "小孩出生那个纸要怎么办理"), kind=kind, kind_probs=kind_probs, item_probs=item_probs, **kw)
    return Situation(replace(q, language=language), items, Context())


def test_the_item_the_head_kind_and_ranking_agree_on_is_answered(on: Facts) -> None:
    s = situation(weak(on, BIRTH), {BIRTH: 0.76, ITEM_NONE: 0.05, HONOR: 0.02})
    d = described_item(s, on)
    assert d is not None and d.kind == "answer" and d.item_code == BIRTH and d.rule == "described_item"
    # the full rule list reaches it before weak_match's no answer
    assert rules.decide(s, on).item_code == BIRTH


def test_without_the_rule_the_same_message_gets_the_no_answer(off: Facts) -> None:
    s = situation(weak(off, BIRTH), {BIRTH: 0.76, ITEM_NONE: 0.05})
    assert described_item(s, off) is None
    assert rules.decide(s, off).kind == "no_answer"


def test_an_unsure_head_decides_nothing(on: Facts) -> None:
    """光荣牌要多少钱: the head gives 光荣证 less than the threshold: the no answer stands."""
    s = situation(weak(on, HONOR), {HONOR: 0.45, ITEM_NONE: 0.3}, text="光荣牌要多少钱")
    assert described_by_head(s, on) is None
    assert rules.decide(s, on).kind == "no_answer"


def test_none_of_ours_decides_nothing(on: Facts) -> None:
    s = situation(weak(on, BIRTH), {ITEM_NONE: 0.8, BIRTH: 0.1})
    assert described_by_head(s, on) is None


def test_the_head_and_the_ranking_must_agree(on: Facts) -> None:
    """The head's item must stand among retrieval's `described_top_k` best (round 15: not only first)."""
    below = on.tuning.no_answer_below - 0.01
    k = on.tuning.described_top_k
    others = [SETUP, HONOR, BIRTH, NURSE][:k]
    outside = scores({**{c: below - 0.01 * n for n, c in enumerate(others)}, SEAL: below - 0.2})
    assert described_by_head(situation(outside, {SEAL: 0.9, ITEM_NONE: 0.05}), on) is None
    second = weak(on, SETUP, SEAL)
    assert described_by_head(situation(second, {SEAL: 0.9, ITEM_NONE: 0.05}), on) == SEAL
    assert rules.decide(situation(second, {SEAL: 0.9, ITEM_NONE: 0.05}), on).item_code == SEAL


def test_a_close_call_the_head_settles_is_answered(on: Facts) -> None:
    """Two items within `clarify_margin` (close_call would ask): the head's clear choice of one answers it; an unsure
    head leaves the question; the conversation's item, when among them, is close_call's own business."""
    top = on.tuning.no_answer_below + 0.01
    close = scores({SETUP: top, SEAL: top - on.tuning.clarify_margin / 2, BIRTH: top - 0.1})
    d = rules.decide(situation(close, {SEAL: 0.6, ITEM_NONE: 0.02}), on)
    assert (d.kind, d.item_code, d.rule) == ("answer", SEAL, "described_item")
    assert rules.decide(situation(close, {SEAL: 0.2, ITEM_NONE: 0.02}), on).kind == "clarify"
    q = query("小孩出生那个纸要怎么办理", kind="in_domain", kind_probs=IN_DOMAIN, item_probs={SEAL: 0.6})
    in_context = Situation(q, close, Context(item_code=SETUP))
    assert described_by_head(in_context, on) is None
    clear = scores({SETUP: top, SEAL: top - on.tuning.clarify_margin * 2})  # not close: the other rules decide
    assert described_by_head(situation(clear, {SEAL: 0.6, ITEM_NONE: 0.02}), on) is None


def test_the_head_clearly_preferring_a_runner_up_over_the_best_item(on: Facts) -> None:
    """best_item would answer the best item (no name): another of the few best that the head prefers by
    `described_over_ratio` is answered instead; a head that prefers it less, an item named, or "none" too likely:
    best_item as before."""
    top = on.tuning.no_answer_below + 0.05
    ranked = scores({SETUP: top, SEAL: top - 0.03, BIRTH: top - 0.2})
    ratio = on.tuning.described_over_ratio
    prefers = {SEAL: 0.6, SETUP: 0.6 / ratio - 0.01, ITEM_NONE: 0.02}
    d = rules.decide(situation(ranked, prefers), on)
    assert (d.item_code, d.rule) == (SEAL, "described_over_best")
    hardly = {SEAL: 0.6, SETUP: 0.6 / ratio + 0.02, ITEM_NONE: 0.02}
    assert head_over_ranking(situation(ranked, hardly), on) is None
    assert rules.decide(situation(ranked, hardly), on).item_code == SETUP
    named = scores({SETUP: top, SEAL: top - 0.03}, named=(SETUP,))
    assert head_over_ranking(situation(named, prefers), on) is None
    unsure_none = {**prefers, ITEM_NONE: on.tuning.described_max_none + 0.05}
    assert head_over_ranking(situation(ranked, unsure_none), on) is None
    far = scores({SETUP: top, HONOR: top - 0.01, NURSE: top - 0.02, BIRTH: top - 0.03, SEAL: 0.5})
    assert head_over_ranking(situation(far, prefers), on) is None  # not among the few best


def test_another_kind_or_an_unsure_kind_decides_nothing(on: Facts) -> None:
    probs = {BIRTH: 0.9, ITEM_NONE: 0.02}
    other = {"in_domain": 0.3, "other_department": 0.7}
    assert described_by_head(situation(weak(on, BIRTH), probs, kind="other_department", kind_probs=other), on) is None
    unsure = {"in_domain": on.tuning.described_in_domain_prob - 0.05, "policy": 0.4}
    assert described_by_head(situation(weak(on, BIRTH), probs, kind_probs=unsure), on) is None
    assert described_by_head(situation(weak(on, BIRTH), probs, kind=None, kind_probs={}), on) is None


def test_no_item_head_decides_nothing(on: Facts) -> None:
    assert described_by_head(situation(weak(on, BIRTH), {}), on) is None


def test_a_match_or_a_name_is_left_to_the_other_rules(on: Facts) -> None:
    t = on.tuning.no_answer_below
    matched = scores({BIRTH: t + 0.01, SETUP: t - 0.05})
    assert described_by_head(situation(matched, {BIRTH: 0.9}), on) is None
    named = scores({BIRTH: t - 0.01, SETUP: t - 0.05}, exact=(BIRTH,))
    assert described_by_head(situation(named, {BIRTH: 0.9}), on) is None


def test_english_on_its_own_scale_and_policy_answers_left_to_weak_match(on: Facts) -> None:
    """An English description reaches the item as a Chinese one does (round 15), judged weak on the English scale
    (`no_answer_below_en`, `english_min_margin`); a clear English lead is left to the other rules."""
    probs = {BIRTH: 0.9, ITEM_NONE: 0.02}
    en_weak = scores({BIRTH: on.tuning.no_answer_below_en - 0.01, SETUP: on.tuning.no_answer_below_en - 0.04})
    english = situation(en_weak, probs, text="birth certificate paper how", language="en")
    assert described_by_head(english, on) == BIRTH
    en_top = on.tuning.no_answer_below_en + 0.01
    clear_en = scores({BIRTH: en_top, SETUP: en_top - on.tuning.english_min_margin - 0.01})
    assert described_by_head(situation(clear_en, probs, text="birth certificate", language="en"), on) is None
    below = on.tuning.no_answer_below - 0.01
    point = on.tuning.no_answer_below + on.tuning.policy_bonus
    with_point = scores({BIRTH: below, SETUP: below - 0.03}, points={"p1": point})
    assert described_by_head(situation(with_point, probs), on) is None


def test_a_head_that_sees_none_of_ours_in_it_decides_nothing(catalog: Any) -> None:
    """光荣牌丢了能补吗 (the veterans' plaque): the head gives 光荣证 well over the threshold, but "none of ours" over
    `described_max_none`; with the shipped tuning it stays the no answer."""
    f = facts_for(catalog)
    assert f.tuning.described_min_prob > 0.0  # shipped on
    over = f.tuning.described_max_none + 0.06
    s = situation(weak(f, HONOR), {HONOR: 0.65, ITEM_NONE: over}, text="光荣牌丢了能补吗")
    assert described_by_head(s, f) is None
    assert rules.decide(s, f).kind == "no_answer"
    at_cap = situation(weak(f, HONOR), {HONOR: 0.65, ITEM_NONE: f.tuning.described_max_none}, text="光荣证丢了能补吗")
    assert described_by_head(at_cap, f) == HONOR
