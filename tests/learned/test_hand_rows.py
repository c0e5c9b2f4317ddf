"""Training rows from the hand-written tuning sets: kinds and aspects from each turn's expectation, families per
conversation, blind splits refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.handwritten import BLIND_SPLITS, SPLITS
from knowledge.learned import hand_rows
from knowledge.learned.hand_rows import (
    HELD_BACK,
    TUNING_SPLITS,
    WRITERS,
    conversation_rows,
    message_rows,
    read_hand_rows,
    split_rows,
    turn_kind,
)

POLICIES = "告知承诺制 当场作出 两个免于提交 12345"


def _conv(cid: str, *turns: tuple[str, dict[str, object]]) -> str:
    return json.dumps({"id": cid, "turns": [{"user": u, "expect": e} for u, e in turns]}, ensure_ascii=False)


def test_a_turn_about_an_item_is_in_domain_with_its_labelled_aspect() -> None:
    rows = conversation_rows(
        [
            _conv(
                "c1",
                ("护士注册要交什么", {"kind": "answer", "item": "护士执业注册", "aspect": "materials"}),
                ("那多久能办好", {"kind": "answer", "item": "护士执业注册", "aspect": "time_limit"}),
                ("在哪办要钱吗", {"kind": "answer", "item": "护士执业注册"}),
                ('/ask_item{"item_code": "x"}', {"kind": "answer", "item": "护士执业注册", "aspect": "fee"}),
            )
        ],
        "tuning",
        POLICIES,
    )
    assert [(r.text, r.kind, r.aspects) for r in rows] == [
        ("护士注册要交什么", "in_domain", ("materials",)),
        ("那多久能办好", "in_domain", ("time_limit",)),
        ("在哪办要钱吗", "in_domain", None),  # two aspects, none labelled: no aspect row
    ]
    assert {r.family for r in rows} == {"hand:tuning:c1"}
    assert all(r.hand for r in rows)  # weighed as hand-written rows (`store.HAND_WEIGHT`)


def test_policy_smalltalk_and_intake_starts_get_their_kinds_and_the_rest_no_row() -> None:
    assert turn_kind({"kind": "answer", "contains_any": ["当场作出"]}, None, POLICIES) == "policy"
    assert turn_kind({"kind": "answer", "contains_any": ["大理"]}, None, POLICIES) is None  # a place, not a policy
    assert turn_kind({"kind": "smalltalk"}, None, POLICIES) == "smalltalk"
    assert turn_kind({"kind": "escalate"}, "answer", POLICIES) == "complaint"
    assert turn_kind({"kind": "escalate"}, "escalate", POLICIES) is None  # the intake's details, not a message kind
    assert turn_kind({"kind": "clarify"}, None, POLICIES) == "in_domain"
    assert turn_kind({"kind": "no_answer"}, None, POLICIES) is None  # no item: a gap or another department's
    for kind in ("handoff", "out_of_scope", "ticket_status", None):
        assert turn_kind({"kind": kind}, None, POLICIES) is None


def test_follow_ups_can_be_kept_for_the_aspect_head_only() -> None:
    lines = [
        _conv(
            "c2",
            ("出生证明补办要什么材料", {"kind": "answer", "item": "出生医学证明", "aspect": "materials"}),
            ("那收费吗", {"kind": "answer", "item": "出生医学证明", "aspect": "fee"}),
            ("谢谢", {"kind": "smalltalk"}),
        )
    ]
    rows = conversation_rows(lines, "tuning7", POLICIES, followups_for_kind=False)
    assert [(r.text, r.for_kind) for r in rows] == [("出生证明补办要什么材料", True), ("那收费吗", False)]
    assert all(r.for_kind for r in conversation_rows(lines, "tuning7", POLICIES, followups_for_kind=True))


def test_message_rows_keep_their_kind_and_a_family_per_split() -> None:
    line = json.dumps({"id": "od-1", "text": "公积金怎么提取", "kind": "other_department", "family": "od-1"})
    assert message_rows([line, ""], "seen") == [
        hand_rows.TrainingRow("公积金怎么提取", "other_department", None, "hand:seen:od-1", hand=True)
    ]


@pytest.mark.parametrize("split", ["blind", "blind6", "blind9", "heldout"])
def test_a_split_other_than_a_tuning_one_is_refused(split: str, tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        split_rows(split, tmp_path)


def test_every_writer_is_a_tuning_split_and_each_split_has_one_writer() -> None:
    splits = [s for parts in WRITERS.values() for s in parts]
    assert sorted(splits) == sorted(TUNING_SPLITS)


def test_every_hand_written_tuning_split_trains_the_heads_or_is_held_back_on_purpose() -> None:
    tuning = {s for s in SPLITS if s not in BLIND_SPLITS}
    assert set(TUNING_SPLITS) | set(HELD_BACK) == tuning
    assert not set(TUNING_SPLITS) & set(HELD_BACK)
    assert not set(TUNING_SPLITS) & set(BLIND_SPLITS)


def test_the_real_tuning_sets_give_rows_of_every_kind() -> None:
    rows = read_hand_rows()
    kinds = {r.kind for r in rows}
    assert kinds == {"in_domain", "other_department", "complaint", "smalltalk", "policy"}
    assert sum(r.aspects is not None for r in rows) > 300
    assert all(r.family.split(":")[1] in TUNING_SPLITS for r in rows)
