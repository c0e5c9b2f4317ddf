"""Where a question about a policy, in citizens' own words, can be told from a question about an item.

    python -m evaluation.policy_calibration [--rows]

For every row of the question bank's TUNING part (policy, in-domain and other departments' questions) and
every policy turn of the hand-written tuning conversations (`heldout.jsonl`, the hand-written tuning set, and any
tuning conversation file given with `--conversations`: round 5 also gave the round-4 hand-written blind set, a
tuning set now): the dense channel's best policy point score, its lead over the
best item chunk (with an item named: over that item, when the point relates to it), and the learned kind head's
policy probability. Prints, for each candidate (lead, score) threshold, how many policy rows it finds and how
many in-domain / other-department rows it takes for a policy; `knowledge.decide.tuning.Tuning.policy_dense_lead`
and `policy_dense_min` are chosen from it (docs/design/understanding.md, round 5). Never reads the question
bank's blind part.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from evaluation.conversations import load_conversations

ROOT = Path(__file__).resolve().parents[1]
TUNING = ROOT / "evaluation" / "data" / "bank" / "tuning.jsonl"
POLICY_TURN_SETS = (
    ROOT / "evaluation" / "data" / "heldout.jsonl",
    ROOT / "evaluation" / "data" / "handwritten" / "tuning.jsonl",
)
LEADS = (-0.02, -0.01, 0.0, 0.005, 0.01, 0.015, 0.02, 0.03)
MINS = (0.80, 0.82, 0.84, 0.85, 0.86, 0.87, 0.88)


def features(engine: Any, text: str) -> dict[str, Any]:
    from knowledge.decide.policy_match import dense_lead_over, dense_policy_lead

    query = engine.analyse(text)
    scores = engine.retrieve(query)
    best, lead = dense_policy_lead(scores)
    if best and scores.exact:  # an item named: the lead over it, when the point relates to it
        item = max(scores.exact, key=lambda c: (scores.named.get(c, 0.0), scores.items.get(c, 0.0)))
        related = item in engine.catalog.point_by_id[best[0]][1].related_items
        lead = dense_lead_over(scores, best[0], item) if related else -1.0
    return {
        "point": best[1] if best else 0.0,
        "point_id": best[0] if best else None,
        "lead": lead,
        "p_policy": round(query.kind_probs.get("policy", 0.0), 3),
        "named_item": bool(scores.exact),
        "policy_cue": bool(query.policy_cues),
    }


def policy_turns(extra: list[Path]) -> list[str]:
    texts = []
    for path in (*POLICY_TURN_SETS, *extra):
        for conv in load_conversations(path):
            for turn in conv.turns:
                if "policy" in conv.tags and turn.expect.kind == "answer" and not turn.expect.item:
                    texts.append(turn.user)
    return texts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", action="store_true", help="print every row's features too")
    parser.add_argument("--conversations", nargs="*", type=Path, default=[], help="more TUNING conversation files")
    parser.add_argument("--limit", type=int, default=600, help="at most this many rows of each kind (every n-th)")
    args = parser.parse_args(argv)
    from knowledge.service import get_engine

    engine: Any = get_engine()
    inner = getattr(engine, "engine", engine)
    groups: dict[str, list[dict[str, Any]]] = {"policy": [], "in_domain": [], "other_department": [], "turns": []}
    by_kind: dict[str, list[str]] = {kind: [] for kind in groups}
    for line in TUNING.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["kind"] in by_kind:
            by_kind[row["kind"]].append(row["text"])
    for kind, texts in by_kind.items():
        step = max(1, -(-len(texts) // args.limit))
        groups[kind] = [{"text": t, **features(inner, t)} for t in texts[::step]]
    for text in policy_turns(args.conversations):
        groups["turns"].append({"text": text, **features(inner, text)})
    if args.rows:
        for name, rows in groups.items():
            for r in sorted(rows, key=lambda r: -r["lead"]):
                print(name, f"{r['lead']:+.3f}", f"{r['point']:.3f}", r["p_policy"], r["named_item"], r["text"][:40])
    print("lead\tmin\tpolicy rows found\tpolicy turns found\tin-domain taken\tother-dept taken")
    for lead in LEADS:
        for low in MINS:

            def hit(r: dict[str, Any], lead: float = lead, low: float = low) -> bool:
                return r["lead"] >= lead and r["point"] >= low

            print(
                lead,
                low,
                f"{sum(map(hit, groups['policy']))}/{len(groups['policy'])}",
                f"{sum(map(hit, groups['turns']))}/{len(groups['turns'])}",
                f"{sum(map(hit, groups['in_domain']))}/{len(groups['in_domain'])}",
                f"{sum(map(hit, groups['other_department']))}/{len(groups['other_department'])}",
                sep="\t",
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
