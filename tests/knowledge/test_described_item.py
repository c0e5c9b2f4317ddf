"""An item described rather than named (round 14, `decide/described_item.py`): hand-built scores and item-head
probabilities, no retrieval, no embedding."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from knowledge.answer import Context
from knowledge.decide import rules
from knowledge.decide.described_item import described_by_head, described_item
from knowledge.decide.situation import Facts, Situation
from knowledge.query.predictors import ITEM_NONE
from tests.support.decide import facts_for, query, scores

BIRTH = "birth-medical-certificate"
HONOR = "only-child-parents-honor-certificate"
SEAL = "narcotic-drug-purchase-seal-card"
SETUP = "medical-institution-setup-approval"
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
    s = situation(weak(on, SETUP, SEAL), {SEAL: 0.9, ITEM_NONE: 0.05})
    assert described_by_head(s, on) is None


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


def test_english_and_policy_answers_are_left_to_weak_match(on: Facts) -> None:
    probs = {BIRTH: 0.9, ITEM_NONE: 0.02}
    english = situation(weak(on, BIRTH), probs, text="birth certificate paper how", language="en")
    assert described_by_head(english, on) is None
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
