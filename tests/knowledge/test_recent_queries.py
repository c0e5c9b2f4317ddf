"""`Engine.analyse` keeps its last analyses: a chat turn's gate and `/api/search` analyse the same text in one
process. A kept analysis is the analyser's own answer, and only for the same predictors."""

from __future__ import annotations

from typing import Any

from knowledge.query.predictors import Predictors


def test_the_same_question_is_analysed_once_and_identically(fake_engine: Any) -> None:
    analyser = fake_engine.analyser
    calls: list[str] = []
    real = analyser.analyse

    def counting(question: str, region: str | None = None) -> Any:
        calls.append(question)
        return real(question, region)

    analyser.analyse = counting
    try:
        fake_engine.set_predictors(analyser.predictors)  # starts empty
        first = fake_engine.analyse("护士执业注册要多久")
        assert fake_engine.analyse("护士执业注册要多久") is first
        assert fake_engine.analyse("护士执业注册要多久", "杭州市") == real("护士执业注册要多久", "杭州市")
        assert first == real("护士执业注册要多久")
        assert calls == ["护士执业注册要多久", "护士执业注册要多久"]  # once per (text, region)
        kept = analyser.predictors
        analyser.predictors = Predictors()  # evaluation/bank/measure.py does this: not the same analysis
        fake_engine.analyse("护士执业注册要多久")
        analyser.predictors = kept
        assert len(calls) == 3
        fake_engine.ask("护士执业注册要多久")  # the engine's own stage goes through the same memo
        assert len(calls) == 4  # the last analysis was made without the predictors: analysed again
        fake_engine.ask("护士执业注册要多久")
        assert len(calls) == 4
    finally:
        del analyser.analyse
        fake_engine.set_predictors(analyser.predictors)
