"""Leave-one-writer-out tooling: which writers' rows train a fold, and each fold's heads trained once."""

from __future__ import annotations

from pathlib import Path

import pytest

from evaluation import hand_rows_lowo
from knowledge.embedding.embedders import HashingEmbedder
from knowledge.learned.hand_rows import WRITERS
from knowledge.learned.store import TrainingRow


def _splits(rows: list[TrainingRow]) -> set[str]:
    return {r.family.split(":")[1] for r in rows if r.family.startswith("hand:")}


def test_the_held_out_writer_never_trains_and_train_writers_limit_the_others() -> None:
    every = _splits(hand_rows_lowo.training_rows("all", "tuning12"))
    assert every == {s for writer, parts in WRITERS.items() if writer != "tuning12" for s in parts}
    limited = _splits(hand_rows_lowo.training_rows("all", "tuning12", ["round4", "tuning7", "tuning12"]))
    assert limited == {"tuning", "seen", "tuning7"}
    assert _splits(hand_rows_lowo.training_rows("bank", "tuning12")) == set()


def _rows() -> list[TrainingRow]:
    words = {
        "in_domain": ["护士执业注册需要什么材料", "医师注册材料清单", "出生医学证明要什么材料", "诊所备案要什么"],
        "other_department": ["驾驶证到期怎么换证", "公积金怎么提取", "社保卡丢了怎么补", "护照去哪里办理"],
        "smalltalk": ["你好", "谢谢", "再见", "拜拜"],
    }
    return [
        TrainingRow(text, kind, ("materials",) if kind == "in_domain" else None, f"{kind}{n % 6}")
        for kind, texts in words.items()
        for n, text in enumerate(texts * 2)
    ]


def test_a_folds_heads_are_trained_once_and_loaded_after(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    embedder = HashingEmbedder()
    rows = _rows()
    first, _ = hand_rows_lowo.heads_for(rows, embedder, tmp_path / "app", tmp_path / "folds")  # type: ignore[arg-type]
    assert len(list((tmp_path / "folds").iterdir())) == 1

    def no_training(*_: object) -> None:
        raise AssertionError("trained again")

    monkeypatch.setattr(hand_rows_lowo, "train", no_training)
    again, _ = hand_rows_lowo.heads_for(rows, embedder, tmp_path / "app", tmp_path / "folds")  # type: ignore[arg-type]
    assert again.manifest.content_hash == first.manifest.content_hash
    with pytest.raises(AssertionError):  # other rows: another fold
        hand_rows_lowo.heads_for(rows[:-1], embedder, tmp_path / "app", tmp_path / "folds")  # type: ignore[arg-type]


def test_a_weighted_fold_is_another_fold_and_says_its_weights(tmp_path: Path) -> None:
    embedder = HashingEmbedder()
    rows = [TrainingRow(r.text, r.kind, r.aspects, f"hand:tuning:{r.family}", hand=True) for r in _rows()]
    plain, _ = hand_rows_lowo.heads_for(rows, embedder, tmp_path / "app", tmp_path / "folds", (1.0, 1.0))  # type: ignore[arg-type]
    weighted, _ = hand_rows_lowo.heads_for(rows, embedder, tmp_path / "app", tmp_path / "folds", (2.0, 1.0))  # type: ignore[arg-type]
    assert len(list((tmp_path / "folds").iterdir())) == 2
    assert (plain.manifest.hand_weight, weighted.manifest.hand_weight) == (1.0, 2.0)
    assert hand_rows_lowo.variant_name("all", (1.0, 1.0)) == "all"
    assert hand_rows_lowo.variant_name("all", (2.0, 1.0)) == "all×2"
    assert hand_rows_lowo.variant_name("first", (1.0, 3.0)) == "first×1/a3"
    assert hand_rows_lowo.variant_name("bank", (2.0, 1.0)) == "bank"
