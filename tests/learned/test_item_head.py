"""The item head (round 14, `knowledge/learned/item_head.py`): labels from training rows, a fit on made-up vectors."""

from __future__ import annotations

import numpy as np
import pytest

from knowledge.learned.hand_rows import conversation_rows
from knowledge.learned.item_head import fit_item_head, item_label, item_resolver
from knowledge.learned.store import TrainingRow
from knowledge.query.predictors import ITEM_NONE

NAMES = [
    ("nurse", ["护士执业注册"]),
    ("seal", ["麻醉药品和第一类精神药品购用印鉴卡", "印鉴卡"]),
    ("radiation", ["放射诊疗许可"]),
    ("radiation-project", ["放射诊疗建设项目卫生审查"]),
]


def test_a_label_is_a_code_a_name_or_a_part_of_one_name_only() -> None:
    resolve = item_resolver(NAMES)
    assert resolve("seal") == "seal"
    assert resolve("护士执业注册") == "nurse"
    assert resolve("印鉴卡") == "seal"  # an alias, and a part of the name
    assert resolve("放射诊疗许可") == "radiation"  # a whole name, though a part of no other
    assert resolve("放射诊疗") is None  # a part of two names: left out
    assert resolve("光荣证") is None


def test_rows_other_departments_complaints_and_small_talk_are_none_of_ours() -> None:
    resolve = item_resolver(NAMES)
    assert item_label(TrainingRow("x", "other_department", None), resolve) == ITEM_NONE
    assert item_label(TrainingRow("x", "complaint", None), resolve) == ITEM_NONE
    assert item_label(TrainingRow("x", "smalltalk", None), resolve) == ITEM_NONE
    assert item_label(TrainingRow("x", "in_domain", None, item="印鉴卡"), resolve) == "seal"
    assert item_label(TrainingRow("x", "in_domain", None), resolve) is None  # a follow-up: the conversation's item
    assert item_label(TrainingRow("x", "policy", None, item="seal"), resolve) is None


def test_only_a_conversations_first_turn_carries_its_item() -> None:
    line = (
        '{"id": "c1", "turns": [{"user": "医院要用吗啡，要办什么卡", "expect": {"kind": "answer", "item": "印鉴卡"}},'
        ' {"user": "要准备什么", "expect": {"kind": "answer", "item": "印鉴卡", "aspect": "materials"}}]}'
    )
    rows = conversation_rows([line], "tuning", "")
    assert [r.item for r in rows] == ["印鉴卡", None]


def test_the_head_learns_items_and_none_from_vectors() -> None:
    rng = np.random.default_rng(0)
    centres = {"nurse": np.eye(8)[0], "seal": np.eye(8)[1], ITEM_NONE: np.eye(8)[2]}
    rows, vectors = [], []
    for label, centre in centres.items():
        for _ in range(20):
            kind = "other_department" if label == ITEM_NONE else "in_domain"
            rows.append(TrainingRow("t", kind, None, item=None if label == ITEM_NONE else label))
            vectors.append(centre + 0.05 * rng.standard_normal(8))
    head = fit_item_head(np.array(vectors), rows, item_resolver(NAMES))
    assert head is not None and set(head.labels) == {"nurse", "seal", ITEM_NONE}
    probs = head.probabilities(np.array([np.eye(8)[1], np.eye(8)[2]]))
    assert head.labels[int(np.argmax(probs[0]))] == "seal"
    assert head.labels[int(np.argmax(probs[1]))] == ITEM_NONE


def test_no_head_without_none_rows_and_vectors_must_match_rows() -> None:
    rows = [TrainingRow("t", "in_domain", None, item="nurse"), TrainingRow("t", "in_domain", None, item="seal")]
    assert fit_item_head(np.eye(2), rows, item_resolver(NAMES)) is None
    with pytest.raises(ValueError):
        fit_item_head(np.eye(3), rows, item_resolver(NAMES))


def test_the_fitted_head_is_kept_and_loaded_by_its_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from knowledge.learned.item_head import load_or_fit_item_head

    rows = [
        TrainingRow("t", "in_domain", None, item="nurse"),
        TrainingRow("t", "in_domain", None, item="seal"),
        TrainingRow("t", "other_department", None),
    ]
    path = tmp_path / "item_head.npz"
    first = load_or_fit_item_head(path, np.eye(3), rows, item_resolver(NAMES), "h1")
    assert first is not None and path.exists()
    again = load_or_fit_item_head(path, np.zeros((3, 3)), rows, item_resolver(NAMES), "h1")  # loaded, not refitted
    assert again is not None and np.allclose(again.weights, first.weights) and again.labels == first.labels
    other = load_or_fit_item_head(path, np.zeros((3, 3)), rows, item_resolver(NAMES), "h2")  # another key: refitted
    assert other is not None and not np.allclose(other.weights, first.weights)


def test_a_folder_it_cannot_write_only_costs_a_refit(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from knowledge.learned import item_head

    def refuse(*_: object, **__: object) -> None:
        raise PermissionError("read-only")

    monkeypatch.setattr(item_head.np, "savez", refuse)
    rows = [TrainingRow("t", "in_domain", None, item="nurse"), TrainingRow("t", "other_department", None)]
    head = item_head.load_or_fit_item_head(tmp_path / "item_head.npz", np.eye(2), rows, item_resolver(NAMES), "h")
    assert head is not None and not (tmp_path / "item_head.npz").exists()
