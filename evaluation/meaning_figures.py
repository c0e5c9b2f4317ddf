"""Item top-1 on answer turns, engine and channel by channel, to see which fusion finds items named by meaning.

    python -m evaluation.meaning_figures [--splits tuning seen tuning7 …] [--bank] [--rows FILE] [--misses]

For every answer turn of the hand-written TUNING conversation splits (`evaluation/data/handwritten/<split>.jsonl`,
first turns and follow-ups apart) and of `heldout.jsonl`, and with `--bank` for the bank's tuning part's in-domain
questions (never its blind part): whether the engine answered with the labelled item (the turn asked as
`evaluation.engine_dialogue` asks it, with the conversation's context), and, on the message's text alone, whether
the fused ranking and the dense channel alone put the labelled item first. `--rows` writes every row with each
channel's item scores (for trying fusion rules offline); `--misses` prints the tuning splits' engine misses with
the best item of each channel.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

from evaluation.conversations import Turn
from evaluation.engine_dialogue import run
from evaluation.handwritten import BLIND_SPLITS, SPLITS
from evaluation.scoring import Observed

HANDWRITTEN = Path(__file__).parent / "data" / "handwritten"
HELDOUT = Path(__file__).parent / "data" / "heldout.jsonl"
TUNING_SPLITS = [split for split in SPLITS if split not in BLIND_SPLITS]  # every tuning split, one list
CHANNELS = ("dense", "bm25", "names")


def _split_path(split: str) -> Path:
    if split.startswith("blind"):
        raise SystemExit("blind splits are never read here")
    return HELDOUT if split == "heldout" else HANDWRITTEN / f"{split}.jsonl"


def channel_row(engine: Any, text: str) -> dict[str, Any]:
    """The fused ranking's best items and each channel's score for every item, on the text alone."""
    scores = engine.retrieve(engine.analyse(text))
    names = engine.catalog.item_by_code
    out: dict[str, Any] = {
        "fused_top": [names[c].name for c, _ in scores.ranked[:3]],
        "fused": {names[c].name: round(s, 4) for c, s in scores.ranked},
        "exact": sorted(names[c].name for c in scores.exact),
    }
    for channel in CHANNELS:
        view = scores.channels.get(channel)
        items = dict(view.items) if view is not None else {}
        out[channel] = {names[c].name: round(v, 4) for c, v in items.items() if v}
    dense = out["dense"]
    out["dense_top"] = sorted(dense, key=lambda n: -dense[n])[:3]
    return out


def conversation_rows(engine: Any, split: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []

    def on_turn(turn_id: str, turn: Turn, seen: Observed, problems: list[str]) -> None:
        expect = turn.expect
        if expect.kind != "answer" or not expect.item or turn.user.startswith("/"):
            return
        row = {
            "split": split,
            "id": turn_id,
            "first": turn_id.endswith("#0"),
            "text": turn.user,
            "item": expect.item,
            "engine_item": seen.item_name if seen.kind == "answer" else None,
            "engine_kind": seen.kind,
        }
        row.update(channel_row(engine, turn.user))
        rows.append(row)

    run(engine, _split_path(split), on_turn)
    return rows


def bank_rows(engine: Any) -> list[dict[str, Any]]:
    from evaluation.bank.generate import load

    rows: list[dict[str, Any]] = []
    for q in load("tuning"):
        if q.kind != "in_domain" or not q.item:
            continue
        answer = engine.ask(q.text)
        name = engine.catalog.item_by_code[q.item].name
        row = {"split": "bank-tuning", "id": q.id, "first": True, "text": q.text, "item": name}
        row["engine_item"] = answer.item.name if answer.kind == "answer" and answer.item else None
        row["engine_kind"] = answer.kind
        row.update(channel_row(engine, q.text))
        rows.append(row)
    return rows


def hit(row: dict[str, Any], name: str | None) -> bool:
    return bool(name) and row["item"] in str(name)


def summary(rows: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for row in rows:
        groups[f"{row['split']} {'first' if row['first'] else 'later'}"].append(row)
    out: dict[str, dict[str, Any]] = {}
    for key, group in sorted(groups.items()):
        n = len(group)
        out[key] = {
            "n": n,
            "engine": round(sum(hit(r, r["engine_item"]) for r in group) / n, 4),
            "fused": round(sum(hit(r, r["fused_top"][0] if r["fused_top"] else None) for r in group) / n, 4),
            "dense": round(sum(hit(r, r["dense_top"][0] if r["dense_top"] else None) for r in group) / n, 4),
        }
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--splits", nargs="*", default=[*TUNING_SPLITS, "heldout"])
    parser.add_argument("--bank", action="store_true", help="also the bank's tuning part's in-domain questions")
    parser.add_argument("--rows", type=Path, help="write every row (JSON lines) here")
    parser.add_argument("--misses", action="store_true", help="print the conversation splits' engine misses")
    args = parser.parse_args(argv)
    from knowledge.service import get_engine

    engine = get_engine()
    rows = [row for split in args.splits for row in conversation_rows(engine, split)]
    if args.bank:
        rows += bank_rows(engine)
    if args.rows:
        args.rows.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    if args.misses:
        for r in rows:
            if r["split"] != "bank-tuning" and not hit(r, r["engine_item"]):
                print(
                    f"MISS {r['id']} {r['text'][:40]!r} want {r['item']} | engine {r['engine_kind']} {r['engine_item']}"
                    f" | fused {r['fused_top'][:2]} | dense {r['dense_top'][:2]}"
                )
    for key, figures in summary(rows).items():
        print(key, json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
