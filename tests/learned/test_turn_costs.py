"""What a chat turn's gate computes once: the kind head's prediction for a message asked twice (the gate's verdict,
then the engine's analysis), the item names it looks for, and numpy's BLAS on one thread (knowledge/threads.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from knowledge.embedding.embedders import HashingEmbedder
from knowledge.learned import kind_features, store
from knowledge.learned.gate import GatedEngine
from knowledge.learned.predictors import KindHeadPredictor, build_predictors
from knowledge.threads import limit_blas_threads
from tests.learned.test_predictors import ROWS


@pytest.fixture()
def kind_predictor(tmp_path: Path) -> KindHeadPredictor:
    path = tmp_path / "tuning.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in ROWS), encoding="utf-8")
    embedder = HashingEmbedder()
    kind, _ = build_predictors(store.load_or_train(embedder, path, tmp_path / "heads"), embedder)
    assert isinstance(kind, KindHeadPredictor)
    return kind


def test_a_message_asked_twice_is_featurised_once(
    kind_predictor: KindHeadPredictor, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[list[str]] = []
    real = kind_features.featurize

    def counted(name: str, texts: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(list(texts))
        return real(name, texts, *args, **kwargs)

    monkeypatch.setattr("knowledge.learned.predictors.featurize", counted)
    first = kind_predictor.predict("护士注册需要带什么材料")
    first["in_domain"] = -1.0  # a caller changing its copy changes nothing kept
    second = kind_predictor.predict("护士注册需要带什么材料")
    assert calls == [["护士注册需要带什么材料"]]
    assert second != first and abs(sum(second.values()) - 1.0) < 1e-6
    kind_predictor.predict("公积金怎么提取")
    assert len(calls) == 2


def test_kept_predictions_are_bounded_and_equal_a_fresh_prediction(kind_predictor: KindHeadPredictor) -> None:
    texts = [f"护士注册第{n}次问材料" for n in range(KindHeadPredictor.RECENT + 5)]
    kept = {t: kind_predictor.predict(t) for t in texts}
    assert kind_predictor._recent.cache_info().currsize == KindHeadPredictor.RECENT
    kind_predictor._recent.cache_clear()
    assert all(kind_predictor.predict(t) == kept[t] for t in texts[:3])  # recomputed: the same numbers


class _Item:
    def __init__(self, name: str, aliases: tuple[str, ...]) -> None:
        self.name, self.aliases = name, aliases


class _Engine:
    def __init__(self) -> None:
        self.catalog = type("C", (), {"items": [_Item("護士執業註冊", ("护士注册",)), _Item("母婴保健", ())]})()


def test_item_names_are_normalised_once_and_matched_as_before(kind_predictor: KindHeadPredictor) -> None:
    gate = GatedEngine(_Engine(), kind_predictor, kind_predictor, {})
    assert gate._names_item("我想问护士执业注册的事")  # the traditional name, normalised
    assert gate._names_item("护士注册要多久") and not gate._names_item("公积金怎么提取")
    assert gate._item_names == ("护士执业注册", "护士注册", "母婴保健")


def test_blas_runs_on_the_threads_it_is_given() -> None:
    threadpoolctl = pytest.importorskip("threadpoolctl")
    before = threadpoolctl.threadpool_info()
    blas = [lib for lib in before if lib["user_api"] == "blas"]
    if not blas:
        pytest.skip("no BLAS library loaded in this process")
    try:
        limit_blas_threads(1)
        assert {lib["num_threads"] for lib in threadpoolctl.threadpool_info() if lib["user_api"] == "blas"} == {1}
    finally:
        for lib in blas:  # the other tests keep the process's own setting
            threadpoolctl.threadpool_limits(limits={lib["prefix"]: lib["num_threads"]})
