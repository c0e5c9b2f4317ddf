"""Rule `clarify_once`: a clarifying question about an item's sub-items is asked once. When the last reply asked which
sub-item of an item (the conversation's `choices`, all of that item) and the citizen went on without picking one (a
detail, a place, another aspect), the next answer about the same item is the first sub-item's (the sub-items are
listed in the catalog's order: the first registration or issue before renewals, changes and replacements; the answer
names the sub-item it stands for) instead of the same question again."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from knowledge.answer import Choice
from knowledge.decide.model import Decision

CLARIFY_SUB_ITEM_RULES = ("clarify_sub_item", "clarify_sub_item_general")


def asked_sub_items_of(choices: Sequence[Choice], item_code: str | None) -> bool:
    """Whether the last reply's choices were the sub-items of this item (a clarifying question about it)."""
    if item_code is None or not choices:
        return False
    return all(c.item_code == item_code for c in choices) and any(c.sub_item for c in choices)


def clarify_once(decision: Decision, choices: Sequence[Choice]) -> Decision:
    """The decision, or, for a second clarifying question in a row about the same item's sub-items, the answer for the
    first of them."""
    if decision.kind != "clarify" or decision.rule not in CLARIFY_SUB_ITEM_RULES:
        return decision
    if not asked_sub_items_of(choices, decision.item_code):
        return decision
    if not decision.clarify_sub_items:
        return decision
    first = decision.clarify_sub_items[0]
    return replace(decision, kind="answer", sub_item=first, clarify_sub_items=(), rule=f"{decision.rule}+asked_before")
