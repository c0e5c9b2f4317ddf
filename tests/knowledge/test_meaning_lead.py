"""The fusion's meaning lead (round 12): hand-built channel scores, no retrieval."""

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


def test_an_item_described_wins_over_common_words_with_the_meaning_lead() -> None:
    """当医生的可以同时在两家医院执业吗: BM25's best chunk is another item's (医院); the dense lead is 0.019."""
    v = views(dense=[0.9165, 0.8973, 0.8928], bm25=[0.648, 1.0, 0.4])
    without = fuse(v, CODES, w_lexical=0.08, w_names=0.15)
    assert without.ranked[0][0] == "setup-approval"
    with_lead = fuse(v, CODES, w_lexical=0.08, w_names=0.15, w_meaning=2.0)
    assert with_lead.ranked[0][0] == "multi-site"
    assert with_lead.items["multi-site"] == pytest.approx(without.items["multi-site"] + 2.0 * (0.9165 - 0.8973))
    assert with_lead.items["setup-approval"] == without.items["setup-approval"]  # only the dense best item moves


def test_a_small_dense_lead_does_not_beat_a_clear_word_match() -> None:
    v = views(dense=[0.9025, 0.9012, 0.88], bm25=[0.3, 1.0, 0.2])
    assert fuse(v, CODES, w_lexical=0.08, w_names=0.15, w_meaning=2.0).ranked[0][0] == "setup-approval"


def test_the_arrays_and_the_dicts_give_the_same_lead() -> None:
    v = views(dense=[0.91, 0.89, 0.85], bm25=[0.2, 1.0, 0.5], names={"clinic-filing": 0.48})
    plain = {k: ChannelScores(items=dict(view.items)) for k, view in v.items()}
    kwargs = {"w_lexical": 0.08, "w_names": 0.15, "w_meaning": 2.0}
    arrays, dicts = fuse(v, CODES, **kwargs).ranked, fuse(plain, CODES, **kwargs).ranked
    assert [c for c, _ in arrays] == [c for c, _ in dicts]
    assert [s for _, s in arrays] == pytest.approx([s for _, s in dicts])


def test_no_lead_without_the_dense_channel_or_its_weight() -> None:
    v = views(dense=[0.95, 0.80, 0.70], bm25=[0.2, 1.0, 0.5])
    lexical_only = {"bm25": v["bm25"]}
    assert fuse(lexical_only, CODES, w_lexical=0.08, w_names=0.15, w_meaning=2.0).items["multi-site"] == 0.2
    assert fuse(v, CODES, w_lexical=0.08, w_names=0.15).items["multi-site"] == pytest.approx(0.95 + 0.08 * 0.2)
