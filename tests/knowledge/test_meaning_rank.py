"""The meaning lead for ranking only (round 13, `decide/meaning_rank.py`): hand-built scores, no retrieval."""

from __future__ import annotations

import itertools

import pytest

from knowledge.answer import Context
from knowledge.decide import rules
from knowledge.decide.meaning_rank import meaning_decides, rank_by_meaning
from knowledge.decide.situation import Situation
from knowledge.decide.tuning import Tuning
from knowledge.query.model import Query
from knowledge.retrieve.protocol import Scores
from tests.support.decide import query

MULTI = "physician-multi-site-practice"
SETUP = "medical-institution-setup-approval"
FILING = "clinic-filing"
HONOR = "only-child-parents-honor-certificate"
NURSE = "nurse-practice-registration"
MATERNAL = "maternal-infant-health-technical-service-permit"
LEAD = Tuning(w_meaning=2.0)


def led(items: dict[str, float], lead: tuple[str, float] | None) -> Scores:
    return Scores(items=items, meaning_lead=lead)


def test_an_item_described_that_matches_on_its_own_wins_by_its_meaning_lead() -> None:
    """当医生的可以同时在两家医院执业吗: BM25's best chunk is 设置审批's (医院); 多机构执业 matches on its own (dense
    0.9165 + 0.08 · 0.648) and leads the dense channel by 0.019."""
    scores = led({MULTI: 0.9683, SETUP: 0.9773, FILING: 0.9248}, (MULTI, 0.0192))
    assert scores.ranked[0][0] == SETUP
    ranked = rank_by_meaning(scores, query(), LEAD).ranked
    assert ranked[0] == (MULTI, pytest.approx(0.9683 + 2.0 * 0.0192))
    assert ranked[1] == (SETUP, 0.9773)  # only the dense best item moves


def test_a_weak_match_is_not_lifted_past_the_threshold(facts) -> None:  # type: ignore[no-untyped-def]
    """光荣牌要多少钱 (the veterans' plaque, another department's): the dense channel's best item leads, but its fused
    score without the lead is below `no_answer_below`, so the scores stay as they are and no item matches."""
    weak = LEAD.no_answer_below - 0.01
    scores = led({HONOR: weak, SETUP: weak - 0.02}, (HONOR, 0.02))
    after = rank_by_meaning(scores, query("光荣牌要多少钱"), LEAD)
    assert after == scores
    d = rules.weak_match(Situation(query("光荣牌要多少钱"), after, Context()), facts)
    assert d is not None and d.kind == "no_answer"


def test_a_weak_lead_item_does_not_outrank_an_item_that_matches() -> None:
    """The item that matches stays first when the dense channel's best item does not match on its own."""
    t = LEAD.no_answer_below
    scores = led({SETUP: t + 0.005, MULTI: t - 0.005}, (MULTI, 0.03))
    assert rank_by_meaning(scores, query(), LEAD).ranked[0][0] == SETUP


def test_a_dense_lead_below_the_clarify_margin_decides_nothing(facts) -> None:  # type: ignore[no-untyped-def]
    """护士school毕业证丢了 学历证明找谁开 (another department's): two spurious matches 0.0045 apart, the dense channel
    unsure too (0.0086): still a close call, not an answer."""
    scores = led({NURSE: 0.9788, MATERNAL: 0.9743, HONOR: 0.9247}, (NURSE, 0.0086))
    q = query("护士school毕业证丢了 学历证明找谁开")
    assert meaning_decides(scores, q, LEAD) is None and rank_by_meaning(scores, q, LEAD) == scores
    d = rules.close_call(Situation(q, rank_by_meaning(scores, q, LEAD), Context()), facts)
    assert d is not None and d.kind == "clarify"
    sure = led(scores.items, (NURSE, LEAD.clarify_margin))
    assert meaning_decides(sure, q, LEAD) == NURSE
    assert rules.close_call(Situation(q, rank_by_meaning(sure, q, LEAD), Context()), facts) is None


def test_a_small_dense_lead_does_not_beat_a_clear_word_match() -> None:
    scores = led({MULTI: 0.9025 + 0.08 * 0.3, SETUP: 0.9012 + 0.08 * 1.0 + 0.15}, (MULTI, 0.0013))
    assert rank_by_meaning(scores, query(), LEAD).ranked[0][0] == SETUP


def test_no_lead_for_english_questions_or_without_its_weight() -> None:
    scores = led({MULTI: 0.97, SETUP: 0.975}, (MULTI, 0.02))
    english = Query(text="practise at two hospitals", norm="practise at two hospitals", language="en")
    assert rank_by_meaning(scores, english, LEAD) == scores and meaning_decides(scores, english, LEAD) is None
    assert rank_by_meaning(scores, query(), Tuning(w_meaning=0.0)) == scores
    assert rank_by_meaning(led(scores.items, None), query(), LEAD).ranked[0][0] == SETUP
    assert rank_by_meaning(led(scores.items, (MULTI, 0.0)), query(), LEAD).ranked[0][0] == SETUP


@pytest.mark.parametrize(
    ("top", "lead_item", "lead"), itertools.product((-0.03, -0.004, 0.0, 0.004), (0, 1, 2), (0.015, 0.05))
)
def test_whether_any_item_matches_is_decided_as_without_the_lead(top: float, lead_item: int, lead: float) -> None:
    t = LEAD.no_answer_below
    codes = (MULTI, SETUP, FILING)
    scores = led({MULTI: t + top, SETUP: t + top - 0.006, FILING: t + top - 0.012}, (codes[lead_item], lead))
    after = rank_by_meaning(scores, query(), LEAD)
    assert (after.ranked[0][1] >= t) == (scores.ranked[0][1] >= t)
    assert all(after.items[c] >= scores.items[c] for c in codes)
