"""The app's one ticket-number definition (knowledge/ticket_numbers.py) on the table shared with Rasa's copy, and
the copy itself: the code below the two modules' docstrings must be the same."""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

from bot.tickets.numbers import normalise_number
from bot.tickets.privacy import mentions_ticket_number
from knowledge.query.analyse import Analyser
from knowledge.query.lexicon import load_lexicon
from knowledge.ticket_numbers import find_number, find_numbers

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES: list[dict[str, Any]] = json.loads((ROOT / "tests" / "ticket_number_examples.json").read_text("utf-8"))[
    "examples"
]


def _code_below_docstring(path: Path) -> str:
    source = path.read_text("utf-8")
    tree = ast.parse(source)
    first = tree.body[0]
    assert isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant), f"{path} has no docstring"
    return "\n".join(source.splitlines()[first.end_lineno :])


def test_the_two_environments_hold_the_same_definition() -> None:
    app = _code_below_docstring(ROOT / "knowledge" / "ticket_numbers.py")
    rasa = _code_below_docstring(ROOT / "nlu_components" / "ticket_numbers.py")
    assert app == rasa


@pytest.mark.parametrize("row", EXAMPLES, ids=[r["text"] for r in EXAMPLES])
def test_the_app_finds_what_the_table_says(row: dict[str, Any]) -> None:
    assert find_number(row["text"]) == row["number"]
    assert find_number(row["text"], "BBC") == row["number"]
    assert mentions_ticket_number(row["text"]) is (row["number"] is not None)


@pytest.mark.parametrize("row", [r for r in EXAMPLES if r["number"]], ids=lambda r: r["text"])
def test_the_tickets_service_and_the_analyse_stage_use_it(row: dict[str, Any]) -> None:
    assert normalise_number(row["text"]) == row["number"]
    analyser = Analyser(load_lexicon(), region_words=[])
    assert analyser.analyse(row["text"]).ticket_numbers == (row["number"],)


def test_another_prefix_is_not_this_deployments() -> None:
    assert find_number("ABC-20261122-0007") == "ABC-20261122-0007"
    assert find_number("ABC-20261122-0007", "BBC") is None
    assert find_numbers("BBC-20261122-0007 和 BBC-20261123-0008") == ["BBC-20261122-0007", "BBC-20261123-0008"]


def test_a_word_after_the_number_is_not_a_check_code_when_it_has_i_or_o() -> None:
    assert find_number("BBC-20261122-0007 hello") == "BBC-20261122-0007"


def test_a_number_typed_without_its_prefix_after_a_ticket_word_is_this_deployments() -> None:
    assert find_number("我的工单号是 2026 1201 0033，到哪一步了", "BBC") == "BBC-20261201-0033"
    assert find_number("受理号 2026-12-01-33", "BBC") == "BBC-20261201-0033"
    assert find_number("我的工单号是 2026 1201 0033") is None  # no deployment's prefix to name it by
    assert mentions_ticket_number("我的工单号是 2026 1201 0033")


def test_without_a_prefix_only_a_calendar_day_after_a_ticket_word_is_a_number() -> None:
    for text in ("快递单号 1380013800012", "单号 20261301 0001", "2026 1201 0033", "编号是2026年12月1日"):
        assert find_number(text, "BBC") is None, text
        assert not mentions_ticket_number(text), text


def test_another_prefix_with_a_dashed_day_is_another_systems_number() -> None:
    assert find_number("那 gd-2026-1129-0017 这样写能查到吗") == "GD-20261129-0017"
    assert find_number("那 gd-2026-1129-0017 这样写能查到吗", "BBC") is None
