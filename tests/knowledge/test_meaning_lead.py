"""The fusion's meaning lead (round 12; recorded beside the fused scores since round 13): hand-built channel scores,
no retrieval."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.retrieve.fuse import fuse, meaning_lead
from knowledge.retrieve.protocol import ChannelScores, ItemScores

CODES = ["multi-site", "setup-approval", "clinic-filing"]


def views(dense: list[float], bm25: list[float], names: dict[str, float] | None = None) -> dict[str, ChannelScores]:
    return {
        "dense": ChannelScores(items=ItemScores(CODES, np.array(dense))),
        "bm25": ChannelScores(items=ItemScores(CODES, np.array(bm25))),
        "names": ChannelScores(items=names or {}),
    }


def test_meaning_lead_is_the_dense_best_items_lead_over_the_runner_up() -> None:
    code, lead = meaning_lead(ItemScores(CODES, np.array([0.9165, 0.8928, 0.8973]))) or ("", 0.0)
    assert code == "multi-site" and lead == pytest.approx(0.9165 - 0.8973)
    assert meaning_lead({"a": 0.5, "b": 0.7}) == ("b", pytest.approx(0.2))
    assert meaning_lead({"a": 0.5}) == ("a", 0.5)
    assert meaning_lead({}) is None and meaning_lead(ItemScores([], np.zeros(0))) is None
    code, lead = meaning_lead(ItemScores(CODES, np.array([0.9, 0.9, 0.1]))) or ("", 1.0)
    assert lead == 0.0  # a tie leads nothing


def test_fusion_records_the_lead_beside_the_fused_scores_without_adding_it() -> None:
    """当医生的可以同时在两家医院执业吗: BM25's best chunk is another item's (医院); the dense lead is 0.019."""
    v = views(dense=[0.9165, 0.8973, 0.8928], bm25=[0.648, 1.0, 0.4])
    fused = fuse(v, CODES, w_lexical=0.08, w_names=0.15)
    assert fused.ranked[0][0] == "setup-approval"
    assert fused.items["multi-site"] == pytest.approx(0.9165 + 0.08 * 0.648)  # no lead in the fused score
    code, lead = fused.meaning_lead or ("", 0.0)
    assert code == "multi-site" and lead == pytest.approx(0.9165 - 0.8973)


def test_the_arrays_and_the_dicts_give_the_same_lead() -> None:
    v = views(dense=[0.91, 0.89, 0.85], bm25=[0.2, 1.0, 0.5], names={"clinic-filing": 0.48})
    plain = {k: ChannelScores(items=dict(view.items)) for k, view in v.items()}
    kwargs = {"w_lexical": 0.08, "w_names": 0.15}
    arrays, dicts = fuse(v, CODES, **kwargs), fuse(plain, CODES, **kwargs)
    assert [c for c, _ in arrays.ranked] == [c for c, _ in dicts.ranked]
    assert [s for _, s in arrays.ranked] == pytest.approx([s for _, s in dicts.ranked])
    assert arrays.meaning_lead is not None and dicts.meaning_lead is not None
    assert arrays.meaning_lead[0] == dicts.meaning_lead[0]
    assert arrays.meaning_lead[1] == pytest.approx(dicts.meaning_lead[1])


def test_no_lead_without_the_dense_channel() -> None:
    v = views(dense=[0.95, 0.80, 0.70], bm25=[0.2, 1.0, 0.5])
    lexical_only = fuse({"bm25": v["bm25"]}, CODES, w_lexical=0.08, w_names=0.15)
    assert lexical_only.items["multi-site"] == 0.2 and lexical_only.meaning_lead is None
