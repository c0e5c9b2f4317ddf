"""`Engine.trace`: every stage's output for one question, and the same answer `ask` gives."""

from __future__ import annotations

from typing import Any

from knowledge.schema import Aspect


def test_trace_keeps_each_stage_and_answers_as_ask(fake_engine: Any) -> None:
    question = "护士执业注册需要什么材料"  # materials differ by sub-item: the engine asks which
    trace = fake_engine.trace(question)
    assert trace.query.text == question and Aspect.materials in trace.query.aspects
    assert trace.scores.ranked[0][0] == "nurse-practice-registration"
    assert set(trace.scores.channels) == {"dense", "bm25", "names", "faq"}
    assert trace.decision.rule == "clarify_sub_item" and trace.decision.item_code == "nurse-practice-registration"
    assert trace.answer == fake_engine.ask(question)
    assert trace.answer.choices and all(c.item_code == "nurse-practice-registration" for c in trace.answer.choices)
