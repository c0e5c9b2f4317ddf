"""Scoring one turn against its expectations, and the summary over a run. A miss is a miss."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from evaluation.conversations import Conversation, Expect


@dataclass
class Observed:
    """What the system did in one turn, as its machine-readable metadata and its reply text say."""

    kind: str | None
    item_name: str | None
    aspect: str | None
    text: str
    candidate_names: list[str] = field(default_factory=list)  # best first; the item first when known


def check_turn(expect: Expect, seen: Observed) -> list[str]:
    """The reasons this turn fails (empty when it passes)."""
    problems = []
    if expect.kind is not None and seen.kind != expect.kind:
        problems.append(f"kind {seen.kind!r} != {expect.kind!r}")
    if expect.item is not None and (seen.item_name is None or expect.item not in seen.item_name):
        problems.append(f"item {seen.item_name!r} lacks {expect.item!r}")
    if expect.aspect is not None and seen.aspect != expect.aspect:
        problems.append(f"aspect {seen.aspect!r} != {expect.aspect!r}")
    missing = [s for s in expect.contains_all if s not in seen.text]
    if missing:
        problems.append(f"missing all-of {missing}")
    if expect.contains_any and not any(s in seen.text for s in expect.contains_any):
        problems.append(f"missing any-of {expect.contains_any}")
    present = [s for s in expect.not_contains if s in seen.text]
    if present:
        problems.append(f"contains forbidden {present}")
    return problems


@dataclass
class TurnResult:
    conversation: Conversation
    index: int
    seen: Observed
    problems: list[str]


def summarise(results: list[TurnResult]) -> dict[str, object]:
    by_conv: dict[str, bool] = {}
    by_kind: dict[str, list[bool]] = defaultdict(list)
    by_tag: dict[str, list[bool]] = defaultdict(list)
    top1: list[bool] = []
    top3: list[bool] = []
    aspect_ok: list[bool] = []
    for r in results:
        ok = not r.problems
        conv = r.conversation
        by_conv[conv.id] = by_conv.get(conv.id, True) and ok
        expect = conv.turns[r.index].expect
        by_kind[expect.kind or "unspecified"].append(ok)
        if expect.kind == "answer" and expect.item:
            names = [r.seen.item_name] if r.seen.item_name else []
            names += [n for n in r.seen.candidate_names if n not in names]
            top1.append(bool(names) and expect.item in (names[0] or ""))
            top3.append(any(expect.item in n for n in names[:3] if n))
        if expect.kind == "answer" and expect.aspect:
            aspect_ok.append(r.seen.aspect == expect.aspect)
    conv_tags = {r.conversation.id: r.conversation.tags for r in results}
    for conv_id, ok in by_conv.items():
        for tag in conv_tags[conv_id] or ["untagged"]:
            by_tag[tag].append(ok)

    def rate(values: list[bool]) -> float | None:
        return round(sum(values) / len(values), 4) if values else None

    return {
        "turns": len(results),
        "conversations": len(by_conv),
        "turn_pass_rate": rate([not r.problems for r in results]),
        "conv_pass_rate": rate(list(by_conv.values())),
        "item_top1": rate(top1),
        "item_top3": rate(top3),
        "aspect_accuracy": rate(aspect_ok),
        "by_kind": {k: {"n": len(v), "pass": rate(v)} for k, v in sorted(by_kind.items())},
        "by_tag": {k: {"n": len(v), "pass": rate(v)} for k, v in sorted(by_tag.items())},
    }
