"""Rasa's one ticket-number definition (nlu_components/ticket_numbers.py) on the table shared with the app's copy
(tests/tickets/test_ticket_numbers.py checks the two copies' code is the same), through the action and the gate
component's rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from actions.ticket_status import normalise_number
from nlu_components.gate_rules import overriding_intent
from nlu_components.gate_signals import looks_like_ticket_number
from nlu_components.ticket_numbers import find_number

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES: list[dict[str, Any]] = json.loads((ROOT / "tests" / "ticket_number_examples.json").read_text("utf-8"))[
    "examples"
]
GATE = {"kind": "in_domain", "confidence": 0.9, "confident": True}


@pytest.mark.parametrize("row", EXAMPLES, ids=[r["text"] for r in EXAMPLES])
def test_rasa_finds_what_the_table_says(row: dict[str, Any]) -> None:
    assert find_number(row["text"]) == row["number"]
    assert normalise_number(row["text"]) == row["number"]  # the action, with the deployment's prefix
    assert looks_like_ticket_number(row["text"]) is (row["number"] is not None)


@pytest.mark.parametrize("row", [r for r in EXAMPLES if r["number"]], ids=lambda r: r["text"])
def test_a_number_in_any_form_is_a_ticket_question_whatever_diet_saw(row: dict[str, Any]) -> None:
    assert overriding_intent(row["text"], "ask_item", False, GATE) == "ask_ticket_status"


def test_a_number_without_its_prefix_after_a_ticket_word_is_looked_up_as_ours() -> None:
    text = "我的工单号是 2026 1201 0033，现在处理到哪一步了"
    assert normalise_number(text) == "BBC-20261201-0033"
    assert overriding_intent(text, "ask_item", False, GATE) == "ask_ticket_status"
    assert overriding_intent("快递单号 1380013800012 查不到", "ask_item", False, GATE) != "ask_ticket_status"
